/**
 * Issue 15 item 4: a `kill -9` between a change's commit and its SOGo row left an active mailbox
 * that SOGo never shows, and neither a restart nor the IdP's next sync repaired it. The sidecar
 * runs as its own process; the test holds `_sogo_static_view` locked so that the upsert waits,
 * kills the process there, and drops the dead process's waiting statement as a crash before it
 * was sent would.
 * - A change whose SOGo row is post-commit work (a PATCH that reactivates a mailbox): after a
 *   restart the row must appear (the outbox row written with the change is done by the new
 *   process), as mailcow's refresh would write it.
 * - A create writes its new mailbox's row inside its transaction: killed while that upsert waits,
 *   nothing of the create is left, and the IdP's retry makes all of it.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshSogoViewRow } from '../../../server/src/mailcow/sogo-view.js';
import { scimClient } from '../../helpers/http.js';
import { partialMailboxes, rowsOf } from '../../helpers/mailcow-rows.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';
import { connectionsRunning, CORE_USER, issueToken, PATCH_OP, waitFor } from '../../helpers/process-fixture.js';
import { startSidecarProcess, type SidecarProcess } from '../../helpers/sidecar-process.js';

let db: TestDatabase;
let token: string;
const running: SidecarProcess[] = [];

const env = () => ({ MARIADB_URL: db.url, SCIM_OUTBOX_LEASE_MS: '1000', SCIM_OUTBOX_INTERVAL_MS: '200' });

beforeAll(async () => {
  db = await createTestDatabase({ domains: [{ domain: 'crash.org' }] });
});

afterAll(async () => {
  for (const p of running) await p.stop().catch(() => undefined);
  await db?.drop();
});

const sogoRow = async (user: string) => (await rowsOf(db.pool, `SELECT * FROM _sogo_static_view WHERE c_uid = ?`, [user]))[0];
const outboxEmpty = async () => {
  const [rows] = await db.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM mailcow_scim_outbox`);
  return Number(rows[0]!.n) === 0;
};

/**
 * Runs `send` with `_sogo_static_view` write-locked: once `ready` holds and the upsert waits for
 * the table, the process is killed and its waiting statement taken back. `send`'s request fails.
 */
async function killDuringSogoUpsert(p: SidecarProcess, send: () => Promise<unknown>, ready: () => Promise<boolean>): Promise<void> {
  let lock: PoolConnection | undefined = await db.pool.getConnection();
  try {
    await lock.query('LOCK TABLES _sogo_static_view WRITE');
    const request = send().catch((e: Error) => e);
    const waiting = await waitFor('the SOGo upsert to wait for the lock', async () => {
      const ids = await connectionsRunning(db.pool, db.name, 'INSERT INTO _sogo_static_view%');
      return ids.length && (await ready()) ? ids : undefined;
    });
    await p.kill9();
    // A statement the dead client had sent would still run once the lock is gone; a crash a moment
    // earlier would not have sent it. Take it back, as that crash would.
    for (const id of waiting) await db.pool.query(`KILL CONNECTION ${id}`).catch(() => undefined);
    await lock.query('UNLOCK TABLES');
    lock.release();
    lock = undefined;
    expect(await request).toBeInstanceOf(Error);
  } finally {
    if (lock) {
      await lock.query('UNLOCK TABLES').catch(() => undefined);
      lock.release();
    }
  }
}

describe('kill -9 between the commit and the SOGo row', () => {
  it('the restarted sidecar writes the SOGo row the killed one never wrote', async () => {
    const first = await startSidecarProcess(env());
    running.push(first);
    // The sidecar migrated the schema itself (so this test runs against any build, older ones too).
    token = await issueToken(db.pool, ['crash.org'], { migrate: false });
    const api = scimClient(first.baseUrl, token);
    const user = 'ghost@crash.org';
    const created = await api.post('/Users', { schemas: [CORE_USER], userName: user, displayName: 'Ghost' });
    expect(created.status, created.text).toBe(201);
    const off = await api.patch(`/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect(off.status, off.text).toBe(200);
    await waitFor('the deactivation to be done', async () => (await sogoRow(user)) === undefined && (await outboxEmpty()));

    // The reactivation is committed and its SOGo upsert is waiting for the table: kill the process now.
    await killDuringSogoUpsert(
      first,
      () => api.patch(`/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: true }] }),
      async () => (await rowsOf(db.pool, `SELECT 1 FROM mailbox WHERE username = ? AND active = 1`, [user])).length > 0,
    );

    expect(await rowsOf(db.pool, `SELECT active FROM mailbox WHERE username = ?`, [user])).toEqual([{ active: 1 }]);
    expect(await sogoRow(user)).toBeUndefined();

    const second = await startSidecarProcess(env());
    running.push(second);
    const row = await waitFor('the SOGo row after the restart', () => sogoRow(user), 15_000, 100);
    expect(row).toMatchObject({ c_uid: user, c_name: user, mail: user, c_cn: 'Ghost', domain: 'crash.org' });

    // Exactly what mailcow's refresh writes for the mailbox now.
    await db.pool.query(`DELETE FROM _sogo_static_view WHERE c_uid = ?`, [user]);
    await refreshSogoViewRow(db.pool, user);
    expect(await sogoRow(user)).toEqual(row);

    // The IdP's retry finds the user; nothing is left half-done and nothing is left to do.
    const retry = await scimClient(second.baseUrl, token).post('/Users', { schemas: [CORE_USER], userName: user, displayName: 'Ghost' });
    expect(retry.status).toBe(409);
    expect(await partialMailboxes(db.pool)).toEqual([]);
    await waitFor('the outbox to drain', outboxEmpty);
    await second.stop();
  });

  it('a create killed while it writes its SOGo row leaves nothing, and the retry makes all of it', async () => {
    const first = await startSidecarProcess(env());
    running.push(first);
    const api = scimClient(first.baseUrl, token);
    const user = 'phantom@crash.org';
    const body = { schemas: [CORE_USER], userName: user, displayName: 'Phantom' };

    // The upsert waits inside the create's transaction: from outside, no mailbox yet.
    await killDuringSogoUpsert(
      first,
      () => api.post('/Users', body),
      async () => (await rowsOf(db.pool, `SELECT 1 FROM mailbox WHERE username = ?`, [user])).length === 0,
    );
    expect(await rowsOf(db.pool, `SELECT 1 FROM mailbox WHERE username = ?`, [user])).toEqual([]);
    expect(await rowsOf(db.pool, `SELECT 1 FROM mailcow_scim_users WHERE mailbox = ?`, [user])).toEqual([]);
    expect(await sogoRow(user)).toBeUndefined();
    expect(await partialMailboxes(db.pool)).toEqual([]);

    const second = await startSidecarProcess(env());
    running.push(second);
    const retry = await scimClient(second.baseUrl, token).post('/Users', body);
    expect(retry.status, retry.text).toBe(201);
    // Written with the create, before its answer: exactly what mailcow's refresh writes.
    const row = await sogoRow(user);
    expect(row).toMatchObject({ c_uid: user, c_cn: 'Phantom', domain: 'crash.org' });
    await db.pool.query(`DELETE FROM _sogo_static_view WHERE c_uid = ?`, [user]);
    await refreshSogoViewRow(db.pool, user);
    expect(await sogoRow(user)).toEqual(row);
    expect(await partialMailboxes(db.pool)).toEqual([]);
    await waitFor('the outbox to drain', outboxEmpty);
  });
});
