/**
 * An image older than the database schema: a newer mailcow-scim migrated the tables, then this
 * one started (a rollback). It must refuse every write with a clear message, in the log,
 * /healthz, GetStatus, the SCIM answer, doctor and `migrate`, never touch the schema, and keep
 * serving reads.
 */
import { request } from 'node:http';
import { credentials } from '@grpc/grpc-js';
import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusServiceClient, type GetStatusResponse } from '../../../server/src/gen/mailcow/scim/v1/status.js';
import { runDoctor } from '../../../server/src/install/doctor.js';
import { SCHEMA_TARGET_VERSION } from '../../../server/src/mailcow/migrations.js';
import { scimClient } from '../../helpers/http.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { cli } from '../install/mailcow-tree.js';
import { freePort } from '../../helpers/free-port.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const AHEAD = SCHEMA_TARGET_VERSION + 1;
let db: TestDatabase;
let t: TestSidecar;
let metricsPort: number;
let token: string;
let userId: string;

function healthz(): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: metricsPort, path: '/healthz' }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function schemaVersion(): Promise<string> {
  const [rows] = await db.pool.query<RowDataPacket[]>(`SELECT value FROM mailcow_scim_meta WHERE name = 'schema_version'`);
  return String(rows[0]!.value);
}

beforeAll(async () => {
  db = await createTestDatabase({ domains: [{ domain: 'example.org' }] });
  // This build migrates and provisions a user, as it would have before the upgrade.
  const first = await startTestSidecar({ db });
  token = (await first.sidecar.tokens.create('idp', { domains: ['example.org'], defaultDomain: 'example.org' })).secret;
  const created = await scimClient(first.baseUrl, token).post('/Users', { schemas: [CORE], userName: 'ada@example.org' });
  expect(created.status).toBe(201);
  userId = created.body.id;
  await first.stop();
  // A newer mailcow-scim (9.1.0) ran and migrated; then the admin rolled back to this image.
  await db.pool.query(`UPDATE mailcow_scim_meta SET value = ? WHERE name = 'schema_version'`, [String(AHEAD)]);
  await db.pool.query(`UPDATE mailcow_scim_meta SET value = '9.1.0' WHERE name = 'schema_version_by'`);
  metricsPort = await freePort();
  t = await startTestSidecar({ db, env: { SCIM_METRICS_PORT: String(metricsPort) } });
});
afterAll(async () => {
  await t?.stop();
  await db?.drop();
});

describe('an image older than the database schema', () => {
  it('says so in its log at start, and leaves the schema alone', async () => {
    const line = t.logs.find((l) => l.level === 50 && String(l.msg).includes('newer than this mailcow-scim'));
    expect(line?.msg).toContain(`The mailcow_scim_* tables are at version ${AHEAD}`);
    expect(line?.msg).toContain('Run mailcow-scim 9.1.0 or newer');
    expect(await schemaVersion()).toBe(String(AHEAD));
  });

  it('refuses every write with that message, and keeps serving reads', async () => {
    const api = scimClient(t.baseUrl, token);
    const create = await api.post('/Users', { schemas: [CORE], userName: 'bob@example.org' });
    expect(create.status).toBe(503);
    expect(create.body.detail).toContain('SCIM writes are paused: The mailcow_scim_* tables are at version');
    expect(create.body.detail).toContain('Run mailcow-scim 9.1.0 or newer');
    const patch = await api.patch(`/Users/${userId}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect(patch.status).toBe(503);
    expect((await api.delete(`/Users/${userId}`)).status).toBe(503);
    expect((await api.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Sales' })).status).toBe(503);
    // Tokens are not written either (the admin page and the CLI go through the same store).
    await expect(t.sidecar.tokens.create('another', { domains: ['example.org'] })).rejects.toMatchObject({ status: 503 });

    const read = await api.get(`/Users/${userId}`);
    expect(read.status).toBe(200);
    expect(read.body.userName).toBe('ada@example.org');
    expect((await api.get('/Users?filter=userName%20eq%20%22ada@example.org%22')).body.totalResults).toBe(1);
    const [rows] = await db.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM mailbox WHERE username = 'bob@example.org'`);
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it('/healthz and GetStatus say why', async () => {
    const h = await healthz();
    expect(h.status).toBe(503);
    expect(h.body).toMatchObject({ status: 'degraded', database: { pluginSchemaAhead: true, pluginSchemaWriter: '9.1.0', writesAllowed: false } });
    expect(h.body.problem).toContain('refuses every write');
    const client = new StatusServiceClient(`unix://${t.rpcSocket}`, credentials.createInsecure());
    const s = await new Promise<GetStatusResponse>((resolve, reject) => client.getStatus({}, (err, r) => (err ? reject(err) : resolve(r))));
    client.close();
    expect(s.schema).toMatchObject({ pluginSchemaVersion: AHEAD, pluginSchemaTarget: SCHEMA_TARGET_VERSION, pluginSchemaAhead: true, pluginSchemaWriter: '9.1.0', writesAllowed: false });
    expect(s.schema!.problem).toContain('Run mailcow-scim 9.1.0 or newer');
  });

  it('doctor fails the schema check with the fix, and migrate refuses to roll anything back', async () => {
    const report = await runDoctor({ pool: t.db.pool, tokens: t.sidecar.tokens, config: { httpSocket: t.httpSocket, rpcSocket: t.rpcSocket, metricsPort } });
    const check = report.checks.find((c) => c.name === 'plugin schema current')!;
    expect(check).toMatchObject({ status: 'fail' });
    expect(check.detail).toContain(`at version ${AHEAD}, newer than this mailcow-scim`);
    expect(check.fix).toContain('run mailcow-scim 9.1.0 or newer');
    expect(check.fix).toContain('migrations are never rolled back');

    const out = await cli({ MARIADB_URL: db.url }, 'migrate');
    expect(out.code).toBe(1);
    expect(out.out).toContain(`plugin schema: version ${AHEAD} of ${SCHEMA_TARGET_VERSION}`);
    expect(out.out).toContain('refuses every write');
    expect(await schemaVersion()).toBe(String(AHEAD));
  });
});
