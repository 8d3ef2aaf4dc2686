/**
 * One page of a resource list in SQL (RFC 7644 §3.4.2): the checked filter compiled by
 * FilterCompiler, COUNT(*) for totalResults, ORDER BY the sort value (absent values last when
 * ascending, first when descending, §3.4.2.3) with the id as tie-break, then the window:
 * startIndex/count as OFFSET/LIMIT (from whichever end of the order is nearer), or an RFC 9865
 * keyset seek after (or before) a cursor's position. The order is the one scim/sort.ts states.
 * A first page that comes back short is its own totalResults, so it needs no COUNT; the store's
 * full rows are joined to the page's ids in the same statement (PageRowShape).
 */
import type { RowDataPacket } from 'mysql2';
import type { KeysetPosition } from '../scim/cursor.js';
import type { PageQuery } from '../scim/list-params.js';
import type { FilterCompiler, OrderValue, SqlFragment } from './filter-sql.js';
import type { Queryable } from './queryable.js';

/** Where the rows of one resource type are and how to read their order. */
export interface ListSource {
  /** `mailcow_scim_users` */
  table: string;
  /** The alias the compiler's mapping uses (`u`). */
  alias: string;
  idColumn: string;
  /** The rows this caller may see (token and domains), as a condition on the alias. */
  scope: SqlFragment;
  compiler: FilterCompiler;
  /** The sort value when the query names no sortBy: creation time. */
  defaultOrder: OrderValue;
}

/** The ids of one page, in order, with their keyset positions and whether more follow a seek. */
export interface IdPage {
  total: number;
  ids: string[];
  positions: KeysetPosition[];
  more: boolean;
}

/** `expr` with its placeholders' values, for building repeated uses of the sort value. */
function repeat(f: SqlFragment, times: number): unknown[] {
  return Array.from({ length: times }, () => f.params).flat();
}

/**
 * The rows strictly after `from` in the scan order `(v IS NULL, v, id)`, each part in the scan
 * direction (descending scans put absent values first, ascending ones last).
 */
function afterPosition(v: OrderValue, id: string, from: KeysetPosition, descending: boolean): SqlFragment {
  const p = v.params;
  if (from.key === null) {
    return descending
      ? { sql: `(${v.sql} IS NOT NULL OR ${id} < ?)`, params: [...p, from.id] }
      : { sql: `(${v.sql} IS NULL AND ${id} > ?)`, params: [...p, from.id] };
  }
  const cmp = descending ? '<' : '>';
  const after = `(${v.sql} ${cmp} ? OR (${v.sql} = ? AND ${id} ${cmp} ?))`;
  const params = [...p, from.key, ...p, from.key, from.id];
  if (v.notNull) return { sql: after, params };
  return descending
    ? { sql: `(${v.sql} IS NOT NULL AND ${after})`, params: [...p, ...params] }
    : { sql: `(${v.sql} IS NULL OR ${after})`, params: [...p, ...params] };
}

/** The two statements of one page: COUNT(*) for totalResults, and the ids with their sort values. */
export interface ListStatements {
  count: SqlFragment;
  /** Absent when count is 0 (totalResults only). */
  page?: SqlFragment;
  /** The index page is read from the back of the order (rows come in reverse; indexWindow). */
  fromEnd?: boolean;
}

/**
 * A store's full rows, read in the page's own statement: the ids the window finds (an
 * index-only walk, the deferred join docs/performance.md describes) joined back to the table by
 * primary key, so a page costs one round trip instead of ids, then rows, then their side rows.
 */
interface PageRowShape {
  /** The select list over the table's alias and the joins' aliases, without placeholders; names the id `id`. */
  columns: string;
  /** The joins after the table (`JOIN mailbox m ON …`), without placeholders. */
  joins: string;
  /** Goes before the statement (`SET STATEMENT … FOR`), for what the columns need of the session. */
  prefix?: string;
}

/** How buildListStatements reads the page besides the query itself. */
export interface PageOptions {
  /**
   * A first page read before any COUNT: one row more than `count`, so that a page that comes
   * back with at most `count` rows is known to be the whole list (readPage).
   */
  probe?: boolean;
  /** Rows in the store's shape instead of ids alone. */
  rows?: PageRowShape;
}

/**
 * Where an index page (startIndex/count) is read from. The order is total (the id breaks every
 * tie), so the rows [skip, skip + n) of it are, reversed, the rows [total - skip - n, total - skip)
 * of the reverse order: a page nearer the end is read from the end, and OFFSET, which costs one
 * index entry per row skipped, never skips more than half the list (docs/performance.md).
 */
export interface IndexWindow {
  fromEnd: boolean;
  limit: number;
  offset: number;
}

export function indexWindow(startIndex: number, count: number, total: number): IndexWindow {
  const skip = startIndex - 1;
  const rows = Math.max(0, Math.min(count, total - skip));
  const skipFromEnd = total - skip - rows;
  return rows > 0 && skipFromEnd < skip ? { fromEnd: true, limit: rows, offset: skipFromEnd } : { fromEnd: false, limit: count, offset: skip };
}

/**
 * The SQL `listResourceIds` and `listResources` run for `q` (exposed so tests can EXPLAIN
 * exactly that). With `total` (totalResults, counted first) an index page may be read from the
 * end (indexWindow).
 */
export function buildListStatements(src: ListSource, q: PageQuery, total?: number, options: PageOptions = {}): ListStatements {
  const where: SqlFragment[] = [src.scope];
  if (q.filter) where.push(src.compiler.compile(q.filter));
  const whereSql = where.map((w) => w.sql).join(' AND ');
  const whereParams = where.flatMap((w) => w.params);
  const from = `FROM ${src.table} ${src.alias}`;
  const count = { sql: `SELECT COUNT(*) AS n ${from} WHERE ${whereSql}`, params: whereParams };
  if (q.count === 0) return { count };

  const window = options.probe
    ? { fromEnd: false, limit: q.count + 1, offset: 0 }
    : !q.seek && total !== undefined
      ? indexWindow(q.startIndex, q.count, total)
      : { fromEnd: false, limit: q.count, offset: q.startIndex - 1 };
  const v = q.sortBy ? src.compiler.orderExpression(q.sortBy) : src.defaultOrder;
  const id = `${src.alias}.${src.idColumn}`;
  // A backwards seek, or a page read from the end, scans against the requested order and turns
  // the rows round afterwards.
  const descending = q.descending !== (q.seek?.backwards ?? false) !== window.fromEnd;
  const dir = descending ? 'DESC' : 'ASC';
  // Absent values last when ascending, first when descending; a value that is never absent
  // needs no such term, and without it ORDER BY can walk an index instead of sorting.
  const orderSql = `${v.notNull ? '' : `${v.sql} IS NULL ${dir}, `}${v.sql} ${dir}, ${id} ${dir}`;
  const orderUses = v.notNull ? 1 : 2;
  const select = `SELECT ${id} AS id, ${v.sql} AS sk ${from}`;
  const orderParams = repeat(v, orderUses);
  // The rows go back in the scan order by the same expressions over the joined row (the alias is
  // the table's again outside the derived table): the same row, in the same statement, gives the
  // same sort value, and sorting one page of rows is cheap.
  const withRows = (ids: SqlFragment): SqlFragment =>
    options.rows
      ? {
          sql: `${options.rows.prefix ? `${options.rows.prefix} ` : ''}SELECT pg.sk AS sk, ${options.rows.columns} FROM (${ids.sql}) pg JOIN ${src.table} ${src.alias} ON ${id} = pg.id ${options.rows.joins} ORDER BY ${orderSql}`,
          params: [...ids.params, ...orderParams],
        }
      : ids;
  if (q.seek) {
    const seek = q.seek.from ? afterPosition(v, id, q.seek.from, descending) : { sql: 'TRUE', params: [] };
    return {
      count,
      page: withRows({
        sql: `${select} WHERE ${whereSql} AND ${seek.sql} ORDER BY ${orderSql} LIMIT ?`,
        params: [...v.params, ...whereParams, ...seek.params, ...orderParams, q.count + 1],
      }),
    };
  }
  return {
    count,
    fromEnd: window.fromEnd,
    page: withRows({
      sql: `${select} WHERE ${whereSql} ORDER BY ${orderSql} LIMIT ? OFFSET ?`,
      params: [...v.params, ...whereParams, ...orderParams, window.limit, window.offset],
    }),
  };
}

/**
 * Whether the server's sessions start in REPEATABLE READ (MariaDB's default), where a consistent
 * snapshot holds across statements; asked once per pool. Nothing here changes a session's level
 * (transaction.ts sets READ COMMITTED for one transaction at a time).
 */
const repeatableByDefault = new WeakMap<object, Promise<boolean>>();

function sessionsRepeatable(pool: Queryable): Promise<boolean> {
  let known = repeatableByDefault.get(pool);
  if (!known) {
    known = pool.query<RowDataPacket[]>('SELECT @@GLOBAL.tx_isolation AS i').then(([[row]]) => String(row!.i) === 'REPEATABLE-READ', () => false);
    repeatableByDefault.set(pool, known);
  }
  return known;
}

/** Runs `work` on one connection inside a read-only snapshot, so that its reads agree. */
async function inSnapshot<T>(db: Queryable, work: (conn: Queryable) => Promise<T>): Promise<T> {
  // A connection already inside a transaction keeps the view it has.
  if (!('getConnection' in db)) return work(db);
  const repeatable = await sessionsRepeatable(db);
  const conn = await db.getConnection();
  try {
    if (!repeatable) await conn.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
    const out = await work(conn);
    await conn.query('COMMIT');
    return out;
  } catch (e) {
    await conn.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    conn.release();
  }
}

/** One page's rows (ids and sort values, or the store's full rows) in page order, and totalResults. */
interface RowPage {
  total: number;
  rows: RowDataPacket[];
  more: boolean;
}

/**
 * Counts and reads the ids of one page of `q` (index window or keyset seek). An index page past
 * the first counts and reads in one snapshot: a page read from the end is placed by the count,
 * so both must see the same rows.
 */
export async function listResourceIds(db: Queryable, src: ListSource, q: PageQuery): Promise<IdPage> {
  const page = await inPageSnapshot(db, q, (conn) => readPage(conn, src, q));
  return { total: page.total, ids: page.rows.map((r) => String(r.id)), positions: positionsOf(page.rows), more: page.more };
}

/** Runs `work` in a snapshot when the page is placed by a count it reads first (listResourceIds). */
function inPageSnapshot<T>(db: Queryable, q: PageQuery, work: (conn: Queryable) => Promise<T>): Promise<T> {
  if (q.seek || q.startIndex === 1 || q.count === 0) return work(db);
  return inSnapshot(db, work);
}

async function countRows(db: Queryable, count: SqlFragment): Promise<number> {
  const [[row]] = await db.query<RowDataPacket[]>(count.sql, count.params);
  return Number(row!.n);
}

/**
 * The rows of one page and totalResults. The first page is read before any count, one row
 * longer than asked: when at most `count` rows come back they are the whole list, counted by
 * the statement that read them (one statement sees one snapshot), so the COUNT is left out.
 * That is the answer to a lookup (`filter=userName eq "…"`), with or without a match. Other
 * index pages need the count first: it places the window (indexWindow) and tells a page past
 * the end, where no row says how many there are.
 */
async function readPage(db: Queryable, src: ListSource, q: PageQuery, rows?: PageRowShape): Promise<RowPage> {
  if (!q.seek && q.startIndex === 1 && q.count > 0) {
    const probe = buildListStatements(src, q, undefined, { probe: true, rows });
    const [found] = await db.query<RowDataPacket[]>(probe.page!.sql, probe.page!.params);
    if (found.length <= q.count) return { total: found.length, rows: found, more: false };
    return { total: await countRows(db, probe.count), rows: found.slice(0, q.count), more: false };
  }
  const counted = buildListStatements(src, q);
  const total = await countRows(db, counted.count);
  if (!counted.page || (!q.seek && q.startIndex > total)) return { total, rows: [], more: false };
  const statements = buildListStatements(src, q, q.seek ? undefined : total, { rows });
  const [found] = await db.query<RowDataPacket[]>(statements.page!.sql, statements.page!.params);
  const more = q.seek !== undefined && found.length > q.count;
  const page = found.slice(0, q.count);
  if (q.seek?.backwards || statements.fromEnd) page.reverse();
  return { total, rows: page, more };
}

function positionsOf(rows: RowDataPacket[]): KeysetPosition[] {
  return rows.map((r) => ({ key: toKey(r.sk), id: String(r.id) }));
}

/** A sort value as a cursor carries it (DATETIME strings, numbers, collated strings; NULL). */
function toKey(value: unknown): KeysetPosition['key'] {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return Number(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return String(value);
}

/** A store's rows for listResources: their shape in SQL, and what becomes of them. */
export interface PageRows<T> extends PageRowShape {
  /** The resources of `rows` (in page order, one each), read on `db`, the page's own connection. */
  toItems(db: Queryable, rows: RowDataPacket[]): Promise<T[]>;
}

/**
 * One page of resources: the page's window and the store's full rows in one statement
 * (buildListStatements with `rows`), in page order, then whatever the store reads per page
 * besides (`toItems`), on the same connection and, for a page placed by its count, in the
 * same snapshot.
 */
export async function listResources<T extends { id: string }>(
  db: Queryable,
  src: ListSource,
  q: PageQuery,
  rows: PageRows<T>,
): Promise<{ total: number; items: T[]; positions: KeysetPosition[]; more: boolean }> {
  return inPageSnapshot(db, q, async (conn) => {
    const page = await readPage(conn, src, q, rows);
    const items = page.rows.length ? await rows.toItems(conn, page.rows) : [];
    return { total: page.total, items, positions: positionsOf(page.rows), more: page.more };
  });
}
