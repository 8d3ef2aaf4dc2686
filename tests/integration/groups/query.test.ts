/**
 * Listing Groups: filters in SQL select what `evaluateFilter` selects on the groups exactly as
 * GET shows them (the agreement tests/integration/query does for Users), sorting, index and
 * cursor paging (RFC 9865), and the filters real clients send.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP_RESOURCE_TYPE } from '../../../server/src/scim/schema/index.js';
import { filterInMemory, filterOverHttp } from '../../helpers/filter-agreement.js';
import { scimClient } from '../../helpers/http.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { createUser, expectScimError, GROUP, MC_GROUP, patchOp, type Client } from './helpers.js';

let t: TestSidecar;
let api: Client;
let resources: Record<string, unknown>[];
const users: string[] = [];

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain: 'example.org', mailboxes: 100, quotaMiB: 1024 * 1024, maxquotaMiB: 10240 }] });
  const token = await t.sidecar.tokens.create('query', { domains: ['example.org'], defaultDomain: 'example.org' });
  api = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
  for (const n of ['ann', 'ben', 'cat']) users.push(await createUser(api, `${n}@example.org`));
  const groups: Record<string, unknown>[] = [
    { displayName: 'Sales', externalId: 'ext-Sales', address: 'sales@example.org', members: [{ value: users[0] }, { value: users[1] }] },
    { displayName: 'sales emea', externalId: 'ext-sales', members: [{ value: users[1] }] },
    { displayName: 'Équipe', [MC_GROUP]: { emails: [{ value: 'equipe@example.org', type: 'work', primary: true }] }, members: [{ value: users[2] }] },
    { displayName: 'Support', address: 'support@example.org' },
    { displayName: 'Engineering', externalId: 'eng', members: users.map((value) => ({ value })) },
    { displayName: 'ΣΙΣΥΦΟΣ', externalId: 'greek' },
    { displayName: 'Ops 50% _x', externalId: 'ops' },
    { displayName: 'Trailing ', address: 'trailing@example.org', members: [{ value: users[0] }] },
  ];
  for (const g of groups) {
    const r = await api.post('/Groups', { schemas: [GROUP], ...g });
    expect(r.status, r.text).toBe(201);
  }
  // One group renamed and changed, so lastModified and version differ from created.
  const ops = await api.get(`/Groups?filter=${encodeURIComponent('externalId eq "ops"')}`);
  await api.patch(`/Groups/${ops.body.Resources[0].id}`, patchOp({ op: 'replace', path: 'displayName', value: 'Ops 50% _y' }));
  resources = (await api.get('/Groups?count=500')).body.Resources;
  expect(resources).toHaveLength(8);
});
afterAll(async () => {
  await t?.stop();
});

const inMemory = (filter: string) => filterInMemory(filter, GROUP_RESOURCE_TYPE, resources);
const overHttp = async (filter: string, search: boolean) => (await filterOverHttp(api, '/Groups', filter, search)).outcome;

describe('filters in SQL agree with filters in memory', () => {
  const filters = () => [
    'displayName eq "sales"',
    'displayName eq "SALES EMEA"',
    'displayName co "SALES"',
    'displayName sw "s"',
    'displayName ew "emea"',
    'displayName ne "Sales"',
    'displayName gt "Ops"',
    'displayName le "Sales"',
    'displayName eq "équipe"',
    'displayName eq "Equipe"',
    'displayName eq "σισυφοσ"',
    'displayName co "50%"',
    'displayName co "_x"',
    'displayName co "_y"',
    'displayName eq "Trailing"',
    'displayName eq "Trailing "',
    'displayName pr',
    'externalId eq "ext-sales"',
    'externalId eq "EXT-SALES"',
    'externalId pr',
    'not (externalId pr)',
    'externalId sw "ext"',
    `members.value eq "${users[1]}"`,
    `members.value eq "${users[1]!.toUpperCase()}"`,
    `members[value eq "${users[2]}"]`,
    `members[value eq "${users[0]}" or value eq "${users[2]}"]`,
    'members pr',
    'not (members pr)',
    `members.value ne "${users[0]}"`,
    'address eq "SALES@example.org"',
    'address pr',
    `${MC_GROUP}:address sw "s"`,
    'address co "@example.org" and not (members pr)',
    'aliasActive eq true',
    'aliasActive eq false',
    `${MC_GROUP}:aliasActive ne true`,
    'emails.value eq "equipe@example.org"',
    'emails[type eq "work"]',
    `schemas eq "${MC_GROUP}"`,
    'schemas eq "urn:ietf:params:scim:schemas:core:2.0:Group"',
    'meta.resourceType eq "Group"',
    `meta.created gt "${resources[0]!.meta && (resources[0]!.meta as { created: string }).created}"`,
    'meta.lastModified ge "2000-01-01T00:00:00Z"',
    'meta.version eq "W/\\"2\\""',
    `id eq "${resources[3]!.id}"`,
    'displayName sw "S" and (externalId pr or address pr)',
    'displayName sw "S" or displayName sw "E" and externalId eq "eng"',
    'not (displayName co "a") and members pr',
    'DisplayName EQ "Support"',
    `urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "Support"`,
    'displayName eq null',
    'externalId eq null',
    'address ne null',
  ];

  it('every filter selects the same groups (GET and .search), or fails the same way', async () => {
    const mismatches: string[] = [];
    for (const [i, filter] of filters().entries()) {
      const want = inMemory(filter);
      const got = await overHttp(filter, i % 3 === 0);
      if (JSON.stringify(want) !== JSON.stringify(got)) mismatches.push(`${filter}: memory ${JSON.stringify(want)} vs server ${JSON.stringify(got)}`);
    }
    expect(mismatches).toEqual([]);
    // The lookups real clients send find exactly one group.
    expect((inMemory('displayName eq "sales"') as { ids: string[] }).ids).toHaveLength(1);
    expect((inMemory('externalId eq "eng"') as { ids: string[] }).ids).toHaveLength(1);
  });

  it('members sub-attributes other than value are refused with invalidFilter', async () => {
    for (const f of ['members.display eq "x"', 'members[type eq "User"]']) {
      expectScimError(await api.get(`/Groups?filter=${encodeURIComponent(f)}`), 400, 'invalidFilter');
    }
  });
});

describe('sorting and paging', () => {
  it('sortBy displayName, both directions, with startIndex and count', async () => {
    const names = resources.map((r) => String(r.displayName));
    const asc = await api.get('/Groups?sortBy=displayName&count=500');
    expect(asc.body.Resources.map((r: { displayName: string }) => r.displayName)).toEqual(
      [...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0)),
    );
    const desc = await api.get('/Groups?sortBy=displayName&sortOrder=descending&startIndex=2&count=3');
    expect(desc.body).toMatchObject({ totalResults: 8, startIndex: 2, itemsPerPage: 3 });
    expect(desc.body.Resources.map((r: { displayName: string }) => r.displayName)).toEqual(
      asc.body.Resources.map((r: { displayName: string }) => r.displayName).reverse().slice(1, 4),
    );
    const countOnly = await api.get('/Groups?count=0');
    expect(countOnly.body).toMatchObject({ totalResults: 8, itemsPerPage: 0, Resources: [] });
  });

  it('cursor paging (RFC 9865) walks every group once, forwards and back', async () => {
    const seen: string[] = [];
    let page = await api.get('/Groups?cursor=&count=3&sortBy=displayName&excludedAttributes=members');
    const pages = [page.body];
    for (;;) {
      expect(page.status, page.text).toBe(200);
      for (const r of page.body.Resources) {
        expect(r).not.toHaveProperty('members');
        seen.push(r.id);
      }
      if (!page.body.nextCursor) break;
      page = await api.get(`/Groups?cursor=${encodeURIComponent(page.body.nextCursor)}&count=3&sortBy=displayName&excludedAttributes=members`);
      pages.push(page.body);
    }
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
    expect(pages).toHaveLength(3);
    const back = await api.get(`/Groups?cursor=${encodeURIComponent(pages[2].previousCursor)}&count=3&sortBy=displayName&excludedAttributes=members`);
    expect(back.body.Resources.map((r: { id: string }) => r.id)).toEqual(pages[1].Resources.map((r: { id: string }) => r.id));
  });
});
