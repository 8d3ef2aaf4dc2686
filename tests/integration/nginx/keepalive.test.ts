/**
 * nginx keeps its connections to the sidecar (deploy/nginx/mailcow-scim-upstream.conf): requests
 * through one nginx reuse a few upstream connections instead of one each, sequential and
 * parallel POSTs never meet a 502, an idle connection is closed by nginx (never by the sidecar
 * under a request), and a SIGTERM drain answers the requests in flight and still gives the
 * next one the SCIM error body it gave before connections were kept.
 *
 * The sidecar runs in this process, so the test sees every request its socket server starts
 * (diagnostics channel http.server.request.start) and on which connection.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_KEEP_ALIVE_TIMEOUT_MS } from '../../../server/src/http/listen.js';
import { findInstallAssets, renderNginxUpstream } from '../../../server/src/install/index.js';
import { scimRequest, type ScimResponse } from '../../helpers/http.js';
import type { RowDataPacket } from 'mysql2';
import { waitFor } from '../../helpers/process-fixture.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { startMailcowNginx, type MailcowNginx } from './mailcow-nginx.js';

const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
/** nginx's keepalive_timeout in the idle test only, so an idle period fits in a test. */
const SHORT_NGINX_IDLE_S = 1;

/** Requests the sidecar's socket server started, and the connections they came on. */
class UpstreamConnections {
  requests = 0;
  readonly sockets = new Set<Socket>();
  /** Connections whose other side (nginx) closed them: 'end' came before 'close'. */
  readonly closedByNginx = new Set<Socket>();
  readonly closed = new Set<Socket>();
  server?: Server;
  private readonly onStart = (message: unknown) => {
    const { server, socket } = message as { server: Server; socket: Socket };
    if (server.address() !== this.socketPath) return;
    this.server = server;
    this.requests++;
    if (this.sockets.has(socket)) return;
    this.sockets.add(socket);
    socket.once('end', () => this.closedByNginx.add(socket));
    socket.once('close', () => this.closed.add(socket));
  };

  constructor(private readonly socketPath: string) {
    subscribe('http.server.request.start', this.onStart);
  }

  close(): void {
    unsubscribe('http.server.request.start', this.onStart);
  }

  mark(): { requests: number; sockets: number } {
    return { requests: this.requests, sockets: this.sockets.size };
  }
}

let dir: string;
let socket: string;
let nginx: MailcowNginx;
let t: TestSidecar | undefined;
let seen: UpstreamConnections;
let token: string;
let n = 0;

const create = (through: MailcowNginx = nginx): Promise<ScimResponse> => {
  const userName = `ka${n++}@example.org`;
  return scimRequest(through.base, { method: 'POST', path: '/Users', token, body: { schemas: [CORE], userName, active: true } });
};

/** Statements of the sidecar waiting for a lock in its database (a request past every HTTP hook). */
async function waitingStatements(sidecar: TestSidecar): Promise<number> {
  const [rows] = await sidecar.db.pool.query<RowDataPacket[]>(
    `SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND STATE = 'Waiting for table metadata lock'`,
    [sidecar.db.name],
  );
  return rows.length;
}

const statuses = (rs: ScimResponse[]) => rs.map((r) => r.status);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcs-ka-'));
  socket = join(dir, 'http.sock');
  seen = new UpstreamConnections(socket);
  nginx = await startMailcowNginx(socket);
  t = await startTestSidecar({
    env: { SCIM_HTTP_SOCKET: socket },
    domains: [{ domain: 'example.org', mailboxes: 1000, defquotaMiB: 1, maxquotaMiB: 10, quotaMiB: 100_000 }],
  });
  token = (await t.sidecar.tokens.create('keepalive', { domains: ['example.org'], defaultDomain: 'example.org' })).secret;
});

afterAll(async () => {
  seen?.close();
  await t?.stop();
  await nginx?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('nginx keeps its connections to the sidecar', () => {
  it('closes idle connections before the sidecar would: nginx keepalive_timeout below the sidecar keep-alive timeout', async () => {
    const upstream = await renderNginxUpstream(findInstallAssets(), socket);
    expect(upstream).toMatch(/^\s*keepalive \d+;/m);
    expect(upstream).toContain(`server unix:${socket} max_fails=0;`);
    const nginxIdle = Number(/^\s*keepalive_timeout (\d+)s;/m.exec(upstream)?.[1]);
    // A margin of seconds: both timers run on a busy machine.
    expect(nginxIdle * 1000 + 10_000).toBeLessThanOrEqual(HTTP_KEEP_ALIVE_TIMEOUT_MS);
    // The socket server really runs with it.
    const r = await scimRequest(nginx.base, { path: '/ServiceProviderConfig' });
    expect(r.status).toBe(200);
    expect(seen.server?.keepAliveTimeout).toBe(HTTP_KEEP_ALIVE_TIMEOUT_MS);
  });

  it('sends sequential POSTs and GETs over one upstream connection, none a 502', async () => {
    const before = seen.mark();
    const results: ScimResponse[] = [];
    for (let i = 0; i < 40; i++) {
      const created = await create();
      results.push(created);
      if (created.status === 201) results.push(await scimRequest(nginx.base, { path: `/Users/${created.body.id}`, token }));
    }
    expect(statuses(results).filter((s) => s !== 201 && s !== 200)).toEqual([]);
    expect(results).toHaveLength(80);
    const after = seen.mark();
    expect(after.requests - before.requests).toBe(80);
    // One nginx worker, one request at a time: at most the one connection it opened.
    expect(after.sockets - before.sockets).toBeLessThanOrEqual(1);
  });

  it('serves rounds of parallel POSTs on no more connections than requests at once, none a 502', async () => {
    const before = seen.mark();
    const results: ScimResponse[] = [];
    for (let round = 0; round < 6; round++) results.push(...(await Promise.all(Array.from({ length: 8 }, () => create()))));
    expect(statuses(results).filter((s) => s !== 201)).toEqual([]);
    const after = seen.mark();
    expect(after.requests - before.requests).toBe(48);
    expect(after.sockets - before.sockets).toBeLessThanOrEqual(8);
  });

  it('keeps working after its 413s: a connection with an unread body is not reused', async () => {
    const big = JSON.stringify({ schemas: [CORE], userName: 'big@example.org', displayName: 'x'.repeat(2 * 1024 * 1024) });
    const results: ScimResponse[] = [];
    for (let i = 0; i < 3; i++) {
      results.push(await scimRequest(nginx.base, { method: 'POST', path: '/Users', token, raw: big }));
      results.push(await create());
    }
    expect(statuses(results)).toEqual([413, 201, 413, 201, 413, 201]);
    expect(results[0]!.body).toMatchObject({ schemas: [ERROR_URN], status: '413' });
  });

  it('after an idle period nginx has closed the connection itself, and the next POST gets a new one', async () => {
    // A second nginx whose keepalive_timeout is shortened, so an idle period fits in a test.
    const earlier = new Set(seen.sockets);
    const impatient = await startMailcowNginx(socket, {
      upstream: (text) => text.replace(/keepalive_timeout \d+s;/, `keepalive_timeout ${SHORT_NGINX_IDLE_S}s;`),
    });
    try {
      const first = await create(impatient);
      expect(first.status).toBe(201);
      // The connections this nginx opened (its start-up probe's, reused by the POST).
      const used = [...seen.sockets].filter((s) => !earlier.has(s));
      expect(used.length).toBeGreaterThan(0);
      // nginx's keepalive_timeout passes; the sidecar's own is 75 s, so whatever closes these
      // connections now is nginx.
      await waitFor('nginx to close its idle upstream connections', async () => used.every((s) => seen.closed.has(s)), 20_000, 100);
      expect(used.every((s) => seen.closedByNginx.has(s))).toBe(true);
      const before = seen.mark();
      const after = await Promise.all([create(impatient), create(impatient), create(impatient)]);
      expect(statuses(after)).toEqual([201, 201, 201]);
      expect(seen.mark().sockets).toBeGreaterThan(before.sockets);
    } finally {
      await impatient.stop();
    }
  });

  it('on SIGTERM answers the POSTs in flight, and the next request gets the SCIM 502 as before', async () => {
    const sidecar = t!;
    // Hold every create inside the database until the drain has begun.
    const lock = await sidecar.db.pool.getConnection();
    await lock.query('LOCK TABLES mailbox WRITE');
    const inFlight = Array.from({ length: 6 }, () => create());
    await waitFor('six creates waiting in the database', async () => (await waitingStatements(sidecar)) >= 6, 20_000, 50);
    const server = seen.server!;
    const stopping = sidecar.stop();
    t = undefined;
    await waitFor('the socket server to stop listening', async () => !server.listening, 20_000, 20);
    // A request that arrives while the drain runs.
    const next = await create();
    const logged = (await nginx.accessLog()).length;
    await lock.query('UNLOCK TABLES');
    lock.release();
    const answered = await Promise.all(inFlight);
    expect(statuses(answered)).toEqual([201, 201, 201, 201, 201, 201]);
    // Each answer closes its connection, so nginx does not pool one the drain then sweeps away.
    await waitFor('nginx to log the answers', async () => (await nginx.accessLog()).length >= logged + 6, 10_000, 20);
    const lines = (await nginx.accessLog()).slice(logged).filter((l) => l.includes(' 201 '));
    expect(lines).toEqual(Array.from({ length: 6 }, () => 'POST /scim/v2/Users 201 upstream_connection=close'));
    expect(next.status).toBe(502);
    expect(next.body).toMatchObject({ schemas: [ERROR_URN], status: '502' });
    await stopping;
    const after = await create();
    expect(after.status).toBe(502);
    expect(after.body).toMatchObject({ schemas: [ERROR_URN], status: '502' });
    expect(nginx.process.exitCode).toBeNull();
  });
});
