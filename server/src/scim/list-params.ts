/**
 * Query parameters of a list or .search (RFC 7644 §3.4.2–§3.4.3): filter, sortBy/sortOrder,
 * startIndex/count, and RFC 9865 `cursor`, checked once here so every resource type pages the
 * same way; `readListPage` then runs either kind of paging against a storage port.
 */
import { decodeCursor, encodeCursor, type CursorQuery, type CursorState, type KeysetPosition } from './cursor.js';
import { ScimError } from './scim-error.js';
import { checkFilter, parseFilter, type CheckedAttribute, type CheckedFilter } from './filter/index.js';
import { findAttribute, LIST_RESPONSE_SCHEMA, type ResourceTypeDef } from './schema/index.js';

export interface RawListParams {
  filter?: unknown;
  sortBy?: unknown;
  sortOrder?: unknown;
  startIndex?: unknown;
  count?: unknown;
  /** RFC 9865: "" (or a bare `?cursor`) for the first page, then a nextCursor/previousCursor. */
  cursor?: unknown;
}

export interface ListParams {
  filter?: CheckedFilter;
  sortBy?: CheckedAttribute;
  descending: boolean;
  startIndex: number;
  count: number;
  /** Set when the client pages with cursors (RFC 9865): the cursor as sent, "" for the first page. */
  cursor?: string;
  /** What a cursor is bound to besides token and count: resource type, filter, sortBy, sortOrder. */
  cursorQuery: readonly unknown[];
}

/** Integers arrive as query strings or JSON numbers; anything else is invalidValue. */
function toInteger(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^-?\d{1,12}$/.test(text)) throw ScimError.invalidValue(`"${name}" must be an integer (got ${JSON.stringify(value)}).`);
  return Number(text);
}

/**
 * startIndex and count (RFC 7644 §3.4.2.4): integers, as query strings or JSON numbers;
 * startIndex < 1 is read as 1, a negative count as 0, and count is capped at the page size the
 * server advertises (also its default).
 */
export function parsePageWindow(raw: Pick<RawListParams, 'startIndex' | 'count'>, maxPageSize: number): { startIndex: number; count: number } {
  const startIndex = toInteger('startIndex', raw.startIndex);
  const count = toInteger('count', raw.count);
  return { startIndex: Math.max(1, startIndex ?? 1), count: count === undefined ? maxPageSize : Math.min(Math.max(0, count), maxPageSize) };
}

/**
 * The attribute `sortBy` names (RFC 7644 §3.4.2.3): any attribute path the filter grammar
 * accepts; a complex multi-valued attribute (`emails`) sorts by its primary `value`, any other
 * complex attribute must name a sub-attribute (`name.familyName`).
 */
function parseSortBy(text: string, rt: ResourceTypeDef): CheckedAttribute {
  let checked: CheckedFilter;
  try {
    checked = checkFilter(parseFilter(`${text} pr`), rt);
  } catch {
    throw ScimError.invalidValue(`"sortBy" names no sortable ${rt.name} attribute: "${text}".`);
  }
  if (checked.kind !== 'present') throw ScimError.invalidValue(`"sortBy" must be a single attribute path.`);
  const a = checked.attribute;
  if (a.type !== 'complex') return a;
  const value = findAttribute(a.parent.subAttributes, 'value');
  if (!a.multiValued || !value) {
    throw ScimError.invalidValue(`"sortBy" names the complex attribute '${a.canonicalPath}'; name one of its sub-attributes (e.g. ${a.canonicalPath}.${a.parent.subAttributes?.[0]?.name ?? 'value'}).`);
  }
  return { ...a, sub: value.name, canonicalPath: `${a.canonicalPath}.${value.name}`, type: value.type, caseExact: value.caseExact, definition: value };
}

export function parseListParams(raw: RawListParams, rt: ResourceTypeDef, maxPageSize: number): ListParams {
  const params: ListParams = { descending: false, startIndex: 1, count: maxPageSize, cursorQuery: [] };
  if (raw.filter !== undefined && raw.filter !== '') {
    if (typeof raw.filter !== 'string') throw ScimError.invalidFilter('"filter" must be a string.');
    // Entra's configurable matching attribute sends `emails[type eq "work"].value eq "x"`
    // (docs/idp/clients.md §2): read it as `emails[type eq "work" and value eq "x"]`. Some authentik
    // releases sent the 409 lookup value unquoted (`userName eq x`, docs/idp/clients.md §4): a string.
    params.filter = checkFilter(parseFilter(raw.filter, { valuePathSubAttribute: 'rewrite', unquotedValues: 'string' }), rt);
  }
  if (raw.sortBy !== undefined && raw.sortBy !== '') {
    if (typeof raw.sortBy !== 'string') throw ScimError.invalidValue('"sortBy" must be an attribute name.');
    params.sortBy = parseSortBy(raw.sortBy, rt);
  }
  if (raw.sortOrder !== undefined && raw.sortOrder !== '') {
    const order = String(raw.sortOrder).toLowerCase();
    if (order !== 'ascending' && order !== 'descending') throw ScimError.invalidValue('"sortOrder" must be "ascending" or "descending".');
    params.descending = order === 'descending';
  }
  const window = parsePageWindow(raw, maxPageSize);
  params.startIndex = window.startIndex;
  params.count = window.count;
  if (raw.cursor !== undefined && raw.cursor !== null) {
    if (typeof raw.cursor !== 'string') throw ScimError.invalidCursor('"cursor" must be a string ("" for the first page).');
    // RFC 9865 §2.4: a client picks one method per request.
    if (raw.startIndex !== undefined && raw.startIndex !== '') throw ScimError.invalidValue('Use either "startIndex" (index paging) or "cursor" (cursor paging), not both.');
    params.cursor = raw.cursor.trim();
  }
  // RFC 9865 §2: every parameter but the cursor stays the same from page to page.
  params.cursorQuery = [rt.name, typeof raw.filter === 'string' ? raw.filter : '', params.sortBy?.canonicalPath ?? '', params.descending];
  return params;
}

/** One page of a list, as a ListResponse reports it. */
export interface ListPage<T> {
  total: number;
  items: T[];
  /** Index paging: the 1-based index of the first item. */
  startIndex?: number;
  /** Cursor paging (RFC 9865 §2): absent on the last page, and with count=0. */
  nextCursor?: string;
  /** Cursor paging: absent on the first page. */
  previousCursor?: string;
}

/** What storage is asked for one page: the index window, or a keyset seek for cursors. */
export interface PageQuery {
  filter?: CheckedFilter;
  sortBy?: CheckedAttribute;
  descending: boolean;
  startIndex: number;
  count: number;
  seek?: CursorState;
}

/** One page from storage; with a seek, the keyset position of each item and whether more follow. */
export interface PageResult<T> {
  total: number;
  items: T[];
  positions?: KeysetPosition[];
  more?: boolean;
}

/** What cursor paging needs from the server: the key sealing cursors, and whose they are. */
export interface CursorContext {
  key: () => Promise<Uint8Array>;
  tokenId: string;
}

/**
 * Reads one page with the paging the client chose: startIndex/count (RFC 7644 §3.4.2.4) or
 * cursors (RFC 9865), issuing nextCursor while more follow and previousCursor after the first
 * page. Without a CursorContext, a cursor is refused.
 */
export async function readListPage<T>(p: ListParams, cursors: CursorContext | undefined, fetch: (q: PageQuery) => Promise<PageResult<T>>): Promise<ListPage<T>> {
  const base = { filter: p.filter, sortBy: p.sortBy, descending: p.descending, startIndex: p.startIndex, count: p.count };
  if (p.cursor === undefined) {
    const r = await fetch(base);
    return { total: r.total, items: r.items, startIndex: p.startIndex };
  }
  if (!cursors) throw ScimError.invalidCursor('Cursor pagination is not available here; use startIndex and count.');
  const key = await cursors.key();
  const q: CursorQuery = { tokenId: cursors.tokenId, query: p.cursorQuery, count: p.count };
  const state: CursorState = p.cursor === '' ? { from: null, backwards: false } : decodeCursor(p.cursor, q, key);
  const r = await fetch({ ...base, startIndex: 1, seek: state });
  const page: ListPage<T> = { total: r.total, items: r.items };
  const positions = r.positions ?? [];
  const first = positions[0];
  const last = positions[positions.length - 1];
  if (p.count === 0) return page;
  if (!state.backwards) {
    if (r.more && last) page.nextCursor = encodeCursor({ from: last, backwards: false }, q, key);
    if (state.from && first) page.previousCursor = encodeCursor({ from: first, backwards: true }, q, key);
  } else {
    if (r.more && first) page.previousCursor = encodeCursor({ from: first, backwards: true }, q, key);
    // Going back past the start leaves an empty page whose next page is the first one.
    page.nextCursor = encodeCursor({ from: last ?? null, backwards: false }, q, key);
  }
  return page;
}

/** A ListResponse (RFC 7644 §3.4.2) for index paging. */
export function toListResponse(total: number, startIndex: number, resources: Record<string, unknown>[]): Record<string, unknown> {
  return { schemas: [LIST_RESPONSE_SCHEMA], totalResults: total, itemsPerPage: resources.length, startIndex, Resources: resources };
}

/** A ListResponse for either paging: startIndex for index pages, the cursors of RFC 9865 §2 for cursor pages. */
export function toPagedListResponse(page: Omit<ListPage<unknown>, 'items'>, resources: Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = { schemas: [LIST_RESPONSE_SCHEMA], totalResults: page.total, itemsPerPage: resources.length };
  if (page.startIndex !== undefined) out.startIndex = page.startIndex;
  if (page.previousCursor !== undefined) out.previousCursor = page.previousCursor;
  if (page.nextCursor !== undefined) out.nextCursor = page.nextCursor;
  out.Resources = resources;
  return out;
}
