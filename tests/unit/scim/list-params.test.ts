import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseListParams, parsePageWindow, readListPage, toPagedListResponse, type PageQuery, type PageResult } from '../../../server/src/scim/list-params.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../../server/src/scim/schema/index.js';
import type { ScimError } from '../../../server/src/scim/scim-error.js';

function scimTypeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as ScimError).scimType;
  }
  return undefined;
}

describe('startIndex and count (RFC 7644 §3.4.2.4)', () => {
  it('defaults to 1 and the page size, reads < 1 as 1 and a negative count as 0, caps count', () => {
    expect(parsePageWindow({}, 100)).toEqual({ startIndex: 1, count: 100 });
    expect(parsePageWindow({ startIndex: '0', count: '-5' }, 100)).toEqual({ startIndex: 1, count: 0 });
    expect(parsePageWindow({ startIndex: 7, count: 1000 }, 100)).toEqual({ startIndex: 7, count: 100 });
    expect(parsePageWindow({ startIndex: ' 3 ', count: '' }, 100)).toEqual({ startIndex: 3, count: 100 });
  });

  it('refuses what is not an integer (invalidValue)', () => {
    for (const bad of ['1.5', 'x', '1e3', true, {}]) expect(scimTypeOf(() => parsePageWindow({ count: bad }, 100)), String(bad)).toBe('invalidValue');
  });
});

describe('sortBy (RFC 7644 §3.4.2.3)', () => {
  it('takes any attribute path, canonical; a complex multi-valued attribute sorts by its value', () => {
    expect(parseListParams({ sortBy: 'NAME.familyname' }, USER_RESOURCE_TYPE, 10).sortBy?.canonicalPath).toBe('name.familyName');
    expect(parseListParams({ sortBy: 'emails' }, USER_RESOURCE_TYPE, 10).sortBy).toMatchObject({ canonicalPath: 'emails.value', sub: 'value', type: 'string' });
    expect(parseListParams({ sortBy: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', sortOrder: 'Descending' }, USER_RESOURCE_TYPE, 10)).toMatchObject({ descending: true });
    expect(parseListParams({ sortBy: 'members.value' }, GROUP_RESOURCE_TYPE, 10).sortBy?.canonicalPath).toBe('members.value');
  });

  it('refuses complex attributes without a sub-attribute, unknown names, value filters, bad orders', () => {
    for (const sortBy of ['name', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', 'nosuch', 'emails[type eq "work"]', 'password', 'a b']) {
      expect(scimTypeOf(() => parseListParams({ sortBy }, USER_RESOURCE_TYPE, 10)), sortBy).toBe('invalidValue');
    }
    expect(scimTypeOf(() => parseListParams({ sortOrder: 'up' }, USER_RESOURCE_TYPE, 10))).toBe('invalidValue');
  });
});

describe('cursor parameter (RFC 9865 §2)', () => {
  it('is absent, empty (first page) or a cursor; never together with startIndex', () => {
    expect(parseListParams({}, USER_RESOURCE_TYPE, 10).cursor).toBeUndefined();
    expect(parseListParams({ cursor: '' }, USER_RESOURCE_TYPE, 10).cursor).toBe('');
    expect(parseListParams({ cursor: 'abc' }, USER_RESOURCE_TYPE, 10).cursor).toBe('abc');
    expect(scimTypeOf(() => parseListParams({ cursor: '', startIndex: '2' }, USER_RESOURCE_TYPE, 10))).toBe('invalidValue');
    expect(scimTypeOf(() => parseListParams({ cursor: 5 }, USER_RESOURCE_TYPE, 10))).toBe('invalidCursor');
  });

  it('binds the query as the client wrote it: resource type, filter, canonical sortBy, order', () => {
    const a = parseListParams({ filter: 'userName sw "a"', sortBy: 'USERNAME' }, USER_RESOURCE_TYPE, 10).cursorQuery;
    expect(a).toEqual(['User', 'userName sw "a"', 'userName', false]);
    expect(parseListParams({ filter: 'userName sw "a"', sortBy: 'userName' }, USER_RESOURCE_TYPE, 10).cursorQuery).toEqual(a);
  });
});

describe('readListPage', () => {
  const ITEMS = Array.from({ length: 7 }, (_, i) => ({ id: `id-${i}`, key: i }));
  /** A storage stand-in with the keyset semantics of mailcow/resource-list.ts. */
  async function fetch(q: PageQuery): Promise<PageResult<string>> {
    if (!q.seek) return { total: ITEMS.length, items: ITEMS.slice(q.startIndex - 1, q.startIndex - 1 + q.count).map((x) => x.id) };
    const from = q.seek.from;
    let rows = q.seek.backwards ? ITEMS.filter((x) => !from || x.key < (from.key as number)).reverse() : ITEMS.filter((x) => !from || x.key > (from.key as number));
    const more = rows.length > q.count;
    rows = rows.slice(0, q.count);
    if (q.seek.backwards) rows.reverse();
    return { total: ITEMS.length, items: rows.map((x) => x.id), positions: rows.map((x) => ({ key: x.key, id: x.id })), more };
  }
  const cursors = { key: async () => randomBytes(32), tokenId: 't' };
  const fixedKey = randomBytes(32);
  const fixed = { key: async () => fixedKey, tokenId: 't' };

  it('index paging reports startIndex and no cursors', async () => {
    const page = await readListPage(parseListParams({ startIndex: 3, count: 2 }, USER_RESOURCE_TYPE, 10), cursors, fetch);
    expect(page).toEqual({ total: 7, items: ['id-2', 'id-3'], startIndex: 3 });
    expect(toPagedListResponse(page, [{}, {}])).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 7, itemsPerPage: 2, startIndex: 3, Resources: [{}, {}] });
  });

  it('cursor paging walks forward and back; no previousCursor on the first page, no nextCursor on the last', async () => {
    const pages: string[][] = [];
    let cursor = '';
    let last;
    do {
      last = await readListPage(parseListParams({ cursor, count: 3 }, USER_RESOURCE_TYPE, 10), fixed, fetch);
      expect('previousCursor' in last).toBe(pages.length > 0);
      expect(last.startIndex).toBeUndefined();
      pages.push(last.items);
      cursor = last.nextCursor ?? '';
    } while (cursor);
    expect(pages).toEqual([['id-0', 'id-1', 'id-2'], ['id-3', 'id-4', 'id-5'], ['id-6']]);
    const back = await readListPage(parseListParams({ cursor: last.previousCursor, count: 3 }, USER_RESOURCE_TYPE, 10), fixed, fetch);
    expect(back.items).toEqual(['id-3', 'id-4', 'id-5']);
    const first = await readListPage(parseListParams({ cursor: back.previousCursor, count: 3 }, USER_RESOURCE_TYPE, 10), fixed, fetch);
    expect(first.items).toEqual(['id-0', 'id-1', 'id-2']);
    expect(first.previousCursor).toBeUndefined();
    expect(first.nextCursor).toBeDefined();
  });

  it('count=0 reports totalResults only; no CursorContext means no cursors', async () => {
    expect(await readListPage(parseListParams({ cursor: '', count: 0 }, USER_RESOURCE_TYPE, 10), cursors, fetch)).toEqual({ total: 7, items: [] });
    await expect(readListPage(parseListParams({ cursor: '' }, USER_RESOURCE_TYPE, 10), undefined, fetch)).rejects.toMatchObject({ scimType: 'invalidCursor' });
  });
});
