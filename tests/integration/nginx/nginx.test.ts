/**
 * Debian's real nginx in front of the real sidecar, with the generated site.scim.custom and
 * mailcow-scim-upstream.conf included as mailcow's nginx includes them (mailcow-nginx.ts).
 * nginx starts before the sidecar's socket exists, SCIM works through it, the client address
 * reaches the token's IP allow-list, and nginx's own errors are SCIM error bodies.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimRequest } from '../../helpers/http.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { startMailcowNginx, type MailcowNginx } from './mailcow-nginx.js';

const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';

let dir: string;
let socket: string;
let port: number;
let nginx: MailcowNginx | undefined;
let t: TestSidecar | undefined;
let base: string;

const get = (path: string, headers: Record<string, string> = {}, token?: string) => scimRequest(base, { path, headers, token });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcs-nginx-sock-'));
  socket = join(dir, 'run', 'http.sock'); // the directory does not exist yet
  nginx = await startMailcowNginx(socket);
  port = nginx.port;
  base = nginx.base;
});

afterAll(async () => {
  await t?.stop();
  await nginx?.stop();
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

  it('answers a sidecar slower than proxy_read_timeout with a SCIM 504, and the next POST works', async () => {
    // A second nginx with the site's read timeout shortened, on the same sidecar.
    const impatient = await startMailcowNginx(socket, { site: (text) => text.replace(/proxy_read_timeout \d+s;/, 'proxy_read_timeout 1s;') });
    try {
      const token = (await t!.sidecar.tokens.create('slow', { domains: ['example.org'], defaultDomain: 'example.org' })).secret;
      const lock = await t!.db.pool.getConnection();
      let r;
      try {
        await lock.query('LOCK TABLES mailbox WRITE');
        r = await scimRequest(impatient.base, { method: 'POST', path: '/Users', token, body: { schemas: [CORE], userName: 'slow@example.org' } });
      } finally {
        await lock.query('UNLOCK TABLES');
        lock.release();
      }
      expect(r.status).toBe(504);
      expect(r.headers['content-type']).toBe('application/scim+json');
      expect(r.body).toMatchObject({ schemas: [ERROR_URN], status: '504' });
      const next = await scimRequest(impatient.base, { method: 'POST', path: '/Users', token, body: { schemas: [CORE], userName: 'after-504@example.org' } });
      expect(next.status, next.text).toBe(201);
    } finally {
      await impatient.stop();
    }
  });

  it('still starts without mailcow-scim-upstream.conf, answering SCIM with its 502 body', async () => {
    const halfInstalled = await startMailcowNginx(socket, { upstream: () => '# removed by hand\n' });
    try {
      const r = await scimRequest(halfInstalled.base, { path: '/ServiceProviderConfig' });
      expect(r.status).toBe(502);
      expect(r.headers['content-type']).toBe('application/scim+json');
      expect(r.body).toMatchObject({ schemas: [ERROR_URN], status: '502' });
      expect((await scimRequest(`http://127.0.0.1:${halfInstalled.port}`, { path: '/api/v1/get/status' })).status).toBe(418);
    } finally {
      await halfInstalled.stop();
    }
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
    expect(nginx!.process.exitCode).toBeNull();
    const log = await nginx!.errorLog();
    expect(log).toMatch(/connect\(\) to unix:.*http\.sock failed/);
  });
});
