/**
 * Two sidecars on one database (issue 15, "Also build": the compose `scale` case, or Galera
 * behind mailcow), each its own process: started at the same moment on an empty plugin schema
 * they migrate once (the lease, migration-lock.ts); concurrent group PATCHes split across both
 * lose no member; a token revoked through one stops working on the other within the token
 * cache's second (docs/architecture.md §8.2).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenServiceClient, type RevokeTokenRequest, type RevokeTokenResponse } from '../../../server/src/gen/mailcow/scim/v1/token.js';
import { MIGRATIONS } from '../../../server/src/mailcow/migrations.js';
import { scimClient } from '../../helpers/http.js';
import { partialMailboxes, rowsOf } from '../../helpers/mailcow-rows.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';
import { CORE_GROUP, CORE_USER, issueToken, PATCH_OP, tokenService } from '../../helpers/process-fixture.js';
import { startSidecarProcess, type SidecarProcess } from '../../helpers/sidecar-process.js';

const D = 'replica.org';
let db: TestDatabase;
let dir: string;
let a: SidecarProcess;
let b: SidecarProcess;

beforeAll(async () => {
  db = await createTestDatabase({ domains: [{ domain: D, mailboxes: 500, defquotaMiB: 1, maxquotaMiB: 10, quotaMiB: 1_000_000 }] });
  dir = await mkdtemp(join(tmpdir(), 'mcs-replicas-'));
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()].map((p) => p?.catch(() => undefined)));
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

const env = (name: string) => ({ MARIADB_URL: db.url, LOG_LEVEL: 'info', SCIM_RPC_SOCKET: join(dir, `${name}.sock`) });

describe('two sidecars on one database', () => {
  it('both starting at once on an empty plugin schema: every migration is applied exactly once', async () => {
    expect(await rowsOf(db.pool, `SHOW TABLES LIKE 'mailcow\\_scim\\_%'`)).toEqual([]);
    [a, b] = await Promise.all([startSidecarProcess(env('a')), startSidecarProcess(env('b'))]);
    const migrated = [a, b].map((p) => p.logs.filter((l) => l.msg === 'plugin schema migrated'));
    // One of them did the work, the other waited for the lease and found it done.
    expect(migrated.map((m) => m.length).sort()).toEqual([0, 1]);
    expect(migrated.flat()[0]!.applied).toEqual(MIGRATIONS.map((m) => `${m.version}: ${m.name}`));
    const meta = await rowsOf(db.pool, `SELECT name FROM mailcow_scim_meta WHERE name LIKE 'migration:%' ORDER BY name`);
    expect(meta.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => `migration:${String(m.version).padStart(4, '0')}`));
    expect(await rowsOf(db.pool, `SELECT value FROM mailcow_scim_meta WHERE name = 'schema_version'`)).toEqual([{ value: String(MIGRATIONS.length) }]);
    // The lease is free again.
    expect(await rowsOf(db.pool, `SELECT name, owner FROM mailcow_scim_lock`)).toEqual([{ name: 'migrate', owner: null }]);
  });

  it('concurrent member PATCHes of one group, half through each replica, lose no member', async () => {
    const token = await issueToken(db.pool, [D], { name: 'groups', migrate: false });
    const apis = [scimClient(a.baseUrl, token), scimClient(b.baseUrl, token)];
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const r = await apis[i % 2]!.post('/Users', { schemas: [CORE_USER], userName: `m${String(i).padStart(2, '0')}@${D}` });
      expect(r.status, r.text).toBe(201);
      ids.push(r.body.id);
    }
    const g = await apis[0]!.post('/Groups', { schemas: [CORE_GROUP], displayName: 'Everyone', address: `everyone@${D}`, members: ids.slice(0, 20).map((value) => ({ value })) });
    expect(g.status, g.text).toBe(201);
    const path = `/Groups/${g.body.id}`;
    // All at once: add m20..m59 one by one, remove m00..m09 one by one, alternating replicas.
    const ops = [
      ...ids.slice(20).map((value) => ({ op: 'add', path: 'members', value: [{ value }] })),
      ...ids.slice(0, 10).map((value) => ({ op: 'remove', path: `members[value eq "${value}"]` })),
    ];
    const answers = await Promise.all(ops.map((op, i) => apis[i % 2]!.patch(path, { schemas: [PATCH_OP], Operations: [op] })));
    expect(answers.filter((r) => r.status !== 200 && r.status !== 204).map((r) => `${r.status} ${r.text}`)).toEqual([]);

    const expected = ids.slice(10).sort();
    for (const api of apis) {
      const got = await api.get(path);
      expect((got.body.members as { value: string }[]).map((m) => m.value).sort()).toEqual(expected);
    }
    expect((await rowsOf(db.pool, `SELECT user_id FROM mailcow_scim_group_members WHERE group_id = ? ORDER BY user_id`, [g.body.id])).map((r) => r.user_id)).toEqual(expected);
    const [alias] = await rowsOf(db.pool, `SELECT goto FROM alias WHERE address = ?`, [`everyone@${D}`]);
    const mailboxes = Array.from({ length: 50 }, (_, i) => `m${String(i + 10).padStart(2, '0')}@${D}`);
    expect(String(alias!.goto).split(',').sort()).toEqual(mailboxes);
    // Every member's SOGo row lists the group address, and no former member's does.
    const listed = await rowsOf(db.pool, `SELECT c_uid FROM _sogo_static_view WHERE CONCAT(' ', aliases, ' ') LIKE ? ORDER BY c_uid`, [`% everyone@${D} %`]);
    expect(listed.map((r) => r.c_uid)).toEqual(mailboxes);
    expect(await partialMailboxes(db.pool)).toEqual([]);
  });

  it('a token revoked through one replica is refused by the other within the token cache time', async () => {
    const issued = await tokenService(db.pool).create('revoked', { domains: [D] });
    const onA = scimClient(a.baseUrl, issued.secret);
    const onB = scimClient(b.baseUrl, issued.secret);
    expect((await onA.get('/Users?count=1')).status).toBe(200);
    expect((await onB.get('/Users?count=1')).status).toBe(200);

    // B keeps the token in its cache meanwhile: a request every 50 ms.
    let stop = false;
    let revokedAt = 0;
    let refusedOnBAt = 0;
    const keepUsing = (async () => {
      while (!stop) {
        const r = await onB.get('/Users?count=1');
        if (revokedAt && r.status === 401) {
          refusedOnBAt = Date.now();
          return;
        }
        expect(r.status).toBe(200);
        await new Promise((res) => setTimeout(res, 50));
      }
    })();
    await new Promise((r) => setTimeout(r, 300));

    const client = new TokenServiceClient(`unix://${join(dir, 'a.sock')}`, credentials.createInsecure());
    try {
      await new Promise<RevokeTokenResponse>((resolve, reject) =>
        client.revokeToken({ id: issued.token.id } as RevokeTokenRequest, new Metadata(), (e: ServiceError | null, r: RevokeTokenResponse) => (e ? reject(e) : resolve(r))),
      );
    } finally {
      client.close();
    }
    revokedAt = Date.now();
    // The replica that revoked it refuses it at once.
    expect((await onA.get('/Users?count=1')).status).toBe(401);
    const timeout = setTimeout(() => (stop = true), 5_000);
    await keepUsing;
    clearTimeout(timeout);
    expect(refusedOnBAt, 'the other replica never refused the revoked token').toBeGreaterThan(0);
    // The bound is the cache's one second (docs/architecture.md §8.2), with slack for a loaded machine.
    expect(refusedOnBAt - revokedAt).toBeLessThan(2_500);
    console.log(`token revoked through replica A: refused by replica B after ${refusedOnBAt - revokedAt} ms (cache: 1 s)`);
  });
});
