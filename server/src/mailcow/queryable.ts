import type { Pool, PoolConnection } from 'mysql2/promise';

/**
 * Anything that runs SQL: the pool, or one connection inside a transaction. Repository
 * functions take a Queryable so that a use case can group several of them into one
 * transaction (one transaction per SCIM change).
 */
export type Queryable = Pool | PoolConnection;

/** The connection pool, as the rest of the server names it (only mailcow/ imports mysql2). */
export type DatabasePool = Pool;
