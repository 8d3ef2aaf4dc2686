/**
 * refreshSogoViewRows (many mailboxes per statement, used when a group alias changes the rows of
 * all its members) writes exactly the rows refreshSogoViewRow writes one by one, which
 * sogo-view.test.ts compares with mailcow's own statement.
 */
import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { refreshSogoViewRow, refreshSogoViewRows } from '../../../server/src/mailcow/sogo-view.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';

let db: TestDatabase;
const users = Array.from({ length: 230 }, (_, i) => `u${i}@example.org`);

beforeAll(async () => {
  db = await createTestDatabase({ domains: [{ domain: 'example.org' }] });
  for (const [i, u] of users.entries()) {
    await db.pool.execute(`INSERT INTO mailbox (username, password, name, local_part, domain, attributes, active) VALUES (?, '', ?, ?, 'example.org', '{}', ?)`, [u, `Name ${i}`, u.slice(0, u.indexOf('@')), i % 7 === 0 ? 2 : 1]);
  }
  await db.pool.query(`INSERT INTO alias (address, goto, domain, active, sogo_visible) VALUES ('all@example.org', ?, 'example.org', 1, 1), ('few@example.org', 'u1@example.org,u2@example.org', 'example.org', 1, 1), ('u1.alt@example.org', 'u1@example.org', 'example.org', 1, 1), ('off@example.org', 'u3@example.org', 'example.org', 0, 1)`, [users.join(',')]);
  await db.pool.query(`INSERT INTO alias_domain (alias_domain, target_domain) VALUES ('example.net', 'example.org')`);
  await db.pool.query(`INSERT INTO sender_acl (logged_in_as, send_as, external) VALUES ('u1@example.org', 'ext@foreign.test', 1)`);
});
afterAll(async () => {
  await db?.drop();
});

async function table(): Promise<RowDataPacket[]> {
  const [rows] = await db.pool.query<RowDataPacket[]>(`SELECT * FROM _sogo_static_view ORDER BY c_uid`);
  return rows;
}

it('writes the same rows as one-by-one refreshes, in batches, and removes rows of inactive mailboxes', async () => {
  for (const u of users) await refreshSogoViewRow(db.pool, u);
  const oneByOne = await table();
  expect(oneByOne).toHaveLength(users.length - Math.ceil(users.length / 7));
  expect(oneByOne.find((r) => r.c_uid === 'u1@example.org')).toMatchObject({ aliases: 'all@example.org few@example.org u1.alt@example.org', ad_aliases: 'u1@example.net', ext_acl: 'ext@foreign.test' });

  await db.pool.query(`DELETE FROM _sogo_static_view`);
  // Rows of mailboxes that are no longer active go, as refreshSogoViewRow deletes them.
  await db.pool.query(`INSERT INTO _sogo_static_view (c_uid, domain, c_name, c_password, c_cn, mail, aliases, kind) VALUES ('u0@example.org', 'example.org', 'x', '', 'x', 'x', 'stale', '')`);
  await refreshSogoViewRows(db.pool, [...users, users[5]!]);
  expect(await table()).toEqual(oneByOne);
});
