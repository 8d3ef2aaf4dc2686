/**
 * Architecture §8 against real MariaDB: limits hold under concurrency, writes pause (503) while
 * mailbox.authsource lacks 'scim' and resume by themselves, an unreachable database is a 503
 * with Retry-After and the sidecar recovers, and SIGTERM drains in-flight requests.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureScimAuthsource } from '../../../server/src/mailcow/authsource.js';
import { createPool } from '../../../server/src/mailcow/pool.js';
import { scimClient } from '../../helpers/http.js';
import { rowsOf } from '../../helpers/mailcow-rows.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';

describe('domain limits under concurrency', () => {
  let t: TestSidecar;
  beforeAll(async () => {
    t = await startTestSidecar({ domains: [{ domain: 'race.org', mailboxes: 5, quotaMiB: 100_000 }] });
  });
  afterAll(async () => t?.stop());

  it('12 parallel creates into a domain that allows 5 mailboxes: exactly 5 succeed, the rest get 400', async () => {
    const token = (await t.sidecar.tokens.create('race', { domains: ['race.org'] })).secret;
    const api = scimClient('http://localhost/scim/v2', token, t.httpSocket);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => api.post('/Users', { schemas: [CORE], userName: `u${i}@race.org` })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 400)).toHaveLength(7);
    expect(await rowsOf(t.db.pool, `SELECT COUNT(*) AS n FROM mailbox WHERE domain = 'race.org'`)).toEqual([{ n: 5 }]);
    expect(await rowsOf(t.db.pool, `SELECT COUNT(*) AS n FROM alias WHERE domain = 'race.org'`)).toEqual([{ n: 5 }]);
    expect(await rowsOf(t.db.pool, `SELECT COUNT(*) AS n FROM mailcow_scim_users`)).toEqual([{ n: 5 }]);
  });
});

describe("writes pause while mailbox.authsource lacks 'scim'", () => {
  let t: TestSidecar;
  beforeAll(async () => {
    t = await startTestSidecar();
  });
  afterAll(async () => t?.stop());

  it('503 with a SCIM error and Retry-After, reads keep working, writes resume after the fix', async () => {
    const token = (await t.sidecar.tokens.create('enum', { domains: ['example.org'] })).secret;
    const api = scimClient('http://localhost/scim/v2', token, t.httpSocket);
    expect((await api.post('/Users', { schemas: [CORE], userName: 'before@example.org' })).status).toBe(201);
    // What mailcow's init_db does on a schema bump while no... here even with rows: the test forces it.
    await t.db.pool.query(`UPDATE mailbox SET authsource = 'mailcow' WHERE authsource = 'scim'`);
    await t.db.pool.query(`ALTER TABLE mailbox MODIFY COLUMN authsource ENUM('mailcow','keycloak','generic-oidc','ldap') NULL DEFAULT 'mailcow'`);
    const refused = await api.post('/Users', { schemas: [CORE], userName: 'during@example.org' });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    expect(refused.body.detail).toMatch(/authsource/);
    expect(await rowsOf(t.db.pool, `SELECT * FROM mailbox WHERE username = 'during@example.org'`)).toEqual([]);
    const again = await api.post('/Users', { schemas: [CORE], userName: 'during@example.org' });
    expect(again.status).toBe(503);
    expect(again.body.detail).toMatch(/doctor --repair/);
    expect((await api.get('/Users')).status).toBe(200);

    await ensureScimAuthsource(t.db.pool);
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await api.post('/Users', { schemas: [CORE], userName: 'after@example.org' })).status).toBe(201);
  });
});

/** A TCP proxy to MariaDB that the test can cut and restore. */
async function startCuttableProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(target);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const close = () => (client.destroy(), upstream.destroy());
        client.on('error', close).on('close', close);
        upstream.on('error', close).on('close', close);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  await listen();
  return {
    get port() {
      return port;
    },
    async cut() {
      for (const s of sockets) s.destroy();
      sockets.clear();
      await new Promise((r) => server!.close(r));
    },
    restore: listen,
  };
}

describe('database unreachable', () => {
  let db: TestDatabase;
  let t: TestSidecar;
  let proxy: Awaited<ReturnType<typeof startCuttableProxy>>;
  beforeAll(async () => {
    db = await createTestDatabase({ domains: [{ domain: 'example.org' }] });
    const u = new URL(db.url);
    proxy = await startCuttableProxy({ host: u.hostname, port: Number(u.port || 3306) });
    const viaProxy = new URL(db.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    // The sidecar reaches the database through the proxy; the test keeps its own direct pool.
    t = await startTestSidecar({ db: { ...db, url: viaProxy.toString(), pool: db.pool } });
  });
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('answers 503 + Retry-After while MariaDB is away and recovers by itself', async () => {
    const token = (await t.sidecar.tokens.create('db', { domains: ['example.org'] })).secret;
    const api = scimClient('http://localhost/scim/v2', token, t.httpSocket);
    expect((await api.get('/Users')).status).toBe(200);
    await proxy.cut();
    const down = await api.post('/Users', { schemas: [CORE], userName: 'x@example.org' });
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBeDefined();
    expect(down.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    expect(down.body.detail).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    await proxy.restore();
    let recovered = 0;
    for (let i = 0; i < 30 && recovered !== 201; i++) {
      recovered = (await api.post('/Users', { schemas: [CORE], userName: 'x@example.org' })).status;
      if (recovered !== 201) await new Promise((r) => setTimeout(r, 300));
    }
    expect(recovered).toBe(201);
  });
});

describe('graceful shutdown', () => {
  it('SIGTERM-style stop lets an in-flight create finish', async () => {
    const t = await startTestSidecar({ domains: [{ domain: 'drain.org' }] });
    const token = (await t.sidecar.tokens.create('drain', { domains: ['drain.org'] })).secret;
    const api = scimClient('http://localhost/scim/v2', token, t.httpSocket);
    // Hold the domain row lock so the create waits inside its transaction.
    const blocker = createPool(t.db.url, { connectionLimit: 1 });
    const conn = await blocker.getConnection();
    await conn.beginTransaction();
    await conn.query(`SELECT * FROM domain WHERE domain = 'drain.org' FOR UPDATE`);
    const inFlight = api.post('/Users', { schemas: [CORE], userName: 'slow@drain.org' });
    await new Promise((r) => setTimeout(r, 300));
    const stopping = t.stop();
    await new Promise((r) => setTimeout(r, 200));
    await conn.commit();
    conn.release();
    await blocker.end();
    const r = await inFlight;
    expect(r.status).toBe(201);
    await stopping;
  });
});
