/**
 * A group's life as a mailcow distribution list, over the real HTTP socket against real
 * MariaDB: after each step, the alias row (address, goto, active), the sender ACL rows, the
 * members' SOGo rows and the users' derived `groups` are read back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { rowsOf } from '../../helpers/mailcow-rows.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { aliasRow, createUser, expectScimError, GROUP, MC_GROUP, memberIds, patchOp, sendersOf, sogoAliases, type Client } from './helpers.js';

let t: TestSidecar;
let api: Client;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain: 'example.org', mailboxes: 100, quotaMiB: 1024 * 1024, maxquotaMiB: 10240 }] });
  const token = await t.sidecar.tokens.create('Okta', { domains: ['example.org'], defaultDomain: 'example.org', groupSenderAcl: true });
  api = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
  for (const name of ['alice', 'bob', 'carol', 'dave']) ids[name] = await createUser(api, `${name}@example.org`, { displayName: name[0]!.toUpperCase() + name.slice(1) });
});
afterAll(async () => {
  await t?.stop();
});

const addr = (name: string) => `${name}@example.org`;

describe('a group with an address is a mailcow alias', () => {
  let id: string;

  it('POST /Groups writes the alias like mailcow, owned by the sidecar, with sender ACLs and SOGo rows', async () => {
    const r = await api.post('/Groups', {
      schemas: [GROUP, MC_GROUP],
      displayName: 'Sales',
      externalId: 'okta-sales',
      members: [{ value: ids.bob, display: 'Bob' }, { value: ids.alice }],
      [MC_GROUP]: { address: 'Sales@Example.org' },
    });
    expect(r.status, r.text).toBe(201);
    id = r.body.id;
    expect(r.headers.location).toMatch(new RegExp(`/scim/v2/Groups/${id}$`));
    expect(r.headers.etag).toBe('W/"1"');
    expect(r.body).toMatchObject({ displayName: 'Sales', externalId: 'okta-sales', meta: { resourceType: 'Group', version: 'W/"1"' } });
    expect(r.body[MC_GROUP]).toEqual({ address: 'sales@example.org', aliasActive: true });
    // Members come back in the order they were given (and joined).
    expect(r.body.members).toEqual([
      { value: ids.bob, display: 'Bob', $ref: `http://localhost/scim/v2/Users/${ids.bob}`, type: 'User' },
      { value: ids.alice, display: 'Alice', $ref: `http://localhost/scim/v2/Users/${ids.alice}`, type: 'User' },
    ]);

    expect(await aliasRow(t.db.pool, 'sales@example.org')).toEqual({
      address: 'sales@example.org',
      goto: 'alice@example.org,bob@example.org',
      domain: 'example.org',
      active: 1,
      sogo_visible: 1,
      internal: 0,
      sender_allowed: 0,
      private_comment: 'mailcow-scim: SCIM group Sales',
      public_comment: null,
    });
    const [created] = await rowsOf(t.db.pool, `SELECT created, modified FROM alias WHERE address = 'sales@example.org'`);
    expect(created!.created).not.toBeNull();
    expect(created!.modified).toBeNull();
    expect(await rowsOf(t.db.pool, `SELECT kind, user_id, group_id FROM mailcow_scim_owned_aliases WHERE address = 'sales@example.org'`)).toEqual([{ kind: 'group', user_id: null, group_id: id }]);
    expect(await sendersOf(t.db.pool, 'sales@example.org')).toEqual([addr('alice'), addr('bob')]);
    expect(await sogoAliases(t.db.pool, addr('alice'))).toEqual(['sales@example.org']);
    expect(await sogoAliases(t.db.pool, addr('bob'))).toEqual(['sales@example.org']);
    expect(await sogoAliases(t.db.pool, addr('carol'))).toEqual([]);
  });

  it("members' `groups` attribute is derived, and filters on it work", async () => {
    const alice = await api.get(`/Users/${ids.alice}`);
    expect(alice.body.groups).toEqual([{ value: id, display: 'Sales', $ref: `http://localhost/scim/v2/Groups/${id}`, type: 'direct' }]);
    expect(alice.body.meta.version).toBe('W/"2"');
    for (const filter of ['groups[display eq "sales"]', `groups.value eq "${id}"`, 'groups.display eq "Sales"']) {
      const r = await api.get(`/Users?filter=${encodeURIComponent(filter)}`);
      expect(r.status, r.text).toBe(200);
      expect(r.body.Resources.map((u: { id: string }) => u.id).sort(), filter).toEqual([ids.alice, ids.bob].sort());
    }
  });

  it('GET, filters (displayName, externalId, members.value, address), excludedAttributes=members, .search, ETags', async () => {
    const one = await api.get(`/Groups/${id}`);
    expect(one.status).toBe(200);
    expect(memberIds(one.body)).toEqual([ids.alice, ids.bob].sort());
    expect((await api.get(`/Groups/${id}`, { 'if-none-match': one.headers.etag as string })).status).toBe(304);

    for (const filter of ['displayName eq "SALES"', 'externalId eq "okta-sales"', `members.value eq "${ids.bob}"`, `members[value eq "${ids.alice}"]`, 'address eq "sales@example.org"', `${MC_GROUP}:address sw "sales@"`]) {
      const r = await api.get(`/Groups?filter=${encodeURIComponent(filter)}`);
      expect(r.status, `${filter}: ${r.text}`).toBe(200);
      expect(r.body.Resources.map((g: { id: string }) => g.id), filter).toEqual([id]);
    }
    expect((await api.get(`/Groups?filter=${encodeURIComponent(`members.value eq "${ids.carol}"`)}`)).body.totalResults).toBe(0);
    expect((await api.get(`/Groups?filter=${encodeURIComponent('externalId eq "OKTA-SALES"')}`)).body.totalResults).toBe(0);

    // Entra's lookup: excludedAttributes=members, filter with '+' for spaces.
    const lookup = await api.get(`/Groups?excludedAttributes=members&filter=displayName+eq+%22Sales%22`);
    expect(lookup.status, lookup.text).toBe(200);
    expect(lookup.body.Resources).toHaveLength(1);
    expect(lookup.body.Resources[0]).not.toHaveProperty('members');
    expect(lookup.body.Resources[0]).toMatchObject({ id, displayName: 'Sales' });

    const search = await api.post('/Groups/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'displayName sw "Sa"', attributes: ['displayName'] });
    expect(search.status, search.text).toBe(200);
    expect(search.body.Resources).toEqual([{ schemas: expect.any(Array), id, displayName: 'Sales' }]);

    const stale = await api.patch(`/Groups/${id}`, patchOp({ op: 'replace', path: 'displayName', value: 'x' }), { 'if-match': 'W/"99"' });
    expectScimError(stale, 412);
    expect((await api.get(`/Groups/${id}`)).body.displayName).toBe('Sales');
  });

  it('Entra adds members with "$ref": null, several per PATCH, and gets 200 with the group', async () => {
    const r = await api.patch(`/Groups/${id}`, patchOp({ op: 'Add', path: 'members', value: [{ $ref: null, value: ids.carol }, { $ref: null, value: ids.dave }] }));
    expect(r.status, r.text).toBe(200);
    expect(memberIds(r.body)).toEqual([ids.alice, ids.bob, ids.carol, ids.dave].sort());
    expect(r.body.meta.version).toBe('W/"2"');
    expect((await aliasRow(t.db.pool, 'sales@example.org'))!.goto).toBe('alice@example.org,bob@example.org,carol@example.org,dave@example.org');
    expect(await sendersOf(t.db.pool, 'sales@example.org')).toEqual(['alice', 'bob', 'carol', 'dave'].map(addr));
    expect(await sogoAliases(t.db.pool, addr('dave'))).toEqual(['sales@example.org']);
  });

  it('Okta (and Entra with the flag) remove one member with a filtered path', async () => {
    const r = await api.patch(`/Groups/${id}`, patchOp({ op: 'remove', path: `members[value eq "${ids.carol}"]` }));
    expect(r.status, r.text).toBe(200);
    expect(memberIds(r.body)).toEqual([ids.alice, ids.bob, ids.dave].sort());
    expect((await aliasRow(t.db.pool, 'sales@example.org'))!.goto).toBe('alice@example.org,bob@example.org,dave@example.org');
    expect(await sendersOf(t.db.pool, 'sales@example.org')).toEqual(['alice', 'bob', 'dave'].map(addr));
    expect(await sogoAliases(t.db.pool, addr('carol'))).toEqual([]);
    expect((await api.get(`/Users/${ids.carol}`)).body.groups).toBeUndefined();
  });

  it('Entra (default), authentik and JumpCloud remove with path "members" and a value list: only the listed ones', async () => {
    const entra = await api.patch(`/Groups/${id}`, patchOp({ op: 'Remove', path: 'members', value: [{ $ref: null, value: ids.dave }] }));
    expect(entra.status, entra.text).toBe(200);
    expect(memberIds(entra.body)).toEqual([ids.alice, ids.bob].sort());
    const authentik = await api.patch(`/Groups/${id}`, patchOp({ op: 'remove', path: 'members', value: [{ value: ids.bob }] }));
    expect(authentik.status, authentik.text).toBe(200);
    expect(memberIds(authentik.body)).toEqual([ids.alice]);
    expect(await aliasRow(t.db.pool, 'sales@example.org')).toMatchObject({ goto: 'alice@example.org', active: 1 });
    expect(await sendersOf(t.db.pool, 'sales@example.org')).toEqual([addr('alice')]);
    expect(await sogoAliases(t.db.pool, addr('bob'))).toEqual([]);
    // A removal of someone who is not a member changes nothing and is no error (clients retry).
    const again = await api.patch(`/Groups/${id}`, patchOp({ op: 'remove', path: 'members', value: [{ value: ids.bob }] }));
    expect(again.status).toBe(200);
    expect(memberIds(again.body)).toEqual([ids.alice]);
  });

  it('Keycloak removes all members with path "members" and no value: the alias stays reserved, inactive, with no goto', async () => {
    const r = await api.patch(`/Groups/${id}`, patchOp({ op: 'remove', path: 'members' }));
    expect(r.status, r.text).toBe(200);
    expect(r.body).not.toHaveProperty('members');
    expect(r.body[MC_GROUP]).toEqual({ address: 'sales@example.org', aliasActive: false });
    expect(await aliasRow(t.db.pool, 'sales@example.org')).toMatchObject({ goto: '', active: 0 });
    expect(await sendersOf(t.db.pool, 'sales@example.org')).toEqual([]);
    expect(await sogoAliases(t.db.pool, addr('alice'))).toEqual([]);
  });

  it('Keycloak PUT with relative $ref members sets them; a PUT without members means no members', async () => {
    const put = await api.put(`/Groups/${id}`, {
      schemas: [GROUP, MC_GROUP],
      externalId: 'kc-1',
      displayName: 'Sales',
      members: [{ value: ids.carol, $ref: `Users/${ids.carol}` }, { $ref: `Users/${ids.alice}` }],
      [MC_GROUP]: { address: 'sales@example.org' },
    });
    expect(put.status, put.text).toBe(200);
    expect(memberIds(put.body)).toEqual([ids.alice, ids.carol].sort());
    expect(await aliasRow(t.db.pool, 'sales@example.org')).toMatchObject({ goto: 'alice@example.org,carol@example.org', active: 1 });
    expect(await sendersOf(t.db.pool, 'sales@example.org')).toEqual([addr('alice'), addr('carol')]);

    const empty = await api.put(`/Groups/${id}`, { schemas: [GROUP], externalId: 'kc-1', displayName: 'Sales', [MC_GROUP]: { address: 'sales@example.org' } });
    expect(empty.status, empty.text).toBe(200);
    expect(empty.body).not.toHaveProperty('members');
    expect(await aliasRow(t.db.pool, 'sales@example.org')).toMatchObject({ goto: '', active: 0 });
    expect(await sendersOf(t.db.pool, 'sales@example.org')).toEqual([]);
  });

  it('Okta pushes a rename as a path-less replace with the group id; the comment and the users\' groups follow', async () => {
    await api.patch(`/Groups/${id}`, patchOp({ op: 'add', path: 'members', value: [{ value: ids.alice, display: 'Alice' }] }));
    const r = await api.patch(`/Groups/${id}`, patchOp({ op: 'replace', value: { id, displayName: 'Sales Team' } }));
    expect(r.status, r.text).toBe(200);
    expect(r.body.displayName).toBe('Sales Team');
    expect((await aliasRow(t.db.pool, 'sales@example.org'))!.private_comment).toBe('mailcow-scim: SCIM group Sales Team');
    expect((await api.get(`/Users/${ids.alice}`)).body.groups).toMatchObject([{ value: id, display: 'Sales Team' }]);
    // Okta's "replace all" form of a push.
    const all = await api.patch(`/Groups/${id}`, patchOp({ op: 'replace', path: 'members', value: [{ value: ids.bob, display: 'Bob' }, { value: ids.dave, display: 'Dave' }] }));
    expect(all.status, all.text).toBe(200);
    expect(memberIds(all.body)).toEqual([ids.bob, ids.dave].sort());
    expect((await aliasRow(t.db.pool, 'sales@example.org'))!.goto).toBe('bob@example.org,dave@example.org');
    expect(await sendersOf(t.db.pool, 'sales@example.org')).toEqual([addr('bob'), addr('dave')]);
  });

  it('unknown member ids are 400 invalidValue naming them, and nothing is applied', async () => {
    const before = await api.get(`/Groups/${id}`);
    const unknown = '00000000-0000-4000-8000-000000000000';
    const r = await api.patch(`/Groups/${id}`, patchOp({ op: 'add', path: 'members', value: [{ value: ids.carol }, { value: unknown }] }));
    expectScimError(r, 400, 'invalidValue');
    expect(r.body.detail).toContain(unknown);
    expect(r.body.detail).not.toContain(ids.carol);
    const after = await api.get(`/Groups/${id}`);
    expect(after.body.meta.version).toBe(before.body.meta.version);
    expect(memberIds(after.body)).toEqual(memberIds(before.body));
    expect((await aliasRow(t.db.pool, 'sales@example.org'))!.goto).toBe('bob@example.org,dave@example.org');
    // Nested groups have no mailcow meaning.
    expectScimError(await api.patch(`/Groups/${id}`, patchOp({ op: 'add', path: 'members', value: [{ value: id, type: 'Group' }] })), 400, 'invalidValue');
  });

  it('a user of another token is unknown here too', async () => {
    const other = await t.sidecar.tokens.create('other', { domains: ['example.org'] });
    const otherApi = scimClient('http://localhost/scim/v2', other.secret, t.httpSocket);
    const stranger = await createUser(otherApi, 'stranger@example.org');
    const r = await api.patch(`/Groups/${id}`, patchOp({ op: 'add', path: 'members', value: [{ value: stranger }] }));
    expectScimError(r, 400, 'invalidValue');
    expect(r.body.detail).toContain(stranger);
    // And the other token cannot see this group at all.
    expect((await otherApi.get(`/Groups/${id}`)).status).toBe(404);
    expect((await otherApi.get('/Groups')).body.totalResults).toBe(0);
  });
});

describe("a member's state moves the goto list", () => {
  let id: string;
  beforeAll(async () => {
    const r = await api.post('/Groups', { schemas: [GROUP], displayName: 'Support', members: [{ value: ids.alice }, { value: ids.carol }], address: 'support@example.org' });
    expect(r.status, r.text).toBe(201);
    id = r.body.id;
  });

  it('deactivating a member takes it out of goto and sender ACLs; reactivating puts it back', async () => {
    expect(await aliasRow(t.db.pool, 'support@example.org')).toMatchObject({ goto: 'alice@example.org,carol@example.org', active: 1 });
    const off = await api.patch(`/Users/${ids.carol}`, patchOp({ op: 'Replace', path: 'active', value: 'False' }));
    expect(off.status, off.text).toBe(200);
    expect(await aliasRow(t.db.pool, 'support@example.org')).toMatchObject({ goto: 'alice@example.org', active: 1 });
    expect(await sendersOf(t.db.pool, 'support@example.org')).toEqual([addr('alice')]);
    // Still a member: SCIM membership is not mailcow delivery.
    expect(memberIds((await api.get(`/Groups/${id}`)).body)).toEqual([ids.alice, ids.carol].sort());
    const alone = await api.patch(`/Users/${ids.alice}`, patchOp({ op: 'replace', value: { active: false } }));
    expect(alone.status).toBe(200);
    expect(await aliasRow(t.db.pool, 'support@example.org')).toMatchObject({ goto: '', active: 0 });
    expect((await api.get(`/Groups/${id}`)).body[MC_GROUP].aliasActive).toBe(false);

    for (const name of ['alice', 'carol']) expect((await api.patch(`/Users/${ids[name]}`, patchOp({ op: 'replace', path: 'active', value: true }))).status).toBe(200);
    expect(await aliasRow(t.db.pool, 'support@example.org')).toMatchObject({ goto: 'alice@example.org,carol@example.org', active: 1 });
    expect(await sendersOf(t.db.pool, 'support@example.org')).toEqual([addr('alice'), addr('carol')]);
    expect(await sogoAliases(t.db.pool, addr('carol'))).toEqual(['support@example.org']);
  });

  it('deleting a member user takes it out of the group, the goto list and the sender ACLs', async () => {
    const erin = await createUser(api, 'erin@example.org');
    await api.patch(`/Groups/${id}`, patchOp({ op: 'add', path: 'members', value: [{ value: erin }] }));
    expect((await aliasRow(t.db.pool, 'support@example.org'))!.goto).toBe('alice@example.org,carol@example.org,erin@example.org');
    const version = (await api.get(`/Groups/${id}`)).body.meta.version;
    expect((await api.delete(`/Users/${erin}`)).status).toBe(204);
    const g = await api.get(`/Groups/${id}`);
    expect(memberIds(g.body)).toEqual([ids.alice, ids.carol].sort());
    expect(g.body.meta.version).not.toBe(version);
    expect(await aliasRow(t.db.pool, 'support@example.org')).toMatchObject({ goto: 'alice@example.org,carol@example.org', active: 1 });
    expect(await sendersOf(t.db.pool, 'support@example.org')).toEqual([addr('alice'), addr('carol')]);
  });
});

describe("mailcow's own deletes", () => {
  it('a member deleted the way mailcow deletes (token on_delete "delete") leaves the list first; the alias stays', async () => {
    const token = await t.sidecar.tokens.create('purge', { domains: ['example.org'], onDelete: 'delete', groupSenderAcl: true });
    const c = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
    const [kim, lou] = [await createUser(c, 'kim@example.org'), await createUser(c, 'lou@example.org')];
    const g = await c.post('/Groups', { schemas: [GROUP], displayName: 'Pair', address: 'pair@example.org', members: [{ value: kim }, { value: lou }] });
    expect(g.status, g.text).toBe(201);
    expect((await c.delete(`/Users/${kim}`)).status).toBe(204);
    expect(await rowsOf(t.db.pool, `SELECT * FROM mailbox WHERE username = 'kim@example.org'`)).toEqual([]);
    expect(await aliasRow(t.db.pool, 'pair@example.org')).toMatchObject({ goto: 'lou@example.org', active: 1 });
    expect(await sendersOf(t.db.pool, 'pair@example.org')).toEqual(['lou@example.org']);
    expect((await c.delete(`/Users/${lou}`)).status).toBe(204);
    // mailcow's delete removes aliases whose only target was the mailbox; ours left the list before that.
    expect(await aliasRow(t.db.pool, 'pair@example.org')).toMatchObject({ goto: '', active: 0 });
    expect(await sendersOf(t.db.pool, 'pair@example.org')).toEqual([]);
    expect((await c.get(`/Groups/${g.body.id}`)).body).not.toHaveProperty('members');
  });

  it('a member whose mailbox is handed to another token (mailcow-scim adopt) leaves its groups with its sender ACL', async () => {
    const nils = await createUser(api, 'nils@example.org');
    const g = await api.post('/Groups', { schemas: [GROUP], displayName: 'Handover', address: 'handover@example.org', members: [{ value: ids.carol }, { value: nils }] });
    expect(g.status, g.text).toBe(201);
    expect(await sendersOf(t.db.pool, 'handover@example.org')).toEqual([addr('carol'), addr('nils')]);
    const successor = await t.sidecar.tokens.create('successor', { domains: ['example.org'] });
    const { adoptMailbox } = await import('../../../server/src/mailcow/adopt.js');
    const r = await adoptMailbox(t.db.pool, addr('nils'), successor.token);
    expect(r.unlinkedUser?.id).toBe(nils);
    expect(await aliasRow(t.db.pool, 'handover@example.org')).toMatchObject({ goto: 'carol@example.org', active: 1 });
    expect(await sendersOf(t.db.pool, 'handover@example.org')).toEqual([addr('carol')]);
    expect(await sogoAliases(t.db.pool, addr('nils'))).not.toContain('handover@example.org');
    const after = (await api.get(`/Groups/${g.body.id}`)).body;
    expect(memberIds(after)).toEqual([ids.carol]);
    expect(after.meta.version).toBe('W/"2"');
  });

  it("an admin deleting the group's alias in mailcow's UI: the group's next change makes it again", async () => {
    const g = await api.post('/Groups', { schemas: [GROUP], displayName: 'Rebuilt', address: 'rebuilt@example.org', members: [{ value: ids.alice }] });
    expect(g.status, g.text).toBe(201);
    await t.db.pool.query(`DELETE FROM alias WHERE address = 'rebuilt@example.org'`);
    expect((await api.get(`/Groups/${g.body.id}`)).body[MC_GROUP]).toEqual({ address: 'rebuilt@example.org', aliasActive: false });
    const r = await api.patch(`/Groups/${g.body.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: ids.bob }] }));
    expect(r.status, r.text).toBe(200);
    expect(await aliasRow(t.db.pool, 'rebuilt@example.org')).toMatchObject({ goto: 'alice@example.org,bob@example.org', active: 1 });
    expect(r.body[MC_GROUP].aliasActive).toBe(true);
  });
});

describe('addresses: where they come from, collisions, changes', () => {
  it('a group without an address is policy-only: no alias, no sender ACL (Entra\'s create)', async () => {
    const r = await api.post('/Groups', {
      schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'Policy Only',
      meta: { resourceType: 'Group' },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body[MC_GROUP]).toEqual({ aliasActive: false });
    expect(r.body).not.toHaveProperty('members');
    expect(await rowsOf(t.db.pool, `SELECT * FROM mailcow_scim_owned_aliases WHERE group_id = ?`, [r.body.id])).toEqual([]);
  });

  it("the group's e-mail in a managed domain becomes the address (primary first; other domains ignored)", async () => {
    const r = await api.post('/Groups', {
      schemas: [GROUP],
      displayName: 'Mailing',
      emails: [{ value: 'mailing@elsewhere.net', primary: true }, { value: 'Mailing@example.org', type: 'work' }],
      members: [{ value: ids.dave }],
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body[MC_GROUP]).toMatchObject({ address: 'mailing@example.org', aliasActive: true });
    expect(await aliasRow(t.db.pool, 'mailing@example.org')).toMatchObject({ goto: 'dave@example.org', active: 1 });
  });

  it('an explicit address outside the managed domains is 400 invalidValue; nothing is written', async () => {
    const r = await api.post('/Groups', { schemas: [GROUP, MC_GROUP], displayName: 'Far', [MC_GROUP]: { address: 'far@other.org' } });
    expectScimError(r, 400, 'invalidValue');
    expect(r.body.detail).toMatch(/example\.org/);
    expect((await api.get(`/Groups?filter=${encodeURIComponent('displayName eq "Far"')}`)).body.totalResults).toBe(0);
  });

  it("an admin's alias at the address is 409 naming it; the admin's alias is untouched", async () => {
    await t.db.pool.query(`INSERT INTO alias (address, goto, domain, active) VALUES ('office@example.org', 'bob@example.org', 'example.org', 1)`);
    const r = await api.post('/Groups', { schemas: [GROUP], displayName: 'Office', address: 'office@example.org', members: [{ value: ids.alice }] });
    expectScimError(r, 409, 'uniqueness');
    expect(r.body.detail).toContain('office@example.org');
    expect(r.body.detail).toMatch(/admin/);
    expect(await aliasRow(t.db.pool, 'office@example.org')).toMatchObject({ goto: 'bob@example.org', active: 1, sender_allowed: 1 });
    expect((await api.get(`/Groups?filter=${encodeURIComponent('displayName eq "Office"')}`)).body.totalResults).toBe(0);
    // A mailbox address and another group's address are refused the same way.
    expectScimError(await api.post('/Groups', { schemas: [GROUP], displayName: 'Boxed', address: 'bob@example.org' }), 409, 'uniqueness');
    const dup = await api.post('/Groups', { schemas: [GROUP], displayName: 'Copy', address: 'mailing@example.org' });
    expectScimError(dup, 409, 'uniqueness');
    expect(dup.body.detail).toMatch(/mailing@example\.org.*another SCIM group/);
    // A user's secondary e-mail cannot take a group's address either.
    const u = await api.post('/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'frank@example.org', emails: [{ value: 'mailing@example.org', type: 'other' }] });
    expectScimError(u, 409, 'uniqueness');
    expect(u.body.detail).toContain('mailing@example.org');
  });

  it('changing the address moves the alias and the sender ACLs; the old alias goes', async () => {
    const r = await api.post('/Groups', { schemas: [GROUP], displayName: 'Ops', address: 'ops@example.org', members: [{ value: ids.bob }, { value: ids.carol }] });
    expect(r.status, r.text).toBe(201);
    expect(await sendersOf(t.db.pool, 'ops@example.org')).toEqual([addr('bob'), addr('carol')]);
    const moved = await api.patch(`/Groups/${r.body.id}`, patchOp({ op: 'replace', path: `${MC_GROUP}:address`, value: 'operations@example.org' }));
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body[MC_GROUP].address).toBe('operations@example.org');
    expect(await aliasRow(t.db.pool, 'ops@example.org')).toBeUndefined();
    expect(await sendersOf(t.db.pool, 'ops@example.org')).toEqual([]);
    expect(await aliasRow(t.db.pool, 'operations@example.org')).toMatchObject({ goto: 'bob@example.org,carol@example.org', active: 1 });
    expect(await sendersOf(t.db.pool, 'operations@example.org')).toEqual([addr('bob'), addr('carol')]);
    expect(await sogoAliases(t.db.pool, addr('bob'))).not.toContain('ops@example.org');
    expect(await sogoAliases(t.db.pool, addr('bob'))).toContain('operations@example.org');
    // Removing the address makes the group policy-only.
    const none = await api.patch(`/Groups/${r.body.id}`, patchOp({ op: 'remove', path: `${MC_GROUP}:address` }));
    expect(none.status, none.text).toBe(200);
    expect(none.body[MC_GROUP]).toEqual({ aliasActive: false });
    expect(await aliasRow(t.db.pool, 'operations@example.org')).toBeUndefined();
    expect(await sendersOf(t.db.pool, 'operations@example.org')).toEqual([]);
  });

  it('a token with groupAddressFromName uses a slug of displayName; a rename keeps the address', async () => {
    const token = await t.sidecar.tokens.create('slugs', { domains: ['example.org'], defaultDomain: 'example.org', groupAddressFromName: true });
    const c = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
    const gina = await createUser(c, 'gina@example.org');
    const r = await c.post('/Groups', { schemas: [GROUP], displayName: 'Équipe Vente & Marketing (EMEA)', members: [{ value: gina }] });
    expect(r.status, r.text).toBe(201);
    expect(r.body[MC_GROUP].address).toBe('equipe-vente-marketing-emea@example.org');
    // This token does not grant sender ACLs.
    expect(await aliasRow(t.db.pool, 'equipe-vente-marketing-emea@example.org')).toMatchObject({ goto: 'gina@example.org', sender_allowed: 0 });
    expect(await sendersOf(t.db.pool, 'equipe-vente-marketing-emea@example.org')).toEqual([]);
    const renamed = await c.patch(`/Groups/${r.body.id}`, patchOp({ op: 'replace', path: 'displayName', value: 'Sales EMEA' }));
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body[MC_GROUP].address).toBe('equipe-vente-marketing-emea@example.org');
  });

  it("mailcow's alias limit of the domain applies (0 = none allowed)", async () => {
    await t.db.pool.query(`INSERT INTO domain (domain, description, aliases, mailboxes, defquota, maxquota, quota, backupmx, gal, relay_all_recipients, relay_unknown_only, active) VALUES ('noalias.org', 'x', 0, 10, 1024, 1024, 10240, 0, 1, 0, 0, 1)`);
    const token = await t.sidecar.tokens.create('noalias', { domains: ['noalias.org'] });
    const c = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
    const r = await c.post('/Groups', { schemas: [GROUP], displayName: 'List', address: 'list@noalias.org' });
    expectScimError(r, 400, 'invalidValue');
    expect(r.body.detail).toMatch(/allows 0 aliases/);
  });
});

describe('DELETE /Groups', () => {
  it('removes the alias and its sender ACL rows, and nothing else', async () => {
    const r = await api.post('/Groups', { schemas: [GROUP], displayName: 'Temp', address: 'temp@example.org', members: [{ value: ids.alice }, { value: ids.bob }] });
    expect(r.status, r.text).toBe(201);
    // An admin's own grant for the same address, for a non-member, must survive.
    await t.db.pool.query(`INSERT INTO sender_acl (logged_in_as, send_as, external) VALUES ('dave@example.org', 'temp@example.org', 0)`);
    const mailboxesBefore = await rowsOf(t.db.pool, `SELECT username, active, modified FROM mailbox ORDER BY username`);
    const aliasesBefore = await rowsOf(t.db.pool, `SELECT address, goto, active FROM alias WHERE address <> 'temp@example.org' ORDER BY address`);
    expect(await sendersOf(t.db.pool, 'temp@example.org')).toEqual(['alice', 'bob', 'dave'].map(addr));

    const gone = await api.delete(`/Groups/${r.body.id}`);
    expect(gone.status).toBe(204);
    expect((await api.get(`/Groups/${r.body.id}`)).status).toBe(404);
    expect(await aliasRow(t.db.pool, 'temp@example.org')).toBeUndefined();
    expect(await sendersOf(t.db.pool, 'temp@example.org')).toEqual([addr('dave')]);
    expect(await rowsOf(t.db.pool, `SELECT * FROM mailcow_scim_owned_aliases WHERE address = 'temp@example.org'`)).toEqual([]);
    expect(await rowsOf(t.db.pool, `SELECT * FROM mailcow_scim_group_members WHERE group_id = ?`, [r.body.id])).toEqual([]);
    expect(await rowsOf(t.db.pool, `SELECT username, active, modified FROM mailbox ORDER BY username`)).toEqual(mailboxesBefore);
    expect(await rowsOf(t.db.pool, `SELECT address, goto, active FROM alias ORDER BY address`)).toEqual(aliasesBefore);
    expect(await sogoAliases(t.db.pool, addr('alice'))).not.toContain('temp@example.org');
    expect((await api.get(`/Users/${ids.alice}`)).body.groups.map((g: { display: string }) => g.display)).not.toContain('Temp');
    const events = await rowsOf(t.db.pool, `SELECT operation, resource_type, mailbox FROM mailcow_scim_events WHERE resource_id = ? ORDER BY id`, [r.body.id]);
    expect(events).toEqual([
      { operation: 'create', resource_type: 'Group', mailbox: 'temp@example.org' },
      { operation: 'delete', resource_type: 'Group', mailbox: 'temp@example.org' },
    ]);
  });
});
