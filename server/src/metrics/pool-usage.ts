/**
 * How busy the MariaDB pool is, for the pool gauges. mysql2 has no public statistics API, so
 * this reads the counters its pool keeps (`pool.pool._allConnections`, `_freeConnections`,
 * `_connectionQueue`, `config.connectionLimit` in mysql2 3.x) by shape only, without importing
 * mysql2; when a future version renames them, the gauges read 0 instead of failing.
 */

export interface PoolUsage {
  /** Connections open (busy + idle). */
  open: number;
  idle: number;
  inUse: number;
  /** Requests waiting for a connection. */
  queued: number;
  limit: number;
}

type Sized = { length?: number } | undefined;
interface PoolShape {
  pool?: {
    _allConnections?: Sized;
    _freeConnections?: Sized;
    _connectionQueue?: Sized;
    config?: { connectionLimit?: number };
  };
}

export function readPoolUsage(pool: unknown): PoolUsage {
  const core = (pool as PoolShape | undefined)?.pool;
  const size = (x: Sized) => (typeof x?.length === 'number' ? x.length : 0);
  const open = size(core?._allConnections);
  const idle = size(core?._freeConnections);
  return { open, idle, inUse: Math.max(0, open - idle), queued: size(core?._connectionQueue), limit: core?.config?.connectionLimit ?? 0 };
}
