/**
 * Debian's real nginx in front of the real sidecar, with the generated site.scim.custom included
 * in a server block built like mailcow's (data/conf/nginx/templates/sites-default.conf.j2:
 * real-IP from X-Forwarded-For for trusted proxies, regex locations for .php/.twig and
 * /api/v1/, a server-wide `error_page 502 @awaitingupstream`, and the site.*.custom include).
 * nginx starts before the sidecar's socket exists, SCIM works through it, the client address
 * reaches the token's IP allow-list, and nginx's own errors are SCIM error bodies.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInstallAssets, renderNginxSite } from '../../../server/src/install/index.js';
import { scimRequest } from '../../helpers/http.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';

let dir: string;
let socket: string;
let port: number;
let nginx: ChildProcess | undefined;
let t: TestSidecar | undefined;
let base: string;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

/** A server block with the parts of mailcow's that matter to a /scim/v2/ location. */
function nginxConf(): string {
  const asRoot = process.getuid?.() === 0;
  return `${asRoot ? 'user root;\n' : ''}worker_processes 1;
error_log logs/error.log notice;
pid nginx.pid;
events { worker_connections 128; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    server_tokens off;
    access_log logs/access.log;
    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;

    server {
        listen 127.0.0.1:${port};
        server_name _;

        charset utf-8;
        override_charset on;
        add_header X-Content-Type-Options nosniff;
        add_header X-Frame-Options "SAMEORIGIN" always;
        client_max_body_size 0;
        gzip on;
        gzip_types text/plain application/json;
        absolute_redirect off;

        # mailcow trusts private ranges and TRUSTED_PROXIES; here the test client is the proxy.
        set_real_ip_from 127.0.0.1;
        real_ip_header X-Forwarded-For;
        real_ip_recursive on;

        location / { return 404 "mailcow page\\n"; }
        location ~ ^/api/v1/(.*)$ { return 418 "mailcow api\\n"; }

        include ${dir}/conf.d/site.*.custom;

        error_page 502 @awaitingupstream;
        location @awaitingupstream { return 502 "<html>mailcow is starting</html>"; }

        location ~* \\.php$ { return 404; }
        location ~* \\.twig$ { return 404; }
    }
}
`;
}

const get = (path: string, headers: Record<string, string> = {}, token?: string) => scimRequest(base, { path, headers, token });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcs-nginx-'));
  socket = join(dir, 'run', 'http.sock'); // the directory does not exist yet
  port = await freePort();
  base = `http://127.0.0.1:${port}/scim/v2`;
  for (const d of ['conf.d', 'logs', 'tmp']) await mkdir(join(dir, d));
  await writeFile(join(dir, 'conf.d', 'site.scim.custom'), await renderNginxSite(findInstallAssets(), socket));
  await writeFile(join(dir, 'nginx.conf'), nginxConf());

  const test = spawnSync('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs/error.log'), '-t'], { encoding: 'utf8' });
  expect(test.status, test.stderr).toBe(0);
  nginx = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs/error.log'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  for (let i = 0; i < 100; i++) {
    const up = await get('/ServiceProviderConfig').then(
      () => true,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
});

afterAll(async () => {
  await t?.stop();
  if (nginx?.pid && nginx.exitCode === null) {
    const exited = new Promise((r) => nginx!.once('exit', r));
    nginx.kill('SIGQUIT');
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('mailcow nginx with site.scim.custom', () => {
  it('starts while the sidecar socket is absent and answers 502 with a SCIM error body', async () => {
    const r = await get('/ServiceProviderConfig');
    expect(r.status).toBe(502);
    expect(r.headers['content-type']).toBe('application/scim+json');
    expect(r.headers['retry-after']).toBe('30');
    expect(r.body).toMatchObject({ schemas: [ERROR_URN], status: '502' });
    expect(r.body.detail).toContain('mailcow-scim sidecar is not answering');
    // The rest of the site is unaffected.
    expect((await scimRequest(`http://127.0.0.1:${port}`, { path: '/api/v1/get/status' })).status).toBe(418);
  });

  it('serves SCIM through nginx once the sidecar runs', async () => {
    t = await startTestSidecar({ env: { SCIM_HTTP_SOCKET: socket } });
    const r = await get('/ServiceProviderConfig');
    expect(r.status).toBe(200);
    expect(r.body.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
    // nginx's request id reaches the sidecar.
    expect(r.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);

    // ^~ wins over mailcow's regex locations: a .php path under /scim/v2/ is the sidecar's 404.
    const php = await get('/Users.php');
    expect(php.status).toBe(404);
    expect(php.body.schemas).toEqual([ERROR_URN]);

    const bare = await scimRequest(`http://127.0.0.1:${port}`, { path: '/scim/v2' });
    expect(bare.status).toBe(308);
    expect(bare.headers.location).toBe('/scim/v2/');
  });

  it('creates and reads a user through nginx, with meta.location as the client sees it', async () => {
    const token = (await t!.sidecar.tokens.create('through-nginx', { domains: ['example.org'], defaultDomain: 'example.org' })).secret;
    const created = await scimRequest(base, { method: 'POST', path: '/Users', token, body: { schemas: [CORE], userName: 'nina@example.org', active: true } });
    expect(created.status, created.text).toBe(201);
    expect(created.body.meta.location).toBe(`http://127.0.0.1:${port}/scim/v2/Users/${created.body.id}`);
    const read = await get(`/Users/${created.body.id}`, {}, token);
    expect(read.status).toBe(200);
    expect(read.body.userName).toBe('nina@example.org');
    const [[row]] = (await t!.db.pool.query(`SELECT authsource FROM mailbox WHERE username = 'nina@example.org'`)) as never as [[{ authsource: string }]];
    expect(row.authsource).toBe('scim');
  });

  it("passes the client address to the token's IP allow-list, and never a client's own X-Real-IP", async () => {
    const restricted = (await t!.sidecar.tokens.create('office-only', { domains: ['example.org'], ipAllowList: ['203.0.113.0/24'] })).secret;
    const allowed = await get('/Users?count=1', { 'x-forwarded-for': '203.0.113.7' }, restricted);
    expect(allowed.status, allowed.text).toBe(200);
    const logged = t!.logs.filter((l) => l.msg === 'request' && l.ip === '203.0.113.7');
    expect(logged.length).toBeGreaterThan(0);

    const elsewhere = await get('/Users?count=1', { 'x-forwarded-for': '198.51.100.9' }, restricted);
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body).toMatchObject({ schemas: [ERROR_URN], status: '403' });
    expect(elsewhere.body.detail).toContain('198.51.100.9');

    // A forged X-Real-IP is replaced by nginx with the real peer (127.0.0.1 here).
    const forged = await get('/Users?count=1', { 'x-real-ip': '203.0.113.7' }, restricted);
    expect(forged.status).toBe(403);
    expect(forged.body.detail).toContain('127.0.0.1');
  });

  it('answers oversized bodies with SCIM 413s: the sidecar below the nginx limit, nginx above it', async () => {
    const token = (await t!.sidecar.tokens.create('bodies', { domains: ['example.org'] })).secret;
    const big = (bytes: number) => JSON.stringify({ schemas: [CORE], userName: 'x@example.org', displayName: 'x'.repeat(bytes) });
    const sidecar413 = await scimRequest(base, { method: 'POST', path: '/Users', token, raw: big(2 * 1024 * 1024) });
    expect(sidecar413.status).toBe(413);
    expect(sidecar413.body).toMatchObject({ schemas: [ERROR_URN], status: '413' });
    const nginx413 = await scimRequest(base, { method: 'POST', path: '/Users', token, raw: big(5 * 1024 * 1024) });
    expect(nginx413.status).toBe(413);
    expect(nginx413.headers['content-type']).toBe('application/scim+json');
    expect(nginx413.body).toMatchObject({ schemas: [ERROR_URN], status: '413' });
  });

  it('goes back to a SCIM 502 when the sidecar stops, and nginx keeps running', async () => {
    await t!.stop();
    t = undefined;
    const r = await get('/ServiceProviderConfig');
    expect(r.status).toBe(502);
    expect(r.body).toMatchObject({ schemas: [ERROR_URN], status: '502' });
    expect(nginx!.exitCode).toBeNull();
    const log = await readFile(join(dir, 'logs/error.log'), 'utf8');
    expect(log).toMatch(/connect\(\) to unix:.*http\.sock failed/);
  });
});
