/**
 * refreshSogoViewRow writes the row mailcow's update_sogo_static_view() writes for one mailbox
 * (docs/mailcow-facts.md §2.6, A.4), though it reads the views differently (see sogo-view.ts):
 * here its row is compared with mailcow's own INSERT … SELECT run into a scratch copy of the table.
 */
import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { refreshSogoViewRow, SOGO_STATIC_PASSWORD, upsertActiveSogoViewRowReadCommitted } from '../../../server/src/mailcow/sogo-view.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ domains: [{ domain: 'example.org' }] });
  const mailbox = (u: string, active = 1) =>
    db.pool.execute(`INSERT INTO mailbox (username, password, name, local_part, domain, attributes, active) VALUES (?, '', ?, ?, 'example.org', '{}', ?)`, [u, `Name ${u}`, u.slice(0, u.indexOf('@')), active]);
  for (const u of ['a@example.org', 'b@example.org', 'plain@example.org']) await mailbox(u);
  await mailbox('off@example.org', 2);
  await db.pool.query(
    `INSERT INTO alias (address, goto, domain, active, sogo_visible) VALUES
      ('a@example.org', 'a@example.org', 'example.org', 1, 1),
      ('sales@example.org', 'a@example.org', 'example.org', 1, 1),
      ('team@example.org', 'b@example.org,a@example.org', 'example.org', 1, 1),
      ('aa@example.org', 'aa@example.org', 'example.org', 1, 1),
      ('hidden@example.org', 'a@example.org', 'example.org', 1, 0),
      ('@catch.example.org', 'a@example.org', 'example.org', 1, 1)`,
  );
  await db.pool.query(`INSERT INTO alias_domain (alias_domain, target_domain) VALUES ('example.net', 'example.org')`);
  await db.pool.query(`INSERT INTO sender_acl (logged_in_as, send_as, external) VALUES ('a@example.org', 'ext@foreign.test', 1), ('a@example.org', 'in@example.org', 0)`);
  await db.pool.query(`CREATE TABLE mailcow_statement LIKE _sogo_static_view`);
});
afterAll(async () => {
  await db?.drop();
});

/** mailcow's statement for one mailbox, as data/web/inc/functions.inc.php runs it (A.4). */
async function mailcowRow(username: string): Promise<RowDataPacket | undefined> {
  await db.pool.execute(
    `INSERT INTO mailcow_statement (c_uid, domain, c_name, c_password, c_cn, mail, aliases, ad_aliases, ext_acl, kind, multiple_bookings)
     SELECT mailbox.username, mailbox.domain, mailbox.username, ?, mailbox.name, mailbox.username,
            IFNULL(GROUP_CONCAT(ga.aliases ORDER BY ga.aliases SEPARATOR ' '), ''),
            IFNULL(gda.ad_alias, ''), IFNULL(external_acl.send_as_acl, ''), mailbox.kind, mailbox.multiple_bookings
       FROM mailbox
       LEFT OUTER JOIN grouped_mail_aliases ga ON ga.username REGEXP CONCAT('(^|,)', mailbox.username, '($|,)')
       LEFT OUTER JOIN grouped_domain_alias_address gda ON gda.username = mailbox.username
       LEFT OUTER JOIN grouped_sender_acl_external external_acl ON external_acl.username = mailbox.username
      WHERE mailbox.active = '1' AND mailbox.username = ?
      GROUP BY mailbox.username`,
    [SOGO_STATIC_PASSWORD, username],
  );
  const [rows] = await db.pool.execute<RowDataPacket[]>(`SELECT * FROM mailcow_statement WHERE c_uid = ?`, [username]);
  return rows[0];
}

async function ourRow(username: string): Promise<RowDataPacket | undefined> {
  await refreshSogoViewRow(db.pool, username);
  const [rows] = await db.pool.execute<RowDataPacket[]>(`SELECT * FROM _sogo_static_view WHERE c_uid = ?`, [username]);
  return rows[0];
}

it.each(['a@example.org', 'b@example.org', 'plain@example.org', 'off@example.org'])('%s gets the row mailcow writes', async (username) => {
  expect(await ourRow(username)).toEqual(await mailcowRow(username));
});

it.each(['a@example.org', 'b@example.org', 'plain@example.org', 'off@example.org'])('%s: the one-statement upsert of a create writes the same row', async (username) => {
  for (const table of ['_sogo_static_view', 'mailcow_statement']) await db.pool.execute(`DELETE FROM ${table} WHERE c_uid = ?`, [username]);
  const conn = await db.pool.getConnection();
  try {
    await conn.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
    await conn.beginTransaction();
    await upsertActiveSogoViewRowReadCommitted(conn, username);
    await conn.commit();
  } finally {
    conn.release();
  }
  const [rows] = await db.pool.execute<RowDataPacket[]>(`SELECT * FROM _sogo_static_view WHERE c_uid = ?`, [username]);
  expect(rows[0]).toEqual(await mailcowRow(username));
});

it('the multi-target and single-target aliases, the alias domain and the external sender ACL are in the row', async () => {
  const row = await ourRow('a@example.org');
  expect(row).toMatchObject({ aliases: 'sales@example.org team@example.org', ad_aliases: 'a@example.net', ext_acl: 'ext@foreign.test' });
});

it('a mailbox that is no longer active loses its row', async () => {
  await ourRow('plain@example.org');
  await db.pool.execute(`UPDATE mailbox SET active = 2 WHERE username = 'plain@example.org'`);
  expect(await ourRow('plain@example.org')).toBeUndefined();
});
