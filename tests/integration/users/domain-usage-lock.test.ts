/**
 * A create locks the domain row and reads mailcow's limit count (COUNT/SUM over the domain's user
 * mailboxes) in one statement (domains.ts lockDomainWithUsage). That is exact only if the count is
 * read after the lock is granted, with a snapshot taken then, and if it locks no mailbox: these
 * tests hold a concurrent create's lock open and check both, without timing anything.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { domainUsage, lockDomain, lockDomainWithUsage } from '../../../server/src/mailcow/domains.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';

const DOMAIN = 'count.org';
let db: TestDatabase;

async function addMailbox(conn: PoolConnection | TestDatabase['pool'], local: string, quota: number, kind = ''): Promise<void> {
  await conn.query(
    `INSERT INTO mailbox (username, password, name, quota, local_part, domain, attributes, authsource, active, kind) VALUES (?, '', ?, ?, ?, ?, '{}', 'mailcow', 1, ?)`,
    [`${local}@${DOMAIN}`, local, quota, local, DOMAIN, kind],
  );
}

async function readCommittedTx(): Promise<PoolConnection> {
  const conn = await db.pool.getConnection();
  await conn.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
  await conn.beginTransaction();
  return conn;
}

async function threadId(conn: PoolConnection): Promise<number> {
  const [rows] = await conn.query<RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
  return Number(rows[0]!.id);
}

/** Resolves once the connection's transaction waits for a row lock. */
async function untilLockWait(id: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const [rows] = await db.pool.query<RowDataPacket[]>(`SELECT trx_state FROM information_schema.innodb_trx WHERE trx_mysql_thread_id = ?`, [id]);
    if (rows[0]?.trx_state === 'LOCK WAIT') return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`connection ${id} never waited for a lock`);
}

beforeAll(async () => {
  db = await createTestDatabase({ domains: [{ domain: DOMAIN, mailboxes: 100, quotaMiB: 100_000 }] });
  await addMailbox(db.pool, 'a', 1000);
  await addMailbox(db.pool, 'b', 2000);
  // mailcow counts user mailboxes only.
  await addMailbox(db.pool, 'room', 4000, 'location');
});
afterAll(async () => db?.drop());

describe('the domain lock and the limit count in one statement', () => {
  it('gives what the lock and the count give one after the other', async () => {
    const conn = await readCommittedTx();
    try {
      const one = await lockDomainWithUsage(conn, DOMAIN);
      expect(one).toEqual({ domain: await lockDomain(conn, DOMAIN), usage: await domainUsage(conn, DOMAIN) });
      expect(one!.usage).toEqual({ mailboxes: 2, quotaBytes: 3000 });
      expect(await lockDomainWithUsage(conn, 'absent.org')).toBeUndefined();
    } finally {
      await conn.rollback();
      conn.release();
    }
  });

  it('counts the mailbox of a create that held the lock while it waited', async () => {
    const first = await readCommittedTx();
    const second = await readCommittedTx();
    try {
      await addMailbox(first, 'c', 500);
      await lockDomain(first, DOMAIN);
      const secondId = await threadId(second);
      const waiting = lockDomainWithUsage(second, DOMAIN);
      await untilLockWait(secondId);
      await first.commit();
      expect((await waiting)!.usage).toEqual({ mailboxes: 3, quotaBytes: 3500 });
    } finally {
      await first.rollback().catch(() => undefined);
      await second.rollback();
      first.release();
      second.release();
    }
  });

  it('locks the domain row only: the mailboxes stay free for others to change and add', async () => {
    const holder = await readCommittedTx();
    const other = await db.pool.getConnection();
    try {
      await lockDomainWithUsage(holder, DOMAIN);
      await other.query('SET SESSION innodb_lock_wait_timeout = 1');
      await other.query(`UPDATE mailbox SET name = 'renamed' WHERE username = ?`, [`a@${DOMAIN}`]);
      await addMailbox(other, 'd', 100);
      // The domain row itself is held.
      await other.beginTransaction();
      await expect(other.query(`SELECT domain FROM domain WHERE domain = ? FOR UPDATE`, [DOMAIN])).rejects.toMatchObject({ errno: 1205 });
      await other.rollback();
    } finally {
      await holder.rollback();
      await other.query('SET SESSION innodb_lock_wait_timeout = DEFAULT');
      holder.release();
      other.release();
    }
  });
});
