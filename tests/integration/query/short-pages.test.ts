/**
 * The short-page path of list reads (resource-list.ts readPage): a first page read before any
 * COUNT, one row longer than asked, is its own totalResults when it comes back short, and every
 * page's rows (with a user's groups, as a JSON column) come in the page's own statement. Each
 * answer here must equal the naive one: COUNT(*) for totalResults, the ids by front-to-back
 * OFFSET (buildListStatements without a total), and each resource as GET by id shows it (the
 * rows and groups read by id, the old path). Empty results, one match, count=1, count=0, a page
 * exactly as long as the list, one row short of it, a partial last page, startIndex past the
 * end, filters, sortBy both ways, Groups too, with group names whose order and JSON escaping
 * matter.
 */
import { randomBytes } from 'node:crypto';
import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_GROUPS_SIDE_TABLE } from '../../../server/src/mailcow/group-members.js';
import { groupListSource } from '../../../server/src/mailcow/group-query.js';
import { buildListStatements, type ListSource } from '../../../server/src/mailcow/resource-list.js';
import { userListSource } from '../../../server/src/mailcow/user-query.js';
import { parseListParams } from '../../../server/src/scim/list-params.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../../server/src/scim/schema/index.js';
import type { Caller } from '../../../server/src/users/index.js';
import { scimClient } from '../../helpers/http.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const domain = `s${randomBytes(4).toString('hex')}.example`;
const USERS = 12;
// Names whose order differs by case and accents, and that JSON must escape.
const GROUP_NAMES = ['beta "quoted"', 'Alpha\\back', 'alpha', 'Émile <tag>', 'zeta\ttab'];
let t: TestSidecar;
let api: ReturnType<typeof scimClient>;
let caller: Caller;
const userIds: string[] = [];

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain, mailboxes: 100, quotaMiB: 100_000 }] });
  const issued = await t.sidecar.tokens.create('short-pages', { domains: [domain] });
  api = scimClient('http://localhost/scim/v2', issued.secret, t.httpSocket);
  caller = { token: issued.token, requestId: 'short-pages', clientIp: null };
  for (let i = 0; i < USERS; i++) {
    // Display names out of creation order, so sortBy orders differ from the default.
    const res = await api.post('/Users', { schemas: [CORE], userName: `user${i}@${domain}`, displayName: `Name ${(i * 7) % USERS}`, externalId: `ext-${i % 3}` });
    expect(res.status).toBe(201);
    userIds.push(String(res.body.id));
  }
  // User 0 is in every group, user 1 in some, the rest in none.
  for (const [k, name] of GROUP_NAMES.entries()) {
    const members = [userIds[0], ...(k % 2 ? [userIds[1]] : [])].map((value) => ({ value }));
    expect((await api.post('/Groups', { schemas: [GROUP], displayName: name, members })).status).toBe(201);
  }
}, 180_000);

afterAll(async () => {
  await t?.stop();
});

/** The answer the naive reads give for `query` on `path`. */
async function naive(path: '/Users' | '/Groups', query: Record<string, string>): Promise<Record<string, unknown>> {
  const users = path === '/Users';
  const src: ListSource = users ? userListSource(caller, USER_GROUPS_SIDE_TABLE) : groupListSource(caller);
  const q = parseListParams(query, users ? USER_RESOURCE_TYPE : GROUP_RESOURCE_TYPE, t.config.maxPageSize);
  const st = buildListStatements(src, q);
  const [[counted]] = await t.db.pool.query<RowDataPacket[]>(st.count.sql, st.count.params);
  const ids = st.page ? (await t.db.pool.query<RowDataPacket[]>(st.page.sql, st.page.params))[0].map((r) => String(r.id)) : [];
  const resources = [];
  for (const id of ids) {
    const one = await api.get(`${path}/${id}`);
    expect(one.status).toBe(200);
    resources.push(one.body);
  }
  return { totalResults: Number(counted!.n), itemsPerPage: resources.length, startIndex: q.startIndex, Resources: resources };
}

async function listed(path: '/Users' | '/Groups', query: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await api.get(`${path}?${new URLSearchParams(query)}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const { totalResults, itemsPerPage, startIndex, Resources } = res.body as Record<string, unknown>;
  return { totalResults, itemsPerPage, startIndex, Resources: Resources ?? [] };
}

const USER_CASES: [string, Record<string, string>][] = [
  ['a lookup with no match', { filter: `userName eq "nobody@${domain}"` }],
  ['a lookup with one match (the user in every group)', { filter: `userName eq "USER0@${domain}"` }],
  ['a lookup with one match, count=1', { filter: `userName eq "user1@${domain}"`, count: '1' }],
  ['a lookup with one match, count=0', { filter: `userName eq "user1@${domain}"`, count: '0' }],
  ['a lookup by id', { filter: 'id eq "ID1"' }],
  ['a lookup by externalId, several matches', { filter: 'externalId eq "ext-1"' }],
  ['a lookup with one match, startIndex 2', { filter: `userName eq "user1@${domain}"`, startIndex: '2' }],
  ['no filter, the whole list on one page', {}],
  ['a page exactly as long as the list', { count: String(USERS) }],
  ['a page one row shorter than the list', { count: String(USERS - 1) }],
  ['a full first page', { count: '5' }],
  ['a partial last page', { startIndex: String(USERS - 2), count: '5' }],
  ['startIndex just past the end', { startIndex: String(USERS + 1), count: '5' }],
  ['startIndex far past the end', { startIndex: '1000', count: '5' }],
  ['count=0 without a filter', { count: '0' }],
  ['a filter matching some, sortBy=displayName', { filter: 'externalId eq "ext-2"', sortBy: 'displayName' }],
  ['sortBy=displayName descending, a full page', { sortBy: 'displayName', sortOrder: 'descending', count: '4' }],
  ['sortBy=userName descending, the whole list', { sortBy: 'userName', sortOrder: 'descending' }],
  ['a filter on groups', { filter: `groups.display eq "alpha"` }],
  ['a filter on groups, count=1 (full, then counted)', { filter: `groups.display sw "a"`, count: '1' }],
];

describe('a Users page is the naive page', () => {
  it.each(USER_CASES)('%s', async (_, raw) => {
    const query = raw.filter?.includes('ID1') ? { ...raw, filter: `id eq "${userIds[1]}"` } : raw;
    const want = await naive('/Users', query);
    expect(await listed('/Users', query)).toEqual(want);
  });

  it("a user's groups come in the order and spelling GET by id gives", async () => {
    const page = await listed('/Users', { filter: `userName eq "user0@${domain}"` });
    const [user] = page.Resources as { groups: { display: string }[] }[];
    expect(user!.groups.map((g) => g.display)).toHaveLength(GROUP_NAMES.length);
    expect(new Set(user!.groups.map((g) => g.display))).toEqual(new Set(GROUP_NAMES));
  });
});

const GROUP_CASES: [string, Record<string, string>][] = [
  ['a lookup by displayName with no match', { filter: 'displayName eq "nothing"' }],
  ['a lookup by displayName with one match', { filter: 'displayName eq "alpha"' }],
  ['a lookup with one match, count=1', { filter: 'displayName eq "alpha"', count: '1' }],
  ['every group, members excluded', { excludedAttributes: 'members' }],
  ['every group with members', {}],
  ['a full first page', { count: '2' }],
  ['a partial last page', { startIndex: '4', count: '3' }],
  ['startIndex past the end', { startIndex: '9', count: '3' }],
  ['sortBy=displayName descending', { sortBy: 'displayName', sortOrder: 'descending' }],
  ['count=0', { count: '0' }],
];

describe('a Groups page is the naive page', () => {
  it.each(GROUP_CASES)('%s', async (_, query) => {
    const want = await naive('/Groups', query);
    const got = await listed('/Groups', query);
    if (query.excludedAttributes) for (const r of want.Resources as Record<string, unknown>[]) delete r.members;
    expect(got).toEqual(want);
  });
});
