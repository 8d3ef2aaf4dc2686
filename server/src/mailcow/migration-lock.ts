/**
 * One migrator at a time, however many sidecars start at once: a lease on a row of our own
 * table, `mailcow_scim_lock`. Whoever flips the row from free (or expired) to its own name in a
 * committed UPDATE holds the lease; the others wait and re-read.
 *
 * Why a committed lease row and not the usual tools:
 * - GET_LOCK() is a lock of one server: Galera does not replicate it, so two nodes would both
 *   get it (and MariaDB refuses it outright in some wsrep modes).
 * - SELECT … FOR UPDATE held for the migration's length does not hold either: every DDL
 *   statement commits the open transaction implicitly (the lock is gone at the first CREATE),
 *   and on Galera a row lock is local to its node; a read-only FOR UPDATE is never certified.
 * - A committed UPDATE is what both agree on: on one MariaDB the second UPDATE waits for the
 *   first row lock and then sees the row taken (0 rows changed); on Galera the second of two
 *   concurrent writers fails certification (error 1213, which we retry, or the node retries it
 *   itself with wsrep_retry_autocommit) and then sees it taken. Either way exactly one owner.
 *
 * The lease expires (ttl) so that a sidecar killed mid-migration does not block the others for
 * good; the holder renews it while it works and checks it still holds it before each step is
 * recorded, and times are the database's own (NOW(3)), never this process's clock.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import type { Queryable } from './queryable.js';

const LOCK_TABLE = 'mailcow_scim_lock';

const LOCK_DDL = `CREATE TABLE IF NOT EXISTS ${LOCK_TABLE} (
  name VARCHAR(64) NOT NULL,
  owner VARCHAR(191) NULL,
  acquired_at DATETIME(3) NULL,
  expires_at DATETIME(3) NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

export interface LeaseOptions {
  /** Who we are, for the others' messages (default: host name, pid and a random tag). */
  owner?: string;
  /** How long the lease lasts without renewal. */
  ttlMs?: number;
  /** How long to wait for another holder before giving up. */
  waitMs?: number;
  /** Time between attempts while waiting (with jitter). */
  pollMs?: number;
}

export interface Lease {
  owner: string;
  /** Renews the lease, or throws LeaseLostError when another migrator took it over. */
  confirm(): Promise<void>;
}

export class LeaseLostError extends Error {}

const DEFAULTS = { ttlMs: 60_000, waitMs: 10 * 60_000, pollMs: 200 };

/** Deadlock (1213, also Galera's certification failure) and lock wait timeout (1205): try again. */
function isRetryable(e: unknown): boolean {
  const errno = (e as { errno?: number }).errno;
  return errno === 1213 || errno === 1205;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function defaultOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

async function tryAcquire(db: Queryable, name: string, owner: string, ttlMs: number): Promise<boolean> {
  try {
    const [r] = await db.query<ResultSetHeader>(
      `UPDATE ${LOCK_TABLE} SET owner = ?, acquired_at = NOW(3), expires_at = NOW(3) + INTERVAL ? MICROSECOND
        WHERE name = ? AND (owner IS NULL OR expires_at < NOW(3))`,
      [owner, ttlMs * 1000, name],
    );
    return r.affectedRows === 1;
  } catch (e) {
    if (isRetryable(e)) return false;
    throw e;
  }
}

async function holderOf(db: Queryable, name: string): Promise<string> {
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT owner, DATE_FORMAT(acquired_at, '%Y-%m-%d %H:%i:%s') AS since FROM ${LOCK_TABLE} WHERE name = ?`,
    [name],
  );
  const r = rows[0];
  return r?.owner ? `${r.owner}, since ${r.since}` : 'nobody now';
}

/**
 * Runs fn while holding the lease `name`. Waits for another holder up to waitMs, then throws
 * with who holds it; releases the lease afterwards, also when fn throws.
 */
export async function withLease<T>(db: Queryable, name: string, fn: (lease: Lease) => Promise<T>, options: LeaseOptions = {}): Promise<T> {
  const { ttlMs, waitMs, pollMs } = { ...DEFAULTS, ...options };
  const owner = options.owner ?? defaultOwner();
  await db.query(LOCK_DDL);
  for (let attempt = 0; ; attempt++) {
    try {
      await db.query(`INSERT IGNORE INTO ${LOCK_TABLE} (name) VALUES (?)`, [name]);
      break;
    } catch (e) {
      if (!isRetryable(e) || attempt >= 5) throw e;
      await sleep(pollMs);
    }
  }
  const deadline = Date.now() + waitMs;
  while (!(await tryAcquire(db, name, owner, ttlMs))) {
    if (Date.now() > deadline) {
      throw new Error(`Another mailcow-scim holds the ${name} lock (${await holderOf(db, name)}) and has not finished within ${Math.round(waitMs / 1000)} s; it expires ${Math.round(ttlMs / 1000)} s after its holder stops renewing it.`);
    }
    await sleep(pollMs * (0.5 + Math.random()));
  }

  let lost: Error | undefined;
  const renew = async () => {
    const [r] = await db.query<ResultSetHeader>(
      `UPDATE ${LOCK_TABLE} SET expires_at = NOW(3) + INTERVAL ? MICROSECOND WHERE name = ? AND owner = ?`,
      [ttlMs * 1000, name, owner],
    );
    if (r.affectedRows !== 1) lost = new LeaseLostError(`The ${name} lock of ${owner} expired and was taken over (${await holderOf(db, name)}); stopping before recording anything more.`);
  };
  // A statement that runs longer than the lease (a big ALTER) must not let another one in.
  const heartbeat = setInterval(() => void renew().catch(() => undefined), Math.max(50, Math.floor(ttlMs / 3)));
  heartbeat.unref();
  try {
    return await fn({
      owner,
      async confirm() {
        if (!lost) await renew();
        if (lost) throw lost;
      },
    });
  } finally {
    clearInterval(heartbeat);
    await db.query(`UPDATE ${LOCK_TABLE} SET owner = NULL, acquired_at = NULL, expires_at = NULL WHERE name = ? AND owner = ?`, [name, owner]).catch(() => undefined);
  }
}
