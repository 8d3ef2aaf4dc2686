/**
 * A SCIM user's web login through the real path: the login form of a mailcow page double
 * (tests/browser/mailcow-frame/index.php, served by PHP's built-in server) posts to
 * check_login() -> user_login()'s `case 'scim'` -> the installed PHP bridge -> the real sidecar
 * over gRPC -> the mailbox row in real MariaDB, and the page shows the alerts as mailcow's footer
 * does (one box per type, messages joined by <hr>).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { IDP_ROWS, insertMailbox, setIdentityProvider } from './fixtures.js';
import { freePort } from '../../helpers/free-port.js';
import { makeFrameDocroot, waitForHttp, type FrameDocroot } from './frame-docroot.js';

let t: TestSidecar;
let docroot: FrameDocroot;
let php: ChildProcess;
let phpLog = '';
let base: string;

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

  docroot = await makeFrameDocroot('mcs-login-');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  php = spawn('php', ['-S', `127.0.0.1:${port}`, '-t', docroot.dir, join(docroot.dir, 'router.php')], {
    env: { ...process.env, SCIM_RPC_SOCKET: t.rpcSocket, MCS_MAILCOW_DOUBLE: resolve('php-bridge/tests/Double/mailcow-functions.php'), ...pdoEnv(t.db.url) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  php.stdout!.on('data', (c: Buffer) => (phpLog += c.toString()));
  php.stderr!.on('data', (c: Buffer) => (phpLog += c.toString()));
  await waitForHttp(`${base}/favicon.ico`, () => phpLog);
}, 60_000);

afterAll(async () => {
  php?.kill();
  await t?.stop();
  await docroot?.cleanup();
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
