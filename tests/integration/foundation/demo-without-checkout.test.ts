/**
 * `mailcow-scim demo` where there is no checkout, laid out as the container image is (package.json,
 * node_modules, dist/ built from server/src, bin/; no tests/): it must say that it needs a
 * checkout, and refuse before it drops or creates any database.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, serverUrl, type TestDatabase } from '../../helpers/mariadb.js';
import { run } from '../php-bridge/php-run.js';

let app: string;
let db: TestDatabase;

/** Whether dist/ was built after the last change under server/src (as `npm test` does right before vitest). */
function distIsCurrent(): boolean {
  const built = statSync('dist/cli/cli.js', { throwIfNoEntry: false })?.mtimeMs;
  if (built === undefined) return false;
  const newest = (dir: string): number =>
    Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
  return newest('server/src') <= built;
}

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'mcs-image-like-'));
  if (distIsCurrent()) {
    cpSync('dist', join(app, 'dist'), { recursive: true, filter: (src) => !src.startsWith('dist/bench') });
  } else {
    const build = await run('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', join(app, 'dist')], { timeoutMs: 110_000 });
    expect(build, 'build of server/src').toMatchObject({ code: 0 });
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'mailcow-scim', type: 'module', private: true }));
  symlinkSync(resolve('node_modules'), join(app, 'node_modules'), 'dir');
  mkdirSync(join(app, 'bin'));
  cpSync('bin/mailcow-scim.js', join(app, 'bin/mailcow-scim.js'));
  db = await createTestDatabase({ mailcow: false });
  await db.pool.query('CREATE TABLE keep_me (id INT)');
});

afterAll(async () => {
  await db?.drop();
  if (app) rmSync(app, { recursive: true, force: true });
});

it('says it needs a mailcow-scim checkout and leaves the database alone', async () => {
  const r = await run('node', [join(app, 'bin/mailcow-scim.js'), 'demo', '--database', db.name, '--port', '0'], {
    cwd: app,
    env: { MARIADB_URL: serverUrl() },
    timeoutMs: 30_000,
  });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^mailcow-scim demo: the mailcow schema fixture \(tests\/fixtures\/mailcow-schema\/\) is not in this installation/);
  expect(r.stderr).toContain('only a mailcow-scim checkout has it: the container image does not. Run `npm run demo` in a checkout.');
  const [tables] = await db.pool.query('SHOW TABLES');
  expect(tables).toEqual([{ [`Tables_in_${db.name}`]: 'keep_me' }]);
});
