/**
 * A deactivation removes the mailbox's SOGo row inside its transaction (mailbox-rows.ts). A
 * refresh of the same mailbox running after another change's commit may have read the mailbox
 * as active before the deactivation committed; its upsert must not bring the row back after it
 * (sogo-view.ts: the upsert reads the mailbox row again, current, and writes only while it is
 * active). The interleaving is forced here: the deactivation holds its locks until the refresh's
 * read is done and its write waits.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { refreshSogoViewRow, removeSogoViewRow } from '../../../server/src/mailcow/sogo-view.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';
import { connectionsRunning, waitFor } from '../../helpers/process-fixture.js';

let db: TestDatabase;
const user = 'racer@race.org';

beforeAll(async () => {
  db = await createTestDatabase({ domains: [{ domain: 'race.org' }] });
  await db.pool.execute(`INSERT INTO mailbox (username, password, name, local_part, domain, attributes, active) VALUES (?, '', 'Racer', 'racer', 'race.org', '{}', 1)`, [user]);
  await db.pool.execute(`INSERT INTO alias (address, goto, domain, active) VALUES (?, ?, 'race.org', 1)`, [user, user]);
});
afterAll(async () => {
  await db?.drop();
});

const sogoRows = async () => (await db.pool.query<RowDataPacket[]>(`SELECT c_uid FROM _sogo_static_view WHERE c_uid = ?`, [user]))[0];

it('a refresh that read the mailbox as active before a deactivation committed leaves no row behind', async () => {
  await refreshSogoViewRow(db.pool, user);
  expect(await sogoRows()).toHaveLength(1);

  let change: PoolConnection | undefined = await db.pool.getConnection();
  try {
    // The deactivation as a PATCH makes it, not yet committed: the mailbox row locked, the SOGo row gone.
    await change.beginTransaction();
    await change.query(`SELECT username FROM mailbox WHERE username = ? FOR UPDATE`, [user]);
    await change.query(`UPDATE mailbox SET active = 2 WHERE username = ?`, [user]);
    await removeSogoViewRow(change, user);

    // Another change's refresh: its plain SELECT still sees the mailbox active (the deactivation is
    // not committed); its upsert then has to wait for the deactivation's locks.
    const refresh = refreshSogoViewRow(db.pool, user);
    await waitFor('the refresh to wait at its upsert', async () => ((await connectionsRunning(db.pool, db.name, 'INSERT INTO _sogo_static_view%')).length ? true : undefined));
    await change.commit();
    change.release();
    change = undefined;
    await refresh;
  } finally {
    if (change) {
      await change.rollback().catch(() => undefined);
      change.release();
    }
  }
  expect(await sogoRows()).toEqual([]);
  // Active again, the refresh writes the row as before.
  await db.pool.execute(`UPDATE mailbox SET active = 1 WHERE username = ?`, [user]);
  await refreshSogoViewRow(db.pool, user);
  expect(await sogoRows()).toHaveLength(1);
});
