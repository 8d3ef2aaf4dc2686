/** Reads what mailcow itself would read for a mailbox, for assertions on real rows. */
import type { RowDataPacket } from 'mysql2';
import type { DatabasePool } from '../../server/src/mailcow/queryable.js';

export async function rowsOf(pool: DatabasePool, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const [rows] = await pool.query<RowDataPacket[]>(sql, params);
  return rows.map((r) => ({ ...r }));
}

export async function mailboxFootprint(pool: DatabasePool, username: string) {
  const one = async (sql: string) => (await rowsOf(pool, sql, [username]))[0];
  return {
    mailbox: await one(`SELECT * FROM mailbox WHERE username = ?`),
    quota2: await one(`SELECT * FROM quota2 WHERE username = ?`),
    quota2replica: await one(`SELECT * FROM quota2replica WHERE username = ?`),
    selfAlias: await one(`SELECT * FROM alias WHERE address = ? AND goto = address`),
    userAcl: await one(`SELECT * FROM user_acl WHERE username = ?`),
    tags: (await rowsOf(pool, `SELECT tag_name FROM tags_mailbox WHERE username = ? ORDER BY tag_name`, [username])).map((r) => r.tag_name),
    sogo: await one(`SELECT * FROM _sogo_static_view WHERE c_uid = ?`),
    aliases: await rowsOf(pool, `SELECT address, goto, active FROM alias WHERE goto = ? AND address <> goto ORDER BY address`, [username]),
  };
}
