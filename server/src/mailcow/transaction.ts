import type { Pool, PoolConnection } from 'mysql2/promise';
import { isRetryableSqlError, translateSqlError } from './sql-errors.js';
import { batchingConnection, canBatch } from './statement-batch.js';

export interface TransactionOptions {
  /** Attempts for deadlocks / Galera certification failures (docs/architecture.md §8). */
  attempts?: number;
  /** READ COMMITTED for this transaction only (default: the server's, REPEATABLE READ). */
  readCommitted?: boolean;
  /**
   * Hold the change's writes back and send them with its next read or its COMMIT
   * (statement-batch.ts), on a connection that allows it; elsewhere the option does nothing.
   */
  batchWrites?: boolean;
}

/**
 * Runs `fn` inside one transaction on one connection: one transaction per SCIM change,
 * so a mailbox is never half-written. Deadlocks and Galera certification failures re-run
 * the whole function; any other error rolls back and is rethrown as a ScimError.
 */
export async function withTransaction<T>(
  pool: Pool,
  fn: (conn: PoolConnection) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    let conn: PoolConnection | undefined;
    try {
      const raw = await pool.getConnection();
      conn = raw;
      const begin = [...(options.readCommitted ? ['SET TRANSACTION ISOLATION LEVEL READ COMMITTED'] : []), 'START TRANSACTION'];
      if (options.batchWrites && canBatch(raw)) conn = batchingConnection(raw, begin);
      else for (const statement of begin) await raw.query(statement);
      const result = await fn(conn);
      await conn.commit();
      return result;
    } catch (e) {
      if (conn) await conn.rollback().catch(() => undefined);
      if (attempt < attempts && isRetryableSqlError(e)) {
        // Jittered back-off so two colliding writers do not collide again.
        await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20 * attempt));
        continue;
      }
      throw translateSqlError(e);
    } finally {
      conn?.release();
    }
  }
}
