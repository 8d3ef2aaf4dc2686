/**
 * A SCIM user's web login through the real path: the login form of a mailcow page double
 * (tests/browser/mailcow-frame/index.php, served by PHP's built-in server) posts to
 * check_login() -> user_login()'s `case 'scim'` -> the installed PHP bridge -> the real sidecar
 * over gRPC -> the mailbox row in real MariaDB, and the page shows the alerts as mailcow's footer
 * does (one box per type, messages joined by <hr>).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInstallAssets, runInstall } from '../../../server/src/install/index.js';
import { makeMailcowTree, type TestTree } from '../install/mailcow-tree.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { IDP_ROWS, insertMailbox, setIdentityProvider } from './fixtures.js';

let t: TestSidecar;
let docroot: string;
let installed: TestTree;
let php: ChildProcess;
let phpLog = '';
let base: string;

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

/** PDO's DSN for the sidecar's database, as the PHPUnit run gets it. */
function pdoEnv(url: string): Record<string, string> {
  const u = new URL(url);
  return {
    MCS_TEST_DB_DSN: `mysql:host=${u.hostname};port=${u.port || '3306'};dbname=${decodeURIComponent(u.pathname.slice(1))};charset=utf8mb4`,
    MCS_TEST_DB_USER: decodeURIComponent(u.username || 'root'),
    MCS_TEST_DB_PASS: decodeURIComponent(u.password),
  };
}

interface LoginPage {
  /** The alert boxes: type -> the messages in it. */
  alerts: Record<string, string[]>;
  /** What went to mailcow's log without an alert (the double's logger()). */
  logged: { type: string; log: string[]; msg: string }[];
}

async function webLogin(user: string, pass: string): Promise<LoginPage> {
  const r = await fetch(`${base}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login_user: user, pass_user: pass }).toString(),
  });
  const html = await r.text();
  expect(r.status, html + phpLog).toBe(200);
  const alerts: Record<string, string[]> = {};
  for (const m of html.matchAll(/<div class="alert alert-([a-z]+)" role="alert">(.*?)<\/div>/gs)) alerts[m[1]!] = m[2]!.split('<hr class="alert-hr">');
  const logged = JSON.parse(/<script type="application\/json" id="logged">(.*?)<\/script>/s.exec(html)![1]!) as LoginPage['logged'];
  return { alerts, logged };
}

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain: 'example.org' }] });
  await setIdentityProvider(t.db.pool, IDP_ROWS.ldap);
  await insertMailbox(t.db.pool, { username: 'gone@example.org', active: 2 });
  await insertMailbox(t.db.pool, { username: 'off@example.org', active: 0 });
  await insertMailbox(t.db.pool, { username: 'own@example.org', authsource: 'mailcow' });

  docroot = await mkdtemp(join(tmpdir(), 'mcs-login-'));
  await cp('tests/browser/mailcow-frame', docroot, { recursive: true });
  installed = await makeMailcowTree({ git: false });
  await runInstall({ mailcowDir: installed.dir, assets: findInstallAssets() }, 'install');
  await cp(join(installed.dir, 'data/web/inc/mailcow-scim'), join(docroot, 'inc/mailcow-scim'), { recursive: true });
  await writeFile(
    join(docroot, 'inc/vars.local.inc.php'),
    "<?php\nif (file_exists(__DIR__ . '/mailcow-scim/mailcow-scim.inc.php')) {\n  require_once __DIR__ . '/mailcow-scim/mailcow-scim.inc.php';\n}\n",
  );
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  php = spawn('php', ['-S', `127.0.0.1:${port}`, '-t', docroot, join(docroot, 'router.php')], {
    env: { ...process.env, SCIM_RPC_SOCKET: t.rpcSocket, MCS_MAILCOW_DOUBLE: resolve('php-bridge/tests/Double/mailcow-functions.php'), ...pdoEnv(t.db.url) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  php.stdout!.on('data', (c: Buffer) => (phpLog += c.toString()));
  php.stderr!.on('data', (c: Buffer) => (phpLog += c.toString()));
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${base}/favicon.ico`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}, 60_000);

afterAll(async () => {
  php?.kill();
  await t?.stop();
  if (docroot) await rm(docroot, { recursive: true, force: true });
  await installed?.cleanup();
});

describe('a refused SCIM web login', () => {
  it('shows mailcow\'s failure alert once for a user the IdP deactivated, and logs why', async () => {
    const page = await webLogin('gone@example.org', 'whatever');
    expect(page.alerts).toEqual({ danger: ['Login failed'] });
    expect(page.logged).toHaveLength(1);
    expect(page.logged[0]!.log.slice(0, 2)).toEqual(['mailcow_scim_user_login', 'gone@example.org']);
    expect(page.logged[0]!.log[3]).toContain('login is disabled (active=2, the SCIM user is deactivated)');
  });

  it('does the same for an inactive mailbox, as mailcow does for its own mailboxes', async () => {
    expect((await webLogin('off@example.org', 'whatever')).alerts).toEqual({ danger: ['Login failed'] });
    expect((await webLogin('own@example.org', 'wrong')).alerts).toEqual({ danger: ['Login failed'] });
  });

  it('ran without PHP errors', () => {
    expect(phpLog.split('\n').filter((l) => /PHP (Fatal|Warning|Notice|Deprecated)/.test(l))).toEqual([]);
  });
});
