/**
 * `mailcow_scim_outbox` (migration 6): the rows a change writes in its own transaction, and the
 * OutboxStore the worker uses to take, finish and retry them (docs/architecture.md §8.1).
 *
 * A row is taken with SELECT … FOR UPDATE SKIP LOCKED and a committed UPDATE that moves its
 * `next_attempt_at` past a lease: SKIP LOCKED keeps two replicas claiming at the same moment
 * off each other's rows, and the committed lease keeps them off afterwards, while the work runs
 * without any lock held (on Galera a row lock is local to its node, the committed UPDATE is
 * certified cluster-wide, as for the migration lease in migration-lock.ts). Times are the
 * database's UTC clock.
 */
import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { OutboxBacklog, OutboxEntry, OutboxStore, OutboxWork, RedisKey, RedisPayload } from '../outbox/index.js';
import type { DatabasePool, Queryable } from './queryable.js';

const OUTBOX_TABLE = 'mailcow_scim_outbox';

/** Each key of a `redis` row's payload and its JSON path; a key added to RedisPayload must be added here. */
const REDIS_KEY_PATHS: { readonly [K in RedisKey]-?: string } = { rateLimit: '$.rateLimit', taggedMail: '$.taggedMail' };
const ALL_REDIS_KEYS = Object.keys(REDIS_KEY_PATHS) as RedisKey[];

/** The keys a payload carries (a null rate limit is carried: it removes the limit). */
function keysOf(payload: RedisPayload): RedisKey[] {
  return ALL_REDIS_KEYS.filter((k) => payload[k] !== undefined);
}

/**
 * Writes a change's post-commit work inside its transaction. Each row is leased to the writer
 * for `leaseMs`: it does the work right after the commit, and only a writer that died leaves a
 * row for the others to take. One INSERT per row, because only a single-row INSERT reports its
 * id reliably (Galera spaces auto-increment values by the cluster size).
 */
export async function writeOutbox(conn: Queryable, work: readonly OutboxWork[], leaseMs: number): Promise<OutboxEntry[]> {
  const entries: OutboxEntry[] = [];
  for (const w of work) {
    const [r] = await conn.execute<ResultSetHeader>(
      `INSERT INTO ${OUTBOX_TABLE} (kind, subject, payload, attempts, next_attempt_at, created_at)
       VALUES (?, ?, ?, 0, UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND, UTC_TIMESTAMP(3))`,
      [w.kind, w.subject, JSON.stringify(w.payload), leaseMs * 1000],
    );
    entries.push({ ...w, id: r.insertId, attempts: 0 } as OutboxEntry);
  }
  return entries;
}

function entryOf(r: RowDataPacket): OutboxEntry {
  return {
    id: Number(r.id),
    kind: String(r.kind),
    subject: r.subject === null ? null : String(r.subject),
    payload: JSON.parse(String(r.payload)),
    attempts: Number(r.attempts),
  } as OutboxEntry;
}

export function createOutboxStore(pool: DatabasePool): OutboxStore {
  return {
    async claimDue(limit, leaseMs) {
      let conn: PoolConnection | undefined;
      try {
        conn = await pool.getConnection();
        await conn.beginTransaction();
        const [rows] = await conn.query<RowDataPacket[]>(
          `SELECT id, kind, subject, payload, attempts FROM ${OUTBOX_TABLE}
            WHERE next_attempt_at <= UTC_TIMESTAMP(3) ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED`,
          [limit],
        );
        if (rows.length) {
          await conn.query(
            `UPDATE ${OUTBOX_TABLE} SET attempts = attempts + 1, next_attempt_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND WHERE id IN (?)`,
            [leaseMs * 1000, rows.map((r) => r.id)],
          );
        }
        await conn.commit();
        // Oldest first: a retried Redis row goes before a newer one of the same mailbox.
        return rows.map(entryOf).sort((a, b) => a.id - b.id);
      } catch (e) {
        await conn?.rollback().catch(() => undefined);
        // Another node won the same rows (Galera certification, 1213) or a lock wait ran out: none this round.
        const errno = (e as { errno?: number }).errno;
        if (errno === 1213 || errno === 1205) return [];
        throw e;
      } finally {
        conn?.release();
      }
    },
    async complete(ids) {
      if (ids.length) await pool.query(`DELETE FROM ${OUTBOX_TABLE} WHERE id IN (?)`, [ids]);
    },
    async retryLater(ids, error, delayMs, countAttempt) {
      if (!ids.length) return;
      await pool.query(
        `UPDATE ${OUTBOX_TABLE} SET attempts = attempts + ?, last_error = ?, next_attempt_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND WHERE id IN (?)`,
        [countAttempt ? 1 : 0, error, delayMs * 1000, ids],
      );
    },
    async awaitFlush(id, leaseMs) {
      await pool.query(
        `UPDATE ${OUTBOX_TABLE} SET kind = 'memcached_flush', subject = NULL, payload = '{}', next_attempt_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND WHERE id = ?`,
        [leaseMs * 1000, id],
      );
    },
    async dropSuperseded(entry) {
      if (entry.kind !== 'redis') return;
      const keys = keysOf(entry.payload);
      if (!keys.length) return;
      const where = `kind = 'redis' AND subject = ? AND id < ?`;
      if (keys.length === ALL_REDIS_KEYS.length) {
        // It carries every key: nothing an older row holds is left to write.
        await pool.query(`DELETE FROM ${OUTBOX_TABLE} WHERE ${where}`, [entry.subject, entry.id]);
        return;
      }
      // Per key (outbox/ports.ts RedisPayload): an older row keeps the keys this one does not carry.
      // One statement when no older row has them (the usual case right after a commit); the
      // second only deletes the rows this one emptied.
      const paths = keys.map((k) => REDIS_KEY_PATHS[k]);
      const marks = paths.map(() => '?').join(', ');
      const [stripped] = await pool.query<ResultSetHeader>(
        `UPDATE ${OUTBOX_TABLE} SET payload = JSON_REMOVE(payload, ${marks}) WHERE ${where} AND JSON_CONTAINS_PATH(payload, 'one', ${marks})`,
        [...paths, entry.subject, entry.id, ...paths],
      );
      if (stripped.affectedRows) await pool.query(`DELETE FROM ${OUTBOX_TABLE} WHERE ${where} AND JSON_LENGTH(payload) = 0`, [entry.subject, entry.id]);
    },
    async newerKeys(entry) {
      const newer = new Set<RedisKey>();
      if (entry.kind !== 'redis') return newer;
      const [rows] = await pool.query<RowDataPacket[]>(`SELECT payload FROM ${OUTBOX_TABLE} WHERE kind = 'redis' AND subject = ? AND id > ?`, [entry.subject, entry.id]);
      for (const r of rows) for (const k of keysOf(JSON.parse(String(r.payload)) as RedisPayload)) newer.add(k);
      return newer;
    },
    backlog: () => readOutboxBacklog(pool),
  };
}

/** The outbox's size and age, for /metrics, /healthz and doctor. */
export async function readOutboxBacklog(db: Queryable): Promise<OutboxBacklog> {
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS pending, COALESCE(SUM(attempts > 0 AND last_error IS NOT NULL), 0) AS failing,
            TIMESTAMPDIFF(MICROSECOND, MIN(created_at), UTC_TIMESTAMP(3)) AS oldest_us
       FROM ${OUTBOX_TABLE}`,
  );
  const r = rows[0]!;
  return {
    pending: Number(r.pending),
    failing: Number(r.failing),
    oldestAgeSeconds: r.oldest_us === null ? null : Math.max(0, Number(r.oldest_us) / 1e6),
  };
}
