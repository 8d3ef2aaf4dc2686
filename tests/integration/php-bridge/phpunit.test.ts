/**
 * Runs the PHP bridge's PHPUnit suite (php-bridge/phpunit.xml.dist, Debian's phpunit) against a
 * real sidecar on a fresh MariaDB database with mailcow's schema, a deliberately broken gRPC
 * server, and PHP generated from the fixture protos. The vitest test fails when PHPUnit fails,
 * skips or is not installed, and prints PHPUnit's output.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { startBadServers, type BadServers } from './bad-grpc-server.js';
import { generateFixturePhp, run } from './php-run.js';

let t: TestSidecar;
let bad: BadServers;
let dir: string;
let fixtureGen: string;

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain: 'example.org' }, { domain: 'off.example.org', active: 0 }] });
  dir = await mkdtemp(join(tmpdir(), 'mcs-phpunit-'));
  bad = await startBadServers(dir);
  fixtureGen = await generateFixturePhp(dir);
});
afterAll(async () => {
  await bad?.close();
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** PDO's DSN for the sidecar's database (mysql://user:pass@host:port/db). */
function pdoEnv(url: string): Record<string, string> {
  const u = new URL(url);
  return {
    MCS_TEST_DB_DSN: `mysql:host=${u.hostname};port=${u.port || '3306'};dbname=${decodeURIComponent(u.pathname.slice(1))};charset=utf8mb4`,
    MCS_TEST_DB_USER: decodeURIComponent(u.username || 'root'),
    MCS_TEST_DB_PASS: decodeURIComponent(u.password),
  };
}

function count(xml: string, attr: string): number {
  const m = new RegExp(`<testsuite name="[^"]*" [^>]*\\b${attr}="([\\d.]+)"`).exec(xml);
  return m ? Number(m[1]) : NaN;
}

describe('php-bridge PHPUnit', () => {
  it('passes, with nothing skipped', async () => {
    const junit = join(dir, 'junit.xml');
    const r = await run('phpunit', ['-c', 'php-bridge/phpunit.xml.dist', '--log-junit', junit], {
      env: {
        MCS_TEST_RPC_SOCKET: t.rpcSocket,
        MCS_TEST_BAD_SOCKET: bad.grpcSocket,
        MCS_TEST_H1_SOCKET: bad.http1Socket,
        MCS_TEST_FIXTURE_GEN: fixtureGen,
        ...pdoEnv(t.db.url),
      },
      timeoutMs: 240_000,
    }).catch((e: NodeJS.ErrnoException) => {
      throw new Error(e.code === 'ENOENT' ? 'phpunit is not installed (apt-get install phpunit php-cli php-curl php-mysql)' : String(e));
    });
    const output = `${r.stdout}\n${r.stderr}`;
    if (r.code !== 0) throw new Error(`PHPUnit failed (exit ${r.code}):\n${output}`);
    const xml = await readFile(junit, 'utf8');
    const tests = count(xml, 'tests');
    const skipped = count(xml, 'skipped');
    if (skipped > 0) throw new Error(`PHPUnit skipped ${skipped} tests:\n${output}`);
    expect(tests, output).toBeGreaterThan(60);
    const slow = [...xml.matchAll(/<testcase name="([^"]+)" class="([^"]+)"[^>]* time="([\d.]+)"/g)].filter((m) => Number(m[3]) > 0.3).map((m) => `${m[2]}::${m[1]} ${Number(m[3]).toFixed(2)}s`);
    console.log(`PHPUnit: ${tests} tests, ${count(xml, 'assertions')} assertions, ${count(xml, 'time')}s${slow.length ? `; slowest: ${slow.join(', ')}` : ''}`);
  }, 300_000);
});
