/**
 * Pruning mailcow_scim_events and measuring it. Deletes go in small batches through the
 * (token_id, at) and (at) indexes of migration 1, each its own short statement, so a prune never
 * holds locks for long on a table the SCIM requests append to.
 */
import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import type { EventPruneStore, EventTableStats } from '../audit/index.js';
import { fromDbTime, toDbTime } from './db-time.js';
import type { Queryable } from './queryable.js';

export function createEventPruneStore(db: Queryable): EventPruneStore {
  return {
    async deleteBatch(scope, cutoff, limit) {
      // LIMIT is an integer we bounded ourselves (mysql2's execute() cannot bind it portably).
      const n = Math.max(1, Math.min(10_000, Math.trunc(limit)));
      let sql: string;
      let params: unknown[];
      if (scope.kind === 'token') {
        sql = `DELETE FROM mailcow_scim_events WHERE token_id = ? AND at < ? ORDER BY at LIMIT ${n}`;
        params = [scope.tokenId, toDbTime(cutoff)];
      } else if (scope.kind === 'none') {
        // Requests refused before a token was known (no, or an unknown, bearer secret).
        sql = `DELETE FROM mailcow_scim_events WHERE token_id IS NULL AND at < ? ORDER BY at LIMIT ${n}`;
        params = [toDbTime(cutoff)];
      } else {
        // Tokens are revoked, never deleted, so this is for rows written by hand or restored.
        sql = `DELETE FROM mailcow_scim_events WHERE at < ? AND token_id IS NOT NULL${scope.known.length ? ' AND token_id NOT IN (?)' : ''} ORDER BY at LIMIT ${n}`;
        params = scope.known.length ? [toDbTime(cutoff), scope.known] : [toDbTime(cutoff)];
      }
      const [r] = await db.query<ResultSetHeader>(sql, params);
      return r.affectedRows;
    },
  };
}

/**
 * Size and age of the audit table. The row count and size are InnoDB's estimates from
 * information_schema (an exact COUNT(*) over millions of rows would take seconds on every
 * scrape); the oldest time is exact, from the index on `at`.
 */
export async function readEventTableStats(db: Queryable): Promise<EventTableStats> {
  const [[size]] = await db.query<RowDataPacket[]>(
    `SELECT TABLE_ROWS AS row_estimate, DATA_LENGTH + INDEX_LENGTH AS bytes FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'mailcow_scim_events'`,
  );
  const [[oldest]] = await db.query<RowDataPacket[]>(`SELECT MIN(at) AS oldest FROM mailcow_scim_events`);
  return {
    rowsEstimate: Number(size?.row_estimate ?? 0),
    bytes: Number(size?.bytes ?? 0),
    oldestAt: oldest?.oldest ? fromDbTime(String(oldest.oldest)) : null,
  };
}
