/**
 * Held writes (server/src/mailcow/statement-batch.ts) on the real MariaDB: they run in order
 * before the read that sends them, a failing one fails that read with the driver's error and
 * takes the whole change back, values go through the driver's escaping however they look, and
 * a connection that does not allow multi-statement queries runs every write at once.
 */
import type { RowDataPacket } from 'mysql2';
import type { Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../../server/src/mailcow/pool.js';
import { isDuplicateKeyError } from '../../../server/src/mailcow/sql-errors.js';
import { writeLater } from '../../../server/src/mailcow/statement-batch.js';
import { withTransaction } from '../../../server/src/mailcow/transaction.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';
import { statementLog } from '../../helpers/statement-log.js';

let db: TestDatabase;
let batching: Pool;
const sql = statementLog();

beforeAll(async () => {
  db = await createTestDatabase({ mailcow: false });
  await db.pool.query('CREATE TABLE t (k VARCHAR(64) PRIMARY KEY, v TEXT) ENGINE=InnoDB');
  batching = createPool(db.url, { connectionLimit: 2, multipleStatements: true });
});
afterAll(async () => {
  sql.stop();
  await batching?.end();
  await db?.drop();
});

async function rows(): Promise<Record<string, string>> {
  const [r] = await db.pool.query<RowDataPacket[]>('SELECT k, v FROM t ORDER BY k');
  return Object.fromEntries(r.map((x) => [String(x.k), String(x.v)]));
}

async function clear(): Promise<void> {
  await db.pool.query('DELETE FROM t');
}

describe('held writes', () => {
  it('go with the next read, in order, and the read answers as itself', async () => {
    await clear();
    sql.start();
    const seen = await withTransaction(
      batching,
      async (conn) => {
        await writeLater(conn, 'INSERT INTO t (k, v) VALUES (?, ?)', ['a', '1']);
        await writeLater(conn, 'UPDATE t SET v = ? WHERE k = ?', ['2', 'a']);
        await writeLater(conn, 'INSERT INTO t (k, v) VALUES ?', [[['b', 'x'], ['c', 'y']]], 'query');
        const [r] = await conn.execute<RowDataPacket[]>('SELECT k, v FROM t WHERE k IN (?, ?, ?) ORDER BY k', ['a', 'b', 'c']);
        await writeLater(conn, 'DELETE FROM t WHERE k = ?', ['c']);
        return r.map((x) => `${x.k}=${x.v}`);
      },
      { batchWrites: true },
    );
    sql.stop();
    expect(seen).toEqual(['a=2', 'b=x', 'c=y']);
    expect(await rows()).toEqual({ a: '2', b: 'x' });
    // START and three writes with the read; the DELETE with the COMMIT.
    expect(sql.roundTrips.map((t) => t.length)).toEqual([5, 2]);
    expect(sql.roundTrips[1]!.at(-1)).toBe('COMMIT');
  });

  it('a failing held write fails the read that sends it, with the driver’s error, and nothing of the change stays', async () => {
    await clear();
    await db.pool.query(`INSERT INTO t (k, v) VALUES ('taken', 'old')`);
    let error: unknown;
    await withTransaction(
      batching,
      async (conn) => {
        await writeLater(conn, 'INSERT INTO t (k, v) VALUES (?, ?)', ['first', 'new']);
        await writeLater(conn, 'INSERT INTO t (k, v) VALUES (?, ?)', ['taken', 'new']);
        await writeLater(conn, 'INSERT INTO t (k, v) VALUES (?, ?)', ['after', 'new']);
        try {
          await conn.query('SELECT 1');
        } catch (e) {
          error = e;
          throw e;
        }
      },
      { batchWrites: true, attempts: 1 },
    ).catch(() => undefined);
    expect(isDuplicateKeyError(error)).toBe(true);
    expect(await rows()).toEqual({ taken: 'old' });
    // The connection is whole again: the next change on the same pool works.
    await withTransaction(batching, async (conn) => writeLater(conn, 'INSERT INTO t (k, v) VALUES (?, ?)', ['next', 'ok']), { batchWrites: true });
    expect(await rows()).toEqual({ next: 'ok', taken: 'old' });
  });

  it('a failing write held until the COMMIT rolls the change back too', async () => {
    await clear();
    await db.pool.query(`INSERT INTO t (k, v) VALUES ('taken', 'old')`);
    const result = await withTransaction(
      batching,
      async (conn) => {
        await writeLater(conn, 'INSERT INTO t (k, v) VALUES (?, ?)', ['first', 'new']);
        await writeLater(conn, 'INSERT INTO t (k, v) VALUES (?, ?)', ['taken', 'new']);
      },
      { batchWrites: true, attempts: 1 },
    ).then(
      () => 'committed',
      (e: unknown) => (e as { code?: string }).code,
    );
    expect(result).toBe('uniqueness');
    expect(await rows()).toEqual({ taken: 'old' });
  });

  it('a change that fails before any read sends nothing', async () => {
    await clear();
    sql.start();
    await withTransaction(
      batching,
      async (conn) => {
        await writeLater(conn, 'INSERT INTO t (k, v) VALUES (?, ?)', ['never', 'sent']);
        throw new Error('refused before any read');
      },
      { batchWrites: true, attempts: 1 },
    ).catch(() => undefined);
    sql.stop();
    expect(sql.roundTrips).toEqual([]);
    expect(await rows()).toEqual({});
  });

  it('values are escaped by the driver, whatever they hold', async () => {
    await clear();
    const hostile = ["x'); DROP TABLE t; --", 'a;\nb', 'back\\slash', '"quoted"', '\u0000nul', 'ünïcödé 📨', ';\nCOMMIT;\nINSERT INTO t VALUES (1,2)'];
    await withTransaction(
      batching,
      async (conn) => {
        for (const [i, v] of hostile.entries()) await writeLater(conn, 'INSERT INTO t (k, v) VALUES (?, ?)', [`k${i}`, v]);
      },
      { batchWrites: true },
    );
    expect(Object.values(await rows())).toEqual(hostile);
  });

  it('without multi-statement queries every write runs at once', async () => {
    await clear();
    sql.start();
    await withTransaction(
      db.pool,
      async (conn) => {
        await writeLater(conn, 'INSERT INTO t (k, v) VALUES (?, ?)', ['a', '1']);
        await writeLater(conn, 'INSERT INTO t (k, v) VALUES (?, ?)', ['b', '2']);
      },
      { batchWrites: true },
    );
    sql.stop();
    expect(sql.roundTrips.every((t) => t.length === 1)).toBe(true);
    expect(sql.roundTrips.length).toBe(4);
    expect(await rows()).toEqual({ a: '1', b: '2' });
  });
});
