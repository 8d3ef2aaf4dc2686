/**
 * POST /.search at the root (RFC 7644 §3.4.3) over Users and Groups, and attributes /
 * excludedAttributes (RFC 7644 §3.4.2.5, §3.9) on every kind of read: POST, GET, PUT and PATCH
 * answers, lists and .search, including the `emails[type eq "work"].value` form Microsoft's
 * test collection sends and the `returned` characteristics (always, never).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { CORE, ENT, GROUP, MC, PATCH_OP, SEARCH } from './population.js';

let t: TestSidecar;
let api: ReturnType<typeof scimClient>;
const users: Record<string, string> = {};
const groups: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain: 'example.org', mailboxes: 100, quotaMiB: 1024 * 1024, maxquotaMiB: 10240 }] });
  const token = (await t.sidecar.tokens.create('search', { domains: ['example.org'], defaultDomain: 'example.org' })).secret;
  api = scimClient(t.baseUrl, token);
  for (const [userName, displayName] of [['anna', 'Anna Alpha'], ['bert', 'Bert Beta'], ['cleo', 'Cleo Gamma'], ['dora', 'Dora Delta']] as const) {
    const r = await api.post('/Users', {
      schemas: [CORE, ENT], userName, displayName, name: { givenName: displayName.split(' ')[0], familyName: displayName.split(' ')[1] },
      emails: [{ value: `${userName}@example.org`, type: 'work', primary: true }, { value: `${userName}@home.example`, type: 'home' }],
      [ENT]: { department: 'Ops' }, password: 'Secret-1',
    });
    expect(r.status, r.text).toBe(201);
    users[userName!] = r.body.id;
  }
  for (const [displayName, members] of [['Alpha Team', ['anna', 'bert']], ['Zeta Team', ['cleo']], ['Beta Crew', []]] as const) {
    const r = await api.post('/Groups', { schemas: [GROUP], displayName, members: members.map((m) => ({ value: users[m] })) });
    expect(r.status, r.text).toBe(201);
    groups[displayName] = r.body.id;
  }
});
afterAll(async () => {
  await t?.stop();
});

const search = (body: Record<string, unknown>) => api.post('/.search', { schemas: [SEARCH], ...body });
const idsOf = (r: { body: { Resources: { id: string }[] } }) => r.body.Resources.map((x) => x.id);
const typesOf = (r: { body: { Resources: { meta: { resourceType: string } }[] } }) => r.body.Resources.map((x) => x.meta.resourceType);

describe('POST /.search at the root', () => {
  it('lists every User, then every Group, each type in its own order', async () => {
    const r = await search({});
    expect(r.status, r.text).toBe(200);
    expect(r.body.totalResults).toBe(7);
    const usersList = idsOf(await api.get('/Users'));
    const groupsList = idsOf(await api.get('/Groups'));
    expect(idsOf(r)).toEqual([...usersList, ...groupsList]);
    expect(typesOf(r)).toEqual(['User', 'User', 'User', 'User', 'Group', 'Group', 'Group']);
  });

  it('pages across the two types exactly (startIndex/count)', async () => {
    const all = idsOf(await search({}));
    for (const count of [1, 2, 3, 5]) {
      const seen: string[] = [];
      for (let startIndex = 1; startIndex <= all.length; startIndex += count) {
        const r = await search({ startIndex, count });
        expect(r.body).toMatchObject({ totalResults: 7, startIndex, itemsPerPage: Math.min(count, 7 - startIndex + 1) });
        seen.push(...idsOf(r));
      }
      expect(seen).toEqual(all);
    }
    expect((await search({ count: 0 })).body).toMatchObject({ totalResults: 7, itemsPerPage: 0, Resources: [] });
    expect((await search({ startIndex: 99 })).body).toMatchObject({ totalResults: 7, itemsPerPage: 0 });
  });

  it('filters each type with what it has: displayName on both, userName on Users, members on Groups', async () => {
    const both = await search({ filter: 'displayName co "alpha"' });
    expect(idsOf(both)).toEqual([users.anna, groups['Alpha Team']]);
    expect(idsOf(await search({ filter: 'userName sw "b"' }))).toEqual([users.bert]);
    expect(idsOf(await search({ filter: `members[value eq "${users.cleo}"]` }))).toEqual([groups['Zeta Team']]);
    expect(idsOf(await search({ filter: 'displayName co "team" or displayName co "delta"' }))).toEqual([users.dora, groups['Alpha Team'], groups['Zeta Team']]);
    const refused = await search({ filter: 'nosuch eq "x"' });
    expect(refused.status).toBe(400);
    expect(refused.body.scimType).toBe('invalidFilter');
  });

  it('sorts each type; a type without the sortBy attribute follows when ascending and leads when descending', async () => {
    const byName = await search({ sortBy: 'displayName', sortOrder: 'descending' });
    expect(idsOf(byName)).toEqual([users.dora, users.cleo, users.bert, users.anna, groups['Zeta Team'], groups['Beta Crew'], groups['Alpha Team']]);
    const byUserName = await search({ sortBy: 'userName', sortOrder: 'descending' });
    const groupsList = idsOf(await api.get('/Groups'));
    expect(idsOf(byUserName)).toEqual([...groupsList, users.dora, users.cleo, users.bert, users.anna]);
    expect(idsOf(await search({ sortBy: 'userName' }))).toEqual([users.anna, users.bert, users.cleo, users.dora, ...groupsList]);
    const none = await search({ sortBy: 'nosuch' });
    expect(none.status).toBe(400);
  });

  it('projects each resource, and refuses cursors and bodies that are no SearchRequest', async () => {
    const r = await search({ attributes: ['displayName'], filter: 'displayName co "alpha"' });
    expect(r.body.Resources).toEqual([
      { schemas: expect.any(Array), id: users.anna, displayName: 'Anna Alpha' },
      { schemas: expect.any(Array), id: groups['Alpha Team'], displayName: 'Alpha Team' },
    ]);
    const cursor = await search({ cursor: '' });
    expect(cursor.status).toBe(400);
    expect(cursor.body.detail).toMatch(/Users\/\.search/);
    expect((await api.post('/.search', { filter: 'id pr' })).status).toBe(400);
    expect((await api.post('/.search', [1])).body.scimType).toBe('invalidSyntax');
  });
});

describe('attributes and excludedAttributes on every read', () => {
  const keys = (o: Record<string, unknown>) => Object.keys(o).sort();

  it('POST, PUT and PATCH answers are projected; ETag and Location stay', async () => {
    const created = await api.post('/Users?attributes=userName', { schemas: [CORE], userName: 'erik', name: { givenName: 'Erik' }, emails: [{ value: 'erik@example.org', type: 'work' }] });
    expect(created.status, created.text).toBe(201);
    expect(keys(created.body)).toEqual(['id', 'schemas', 'userName']);
    expect(created.headers.etag).toBe('W/"1"');
    expect(created.headers.location).toMatch(new RegExp(`/Users/${created.body.id}$`));
    const id = created.body.id as string;
    const put = await api.put(`/Users/${id}?excludedAttributes=emails,name,meta,${MC}`, { schemas: [CORE], userName: 'erik', displayName: 'Erik E', name: { givenName: 'Erik' }, emails: [{ value: 'erik@example.org', type: 'work' }] });
    expect(put.status, put.text).toBe(200);
    expect(keys(put.body)).toEqual(['displayName', 'id', 'schemas', 'userName']);
    expect(put.headers.etag).toBe('W/"2"');
    const patch = await api.patch(`/Users/${id}?attributes=${encodeURIComponent('emails[type eq "work"].value')}`, {
      schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'emails', value: [{ value: 'erik@home.example', type: 'home' }] }],
    });
    expect(patch.status, patch.text).toBe(200);
    expect(patch.body).toEqual({ schemas: expect.any(Array), id, emails: [{ value: 'erik@example.org' }] });
    expect(patch.headers.etag).toBe('W/"3"');
  });

  it('GET of one user: the Microsoft filtered form, sub-attributes, extension URNs, always and never', async () => {
    const id = users.anna!;
    const get = (query: string) => api.get(`/Users/${id}?${query}`);
    expect((await get(`attributes=${encodeURIComponent('emails[type eq "work"].value')}`)).body.emails).toEqual([{ value: 'anna@example.org' }]);
    expect((await get(`attributes=${encodeURIComponent('emails[type eq "home"]')}`)).body.emails).toEqual([{ value: 'anna@home.example', type: 'home' }]);
    expect((await get('attributes=name.givenName')).body.name).toEqual({ givenName: 'Anna' });
    expect((await get(`attributes=${encodeURIComponent(`${ENT}:department`)}`)).body[ENT]).toEqual({ department: 'Ops' });
    const noExtension = (await get(`excludedAttributes=${encodeURIComponent(MC)}`)).body;
    expect(noExtension[MC]).toBeUndefined();
    expect(noExtension.userName).toBe('anna');
    const always = (await get('excludedAttributes=id,schemas,userName')).body;
    expect(always.id).toBe(id);
    expect(always.schemas).toContain(CORE);
    expect(always.userName).toBeUndefined();
    expect((await get('attributes=password')).body.password).toBeUndefined();
    expect(keys((await get('attributes=USERNAME,Emails.Value')).body)).toEqual(['emails', 'id', 'schemas', 'userName']);
  });

  it('lists, /Users/.search and /Groups honour them too', async () => {
    const list = await api.get(`/Users?filter=${encodeURIComponent('userName eq "bert"')}&attributes=${encodeURIComponent('emails[type eq "work"].value,displayName')}`);
    expect(list.body.Resources).toEqual([{ schemas: expect.any(Array), id: users.bert, displayName: 'Bert Beta', emails: [{ value: 'bert@example.org' }] }]);
    const searched = await api.post('/Users/.search', { schemas: [SEARCH], filter: 'userName eq "cleo"', excludedAttributes: ['emails', 'name', 'meta', 'groups', ENT, MC] });
    expect(keys(searched.body.Resources[0])).toEqual(['displayName', 'id', 'schemas', 'userName']);
    const group = await api.get(`/Groups/${groups['Alpha Team']}?excludedAttributes=members`);
    expect(group.body.members).toBeUndefined();
    expect(group.body.displayName).toBe('Alpha Team');
    const members = await api.get(`/Groups/${groups['Alpha Team']}?attributes=members.value`);
    expect(members.body.members.map((m: { value: string }) => m.value).sort()).toEqual([users.anna, users.bert].sort());
    expect(keys(members.body)).toEqual(['id', 'members', 'schemas']);
  });
});
