/**
 * sortBy / sortOrder (RFC 7644 §3.4.2.3) and RFC 9865 cursors over HTTP against MariaDB.
 * The SQL order must be the order scim/sort.ts states, on every sortable attribute type, in
 * both directions, with absent values last (ascending) or first (descending) and id as the
 * tie-break; paging by index and by cursor (forwards and back) must walk exactly that order.
 */
import { describe, expect, it } from 'vitest';
import { checkFilter, parseFilter, type CheckedAttribute } from '../../../server/src/scim/filter/index.js';
import { parseListParams } from '../../../server/src/scim/list-params.js';
import { USER_RESOURCE_TYPE } from '../../../server/src/scim/schema/index.js';
import { compareSortEntries, sortKeyOf } from '../../../server/src/scim/sort.js';
import { scimClient } from '../../helpers/http.js';
import { startTestSidecar } from '../../helpers/sidecar.js';
import { ENT, MC, SEARCH, usePopulation } from './population.js';

const ctx = usePopulation();

const SORTABLE = [
  'userName', 'displayName', 'externalId', 'nickName', 'title', 'userType', 'locale', 'name.givenName', 'name.familyName', 'name.middleName',
  'emails', 'emails.value', 'emails.type', 'emails.display', 'phoneNumbers.value', 'ims.value', 'addresses.locality', 'addresses.country',
  'roles.value', 'x509Certificates.value', 'active', 'id', 'schemas', 'meta.created', 'meta.lastModified', 'meta.version',
  'meta.resourceType', 'meta.location', `${ENT}:department`, `${ENT}:employeeNumber`, `${ENT}:manager.value`, `${MC}:quota`,
  `${MC}:usedBytes`, `${MC}:messageCount`, `${MC}:tags`, `${MC}:mailboxAddress`, `${MC}:protocolAccess.imap`, `${MC}:protocolAccess.sogo`,
  'EMAILS.VALUE', 'urn:ietf:params:scim:schemas:core:2.0:User:name.familyName',
];

/** The order scim/sort.ts defines, on the resources as GET shows them. */
function expectedOrder(sortBy: string | undefined, descending: boolean): string[] {
  const attribute: CheckedAttribute = sortBy
    ? parseListParams({ sortBy }, USER_RESOURCE_TYPE, 500).sortBy!
    : (checkFilter(parseFilter('meta.created pr'), USER_RESOURCE_TYPE) as { attribute: CheckedAttribute }).attribute;
  return ctx.users
    .map((r) => ({ key: sortKeyOf(r, attribute), id: String(r.id) }))
    .sort((x, y) => compareSortEntries(x, y, descending))
    .map((e) => e.id);
}

const ids = (body: { Resources: { id: string }[] }) => body.Resources.map((r) => r.id);

describe('sortBy on every sortable attribute', () => {
  it.each(SORTABLE.flatMap((a) => [[a, 'ascending'], [a, 'descending']]))('%s %s: SQL order = stated order', async (sortBy, sortOrder) => {
    const r = await ctx.pop.api.get(`/Users?count=500&sortBy=${encodeURIComponent(sortBy)}&sortOrder=${sortOrder}`);
    expect(r.status, r.text).toBe(200);
    expect(ids(r.body)).toEqual(expectedOrder(sortBy, sortOrder === 'descending'));
  });

  it('the default order is creation then id; sortOrder alone and its case are accepted', async () => {
    expect(ids((await ctx.pop.api.get('/Users?count=500')).body)).toEqual(expectedOrder(undefined, false));
    expect(ids((await ctx.pop.api.get('/Users?count=500&sortOrder=DESCENDING')).body)).toEqual(expectedOrder(undefined, true));
    expect(ids((await ctx.pop.api.get('/Users?count=500&sortBy=title')).body)).toEqual(expectedOrder('title', false));
  });

  it('index pages of every size walk the same order without gaps or repeats', async () => {
    for (const [sortBy, order] of [['title', 'ascending'], [`${MC}:quota`, 'descending'], ['emails.type', 'ascending']] as const) {
      const all = expectedOrder(sortBy, order === 'descending');
      for (const size of [1, 2, 5]) {
        const seen: string[] = [];
        for (let start = 1; start <= all.length; start += size) {
          const r = await ctx.pop.api.get(`/Users?sortBy=${encodeURIComponent(sortBy)}&sortOrder=${order}&startIndex=${start}&count=${size}`);
          expect(r.body).toMatchObject({ totalResults: all.length, startIndex: start, itemsPerPage: Math.min(size, all.length - start + 1) });
          seen.push(...ids(r.body));
        }
        expect(seen).toEqual(all);
      }
    }
  });

  it('sorts filtered results and .search results the same way', async () => {
    const filter = 'emails.type eq "work"';
    const r = await ctx.pop.api.post('/Users/.search', { schemas: [SEARCH], filter, sortBy: 'name.familyName', sortOrder: 'descending', count: 500 });
    const matching = new Set(ids((await ctx.pop.api.get(`/Users?count=500&filter=${encodeURIComponent(filter)}`)).body));
    expect(ids(r.body)).toEqual(expectedOrder('name.familyName', true).filter((id) => matching.has(id)));
  });

  it('refuses what has no single order: complex attributes, derived groups, unknown names', async () => {
    for (const sortBy of ['name', `${ENT}:manager`, 'groups.display', 'password', 'nosuch', 'emails[type eq "work"]']) {
      const r = await ctx.pop.api.get(`/Users?sortBy=${encodeURIComponent(sortBy)}`);
      expect(r.status, `${sortBy}: ${r.text}`).toBe(400);
      expect(r.body.scimType).toBe('invalidValue');
    }
  });
});

/** Walks all pages forward from the first, returning the pages. */
async function walkForward(query: string, count: number): Promise<{ ids: string[]; body: Record<string, unknown> }[]> {
  const pages: { ids: string[]; body: Record<string, unknown> }[] = [];
  let cursor = '';
  for (let guard = 0; guard < 100; guard++) {
    const r = await ctx.pop.api.get(`/Users?${query}&count=${count}&cursor=${encodeURIComponent(cursor)}`);
    expect(r.status, r.text).toBe(200);
    pages.push({ ids: ids(r.body), body: r.body });
    if (!r.body.nextCursor) return pages;
    cursor = r.body.nextCursor;
  }
  throw new Error('cursor pages never ended');
}

describe('RFC 9865 cursors', () => {
  const SORTS: [string, string | undefined, boolean][] = [
    ['', undefined, false],
    ['sortBy=userName&sortOrder=descending', 'userName', true],
    ['sortBy=title', 'title', false],
    ['sortBy=title&sortOrder=descending', 'title', true],
    [`sortBy=${encodeURIComponent(`${MC}:quota`)}&sortOrder=descending`, `${MC}:quota`, true],
    [`sortBy=${encodeURIComponent(`${ENT}:manager.value`)}`, `${ENT}:manager.value`, false],
    ['sortBy=emails.type', 'emails.type', false],
  ];

  it.each(SORTS)('forward and back through %s: every user once, in order; previousCursor after the first page', async (query, sortBy, descending) => {
    const all = expectedOrder(sortBy, descending);
    for (const count of [1, 3, 5, 12, 50]) {
      const pages = await walkForward(query, count);
      expect(pages.flatMap((p) => p.ids), `count=${count}`).toEqual(all);
      expect(pages.length).toBe(Math.max(1, Math.ceil(all.length / count)));
      for (const [i, p] of pages.entries()) {
        expect(p.body.totalResults).toBe(all.length);
        expect(p.body).not.toHaveProperty('startIndex');
        expect('previousCursor' in p.body, `page ${i}`).toBe(i > 0);
        expect(String(p.body.nextCursor ?? '')).toMatch(/^[A-Za-z0-9_-]*$/);
      }
      // And back from the last page: the same pages, in reverse.
      const back: string[][] = [pages[pages.length - 1]!.ids];
      let previous = pages[pages.length - 1]!.body.previousCursor as string | undefined;
      while (previous) {
        const r = await ctx.pop.api.get(`/Users?${query}&count=${count}&cursor=${encodeURIComponent(previous)}`);
        expect(r.status, r.text).toBe(200);
        expect(r.body.nextCursor).toBeTruthy();
        back.unshift(ids(r.body));
        previous = r.body.previousCursor;
      }
      expect(back).toEqual(pages.map((p) => p.ids));
    }
  });

  it('works through POST /Users/.search with a filter, and count=0 gives totalResults only', async () => {
    const filter = 'emails pr';
    const matching = ids((await ctx.pop.api.get(`/Users?count=500&filter=${encodeURIComponent(filter)}`)).body);
    const seen: string[] = [];
    let cursor = '';
    do {
      const r = await ctx.pop.api.post('/Users/.search', { schemas: [SEARCH], filter, cursor, count: 4, attributes: ['userName'] });
      expect(r.status, r.text).toBe(200);
      expect(Object.keys(r.body.Resources[0]).sort()).toEqual(['id', 'schemas', 'userName']);
      seen.push(...ids(r.body));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(matching);
    const zero = await ctx.pop.api.get('/Users?cursor=&count=0');
    expect(zero.body).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: ctx.users.length, itemsPerPage: 0, Resources: [] });
  });

  it('a bare ?cursor asks for the first page', async () => {
    const r = await ctx.pop.api.get('/Users?cursor&count=2');
    expect(r.status, r.text).toBe(200);
    expect(ids(r.body)).toEqual(expectedOrder(undefined, false).slice(0, 2));
    expect(r.body.nextCursor).toBeTruthy();
  });

  it('refuses tampered cursors, other queries, other counts, other tokens, and startIndex with cursor (400, RFC 9865 §2.1)', async () => {
    const first = await ctx.pop.api.get('/Users?count=2&cursor=&filter=emails%20pr');
    const cursor = first.body.nextCursor as string;
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const expectError = async (path: string, scimType: string) => {
      const r = await ctx.pop.api.get(path);
      expect(r.status, `${path}: ${r.text}`).toBe(400);
      expect(r.body.scimType).toBe(scimType);
      expect(r.body.detail).toMatch(/cursor|count/i);
    };
    for (const bad of [flip(cursor, 5), flip(cursor, 20), flip(cursor, cursor.length - 2), cursor.slice(0, -4), `${cursor}AAAA`, 'nope', 'A'.repeat(80), '!!!']) {
      await expectError(`/Users?count=2&filter=emails%20pr&cursor=${encodeURIComponent(bad)}`, 'invalidCursor');
    }
    await expectError(`/Users?count=2&filter=emails.type%20pr&cursor=${cursor}`, 'invalidCursor');
    await expectError(`/Users?count=2&filter=emails%20pr&sortBy=title&cursor=${cursor}`, 'invalidCursor');
    await expectError(`/Users?count=3&filter=emails%20pr&cursor=${cursor}`, 'invalidCount');
    const r = await ctx.pop.api.get(`/Users?count=2&filter=emails%20pr&cursor=${cursor}&startIndex=3`);
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe('invalidValue');
    const otherToken = (await ctx.pop.t.sidecar.tokens.create('other', { domains: ['example.org'] })).secret;
    const other = await scimClient(ctx.pop.t.baseUrl, otherToken).get(`/Users?count=2&filter=emails%20pr&cursor=${cursor}`);
    expect(other.status).toBe(400);
    expect(other.body.scimType).toBe('invalidCursor');
    // The untouched cursor still works.
    expect((await ctx.pop.api.get(`/Users?count=2&filter=emails%20pr&cursor=${cursor}`)).status).toBe(200);
  });

  it('a cursor outlives the sidecar that issued it: the key is in the database', async () => {
    const first = await ctx.pop.api.get('/Users?count=3&cursor=');
    const second = await startTestSidecar({ db: ctx.pop.t.db });
    try {
      const r = await scimClient(second.baseUrl, ctx.pop.token).get(`/Users?count=3&cursor=${first.body.nextCursor}`);
      expect(r.status, r.text).toBe(200);
      expect(ids(r.body)).toEqual(expectedOrder(undefined, false).slice(3, 6));
    } finally {
      await second.stop();
    }
  });

  it('ServiceProviderConfig advertises both paging methods, index the default (RFC 9865 §4)', async () => {
    const r = await scimClient(ctx.pop.t.baseUrl).get('/ServiceProviderConfig');
    expect(r.body.pagination).toEqual({ cursor: true, index: true, defaultPaginationMethod: 'index', defaultPageSize: 500, maxPageSize: 500 });
  });
});
