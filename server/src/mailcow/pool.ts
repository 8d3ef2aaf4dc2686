import mysql from 'mysql2/promise';
import type { Pool } from 'mysql2/promise';
import { registerErrorRecognizer } from '../scim/index.js';
import { recognizeDriverError } from './sql-errors.js';

export interface PoolOptions {
  connectionLimit?: number;
  /** Idle connections kept open (the rest close after a minute idle); default: connectionLimit. */
  maxIdle?: number;
  /**
   * Every connection's session default is READ COMMITTED, set once when it opens: for a pool
   * that runs READ COMMITTED changes only (a create), which then save the per-transaction
   * `SET TRANSACTION` (docs/performance.md). Never for the main pool: its reads and changes rely
   * on REPEATABLE READ.
   */
  readCommitted?: boolean;
  /**
   * Allow multi-statement queries, so that a change's writes go with its next read in one
   * round trip (statement-batch.ts). Every statement text is still built from placeholders and
   * the driver's escaping.
   */
  multipleStatements?: boolean;
}

/**
 * A mysql2 pool for mailcow's MariaDB.
 *
 * Dates come back as strings: mailcow's own columns hold the server's local time (its PHP
 * never sets a session time zone, and neither do we, so NOW() matches what mailcow writes),
 * while our mailcow_scim_* tables hold UTC that we write ourselves.
 */
export function createPool(url: string, options: PoolOptions = {}): Pool {
  // Whatever this pool throws, however deeply wrapped, the error boundary knows what it means.
  registerErrorRecognizer(recognizeDriverError);
  const u = new URL(url);
  const pool = mysql.createPool({
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password || ''),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined,
    // mailcow's MariaDB socket path can be given as ?socket=/var/run/mysqld/mysqld.sock
    socketPath: u.searchParams.get('socket') ?? undefined,
    connectionLimit: options.connectionLimit ?? 10,
    waitForConnections: true,
    queueLimit: 0,
    charset: 'utf8mb4_general_ci',
    dateStrings: true,
    // JSON columns as their stored text: mailbox.attributes must keep mailcow's exact layout.
    jsonStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
    connectTimeout: 5_000,
    enableKeepAlive: true,
    // No stack capture per statement: it was the sidecar's costliest JavaScript under load
    // (`npm run bench --profile`). A driver error still carries its SQL text and code.
    trace: false,
    // Prepared statements stay open on the server and in the driver (with a generated row
    // parser each) until evicted; the default keeps 16,000 per connection. The sidecar's
    // statements are a few dozen texts, so a small cache keeps every hot one and bounds memory
    // (docs/performance.md, the mixed load).
    maxPreparedStatements: 128,
    maxIdle: options.maxIdle,
    multipleStatements: options.multipleStatements ?? false,
    idleTimeout: 60_000,
  });
  if (options.readCommitted) {
    // Queued on the new connection ahead of anything the pool hands it out for. A connection
    // whose session could not be set is closed: it must never run a change under another level.
    pool.pool.on('connection', (conn) => {
      conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', (err: Error | null) => {
        if (err) conn.destroy();
      });
    });
  }
  return pool;
}

/** The same URL pointing at another database (or at none, with ""). */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = database ? `/${encodeURIComponent(database)}` : '';
  return u.toString();
}
