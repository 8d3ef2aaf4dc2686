/**
 * Writes whose results a change never reads, held back and sent in the same round trip as the
 * change's next statement that is read, or as its COMMIT (MariaDB's multi-statement queries).
 * A create is a dozen such INSERTs (mailcow's rows, ours, the SOGo row, the audit row) between
 * two reads; sent one by one each costs a round trip, and round trips, not the statements' own
 * work, are most of what a create costs the sidecar and MariaDB (docs/performance.md).
 *
 * Nothing changes in what runs or in its order: every read sees every write made before it,
 * because a read is what sends them. A held write that fails fails the statement that sent it,
 * with the driver's own error (a duplicate key is still a 409), and the change rolls back as a
 * whole, as it always did. Only a connection opened with `multipleStatements` batches (the
 * creates' pool, see pool.ts); on any other connection `writeLater` runs the write at once.
 *
 * The held text is built with the connection's own escaping (`format`), the same escaping
 * mysql2 applies to every `query` with values; no caller's text is ever spliced in unescaped.
 */
import type { FieldPacket, PoolConnection, QueryResult } from 'mysql2/promise';
import type { Queryable } from './queryable.js';

/**
 * What joins the statements of one batch. A formatted value never holds a bare newline (the
 * driver escapes it as `\n`), so the same text splits a batch back into its statements.
 */
export const STATEMENT_SEPARATOR = ';\n';

/** The statements each batching connection holds, by the connection the change was given. */
const held = new WeakMap<object, string[]>();

/**
 * A write whose result the caller does not need. On a batching connection it is held and sent
 * with the next statement; elsewhere it runs now (`execute`, or `query` for a statement that
 * needs client-side expansion such as `VALUES ?` with nested arrays).
 */
export async function writeLater(db: Queryable, sql: string, values: unknown[], via: 'execute' | 'query' = 'execute'): Promise<void> {
  const pending = held.get(db);
  if (pending) pending.push(db.format(sql, values));
  else if (via === 'query') await db.query(sql, values);
  else await db.execute(sql, values as never[]);
}

/** Whether this connection was opened with multi-statement queries allowed. */
export function canBatch(conn: PoolConnection): boolean {
  return conn.config.multipleStatements === true;
}

/**
 * The connection a change runs on, holding its writes back as described above. `begin` holds
 * the transaction's own START (and any statement before it) so that it goes with the first read.
 */
export function batchingConnection(conn: PoolConnection, begin: readonly string[]): PoolConnection {
  const pending = [...begin];
  const send = async (last: string): Promise<[QueryResult, FieldPacket[]]> => {
    const text = [...pending.splice(0), last].join(STATEMENT_SEPARATOR);
    // Held writes come first, so the answer is one result per statement: the last is the caller's.
    const [results, fields] = await conn.query(text);
    const all = results as QueryResult[];
    const allFields = fields as unknown as (FieldPacket[] | undefined)[];
    return [all[all.length - 1]!, allFields[allFields.length - 1] ?? []];
  };
  const run = (kind: 'query' | 'execute') => async (sql: unknown, values?: unknown) => {
    if (typeof sql !== 'string') {
      // An options object (rowsAsArray, a timeout…): the held writes go first, on their own.
      if (pending.length) await conn.query(pending.splice(0).join(STATEMENT_SEPARATOR));
      return kind === 'query' ? conn.query(sql as never, values as never) : conn.execute(sql as never, values as never);
    }
    if (!pending.length) return kind === 'query' ? conn.query(sql, values as never) : conn.execute(sql, values as never);
    return send(conn.format(sql, values as never));
  };
  const proxy = new Proxy(conn, {
    get(target, prop) {
      if (prop === 'query') return run('query');
      if (prop === 'execute') return run('execute');
      if (prop === 'commit') return async () => (pending.length ? void (await send('COMMIT')) : target.commit());
      if (prop === 'rollback') {
        return async () => {
          // Held writes were never sent: nothing of them to undo. A START still held began nothing.
          const begun = !pending.some((s) => s.startsWith('START TRANSACTION'));
          pending.length = 0;
          if (begun) await target.rollback();
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  held.set(proxy, pending);
  return proxy;
}
