/**
 * A deactivation removes the mailbox's SOGo row inside its transaction (mailbox-rows.ts). A
 * refresh of the same mailbox running after another change's commit may have read the mailbox
 * as active before the deactivation committed; its upsert must not bring the row back after it
 * (sogo-view.ts: the upsert reads the mailbox row again, current, and writes only while it is
 * active). The interleaving is forced here: the deactivation holds its locks until the refresh's
 * read is done and its write waits. The same for the batch refresh of many mailboxes (a group
 * alias change, the outbox's rows of several mailboxes), whose other mailboxes still get theirs.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { refreshSogoViewRow, refreshSogoViewRows, removeSogoViewRow } from '../../../server/src/mailcow/sogo-view.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';
import { connectionsRunning, waitFor } from '../../helpers/process-fixture.js';

let db: TestDatabase;
const user = 'racer@race.org';
const bystanders = ['alpha@race.org', 'zulu@race.org'];

beforeAll(async () => {
  db = await createTestDatabase({ domains: [{ domain: 'race.org' }] });
  for (const u of [user, ...bystanders]) {
    const local = u.split('@')[0]!;
    await db.pool.execute(`INSERT INTO mailbox (username, password, name, local_part, domain, attributes, active) VALUES (?, '', ?, ?, 'race.org', '{}', 1)`, [u, local, local]);
    await db.pool.execute(`INSERT INTO alias (address, goto, domain, active) VALUES (?, ?, 'race.org', 1)`, [u, u]);
  }
});
afterAll(async () => {
  await db?.drop();
});

const sogoRows = async () => (await db.pool.query<RowDataPacket[]>(`SELECT c_uid FROM _sogo_static_view WHERE c_uid = ?`, [user]))[0];
const allSogoRows = async () => (await db.pool.query<RowDataPacket[]>(`SELECT c_uid FROM _sogo_static_view ORDER BY c_uid`))[0].map((r) => String(r.c_uid));

/**
 * Runs `refresh` while a deactivation of `user`, as a PATCH makes it, is not yet committed: the
 * mailbox row locked, the SOGo row gone. The refresh's plain SELECT still sees the mailbox
 * active; once its upsert waits for the deactivation's locks, the deactivation commits.
 */
async function duringDeactivation(refresh: () => Promise<void>): Promise<void> {
  let change: PoolConnection | undefined = await db.pool.getConnection();
  try {
    await change.beginTransaction();
    await change.query(`SELECT username FROM mailbox WHERE username = ? FOR UPDATE`, [user]);
    await change.query(`UPDATE mailbox SET active = 2 WHERE username = ?`, [user]);
    await removeSogoViewRow(change, user);
    const refreshing = refresh();
    await waitFor('the refresh to wait at its upsert', async () => ((await connectionsRunning(db.pool, db.name, 'INSERT INTO _sogo_static_view%')).length ? true : undefined));
    await change.commit();
    change.release();
    change = undefined;
    await refreshing;
  } finally {
    if (change) {
      await change.rollback().catch(() => undefined);
      change.release();
    }
  }
}

it('a refresh that read the mailbox as active before a deactivation committed leaves no row behind', async () => {
  await refreshSogoViewRow(db.pool, user);
  expect(await sogoRows()).toHaveLength(1);

  await duringDeactivation(() => refreshSogoViewRow(db.pool, user));
  expect(await sogoRows()).toEqual([]);
  // Active again, the refresh writes the row as before.
  await db.pool.execute(`UPDATE mailbox SET active = 1 WHERE username = ?`, [user]);
  await refreshSogoViewRow(db.pool, user);
  expect(await sogoRows()).toHaveLength(1);
});

it('the batch refresh that read the mailbox as active before a deactivation committed leaves no row for it, and writes the others', async () => {
  await db.pool.execute(`UPDATE mailbox SET active = 1 WHERE username = ?`, [user]);
  await refreshSogoViewRows(db.pool, [user, ...bystanders]);
  expect(await allSogoRows()).toEqual([...bystanders, user].sort());
  await db.pool.query(`DELETE FROM _sogo_static_view WHERE c_uid IN (?)`, [bystanders]);

  await duringDeactivation(() => refreshSogoViewRows(db.pool, [bystanders[0]!, user, bystanders[1]!]));
  expect(await allSogoRows()).toEqual(bystanders);
  // Active again, the batch writes its row as before.
  await db.pool.execute(`UPDATE mailbox SET active = 1 WHERE username = ?`, [user]);
  await refreshSogoViewRows(db.pool, [user, ...bystanders]);
  expect(await allSogoRows()).toEqual([...bystanders, user].sort());
});
