/**
 * The README's first steps, as a newcomer runs them (issue 13): `mailcow-scim demo` on the port
 * SCIM_HTTP_PORT names (the configuration table says so), the curl examples it prints, and then
 * scripts/demo-lifecycle.sh, which used to stop with a 409 on jane@ after the README's own example.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { createPool, withDatabase } from '../../../server/src/mailcow/pool.js';
import { CLI_BIN } from '../../helpers/cli-binary.js';
import { serverUrl } from '../../helpers/mariadb.js';

const database = `mcs_t_${Math.floor(Date.now() / 1000)}_demo${process.pid}`;
let demo: ChildProcess | undefined;
let cwd: string | undefined;

afterAll(async () => {
  if (demo && demo.exitCode === null) {
    const exited = new Promise((done) => demo!.once('close', done));
    demo.kill('SIGTERM');
    await exited;
  }
  if (cwd) await rm(cwd, { recursive: true, force: true });
  const admin = createPool(withDatabase(serverUrl(), ''), { connectionLimit: 1 });
  await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await admin.end();
});

/** Starts the demo and resolves with everything it printed once it says it runs. */
function startDemo(env: Record<string, string>): Promise<string> {
  return new Promise((done, fail) => {
    demo = spawn(process.execPath, [CLI_BIN, 'demo', '--database', database], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
    let out = '';
    let err = '';
    demo.stdout!.on('data', (c) => {
      out += String(c);
      if (out.includes('Ctrl-C stops it.')) done(out);
    });
    demo.stderr!.on('data', (c) => (err += String(c)));
    demo.on('close', (code) => fail(new Error(`demo exited ${code}: ${out}\n${err}`)));
  });
}

it('serves on the port SCIM_HTTP_PORT names, and the lifecycle script runs after the printed examples', async () => {
  cwd = await mkdtemp(join(tmpdir(), 'mcs-demo-'));
  // Port 0: the kernel picks a free one, never a fixed port on a shared machine; 8080 would be the
  // default the demo used to take whatever SCIM_HTTP_PORT said.
  const out = await startDemo({ MARIADB_URL: serverUrl(), SCIM_HTTP_PORT: '0', LOG_LEVEL: 'warn' });
  const base = /SCIM \(TCP\)\s+(http:\/\/127\.0\.0\.1:(\d+)\/scim\/v2)/.exec(out);
  expect(base, out).not.toBeNull();
  expect(base![2]).not.toBe('8080');
  expect(base![2]).not.toBe('0');
  const token = /SCIM token \(shown once\): (\S+)/.exec(out)![1]!;

  // The examples exactly as printed, one after the other, as a newcomer pastes them.
  const examples = out.slice(out.indexOf('Try:') + 'Try:'.length, out.indexOf('Ctrl-C stops it.'));
  const shown = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', examples], { cwd });
  expect(shown.stdout).toContain('"userName":"jane@example.org"');

  const lifecycle = await promisify(execFile)('bash', ['scripts/demo-lifecycle.sh'], { env: { ...process.env, BASE: base![1], TOKEN: token, DOMAIN: 'example.org' } });
  expect(lifecycle.stdout).toContain('ok   secondary e-mail (becomes an alias) (200)');
  expect(lifecycle.stdout).toContain('lifecycle complete for jane.doe@example.org');
});

it('refuses a port that is not one', async () => {
  const r = await promisify(execFile)(process.execPath, [CLI_BIN, 'demo', '--database', database, '--port', 'http'], { env: { PATH: process.env.PATH } }).catch((e: { code: number; stderr: string }) => e);
  expect((r as { code: number }).code).toBe(2);
  expect((r as { stderr: string }).stderr).toContain('the port must be a number from 0 to 65535, not "http"');
});
