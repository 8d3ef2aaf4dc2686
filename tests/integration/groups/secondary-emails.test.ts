/**
 * Secondary e-mails as mailbox aliases (issue 5): with alias sync on, a user's e-mails in managed
 * domains other than the mailbox address are sidecar-owned aliases of the mailbox, added and
 * removed as the list changes (Entra's proxyAddresses → emails[type eq "other"]), and every
 * collision is refused with a 409 naming the address, changing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { mailboxFootprint, rowsOf } from '../../helpers/mailcow-rows.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { aliasRow, createUser, expectScimError, GROUP, patchOp, sogoAliases, type Client } from './helpers.js';

let t: TestSidecar;
let api: Client;

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain: 'example.org', mailboxes: 100, quotaMiB: 1024 * 1024, maxquotaMiB: 10240 }, { domain: 'example.net' }] });
  const token = await t.sidecar.tokens.create('Entra', { domains: ['example.org', 'example.net'], defaultDomain: 'example.org' });
  api = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
});
afterAll(async () => {
  await t?.stop();
});

const owned = async (address: string) => rowsOf(t.db.pool, `SELECT kind, user_id, group_id FROM mailcow_scim_owned_aliases WHERE address = ?`, [address]);

describe('proxyAddresses become aliases of the mailbox', () => {
  let id: string;
  const box = 'hana@example.org';

  it('Entra\'s proxyAddresses mapping (emails[type eq "other"].Value): Add creates the alias, Replace moves it', async () => {
    id = await createUser(api, box, { emails: [{ value: box, type: 'work', primary: true }] });
    const add = await api.patch(`/Users/${id}`, patchOp({ op: 'Add', path: 'emails[type eq "other"].Value', value: 'h.sato@example.org' }));
    expect(add.status, add.text).toBe(200);
    expect((await mailboxFootprint(t.db.pool, box)).aliases).toEqual([{ address: 'h.sato@example.org', goto: box, active: 1 }]);
    // Written as mailcow's alias add writes a user's alias: visible in SOGo, may send as it.
    expect(await aliasRow(t.db.pool, 'h.sato@example.org')).toMatchObject({ domain: 'example.org', sogo_visible: 1, sender_allowed: 1, internal: 0 });
    expect(await owned('h.sato@example.org')).toEqual([{ kind: 'user', user_id: id, group_id: null }]);
    expect(await sogoAliases(t.db.pool, box)).toEqual(['h.sato@example.org']);

    const moved = await api.patch(`/Users/${id}`, patchOp({ op: 'Replace', path: 'emails[type eq "other"].Value', value: 'hana@example.net' }));
    expect(moved.status, moved.text).toBe(200);
    expect((await mailboxFootprint(t.db.pool, box)).aliases).toEqual([{ address: 'hana@example.net', goto: box, active: 1 }]);
    expect(await aliasRow(t.db.pool, 'h.sato@example.org')).toBeUndefined();
    expect(await aliasRow(t.db.pool, 'hana@example.net')).toMatchObject({ domain: 'example.net' });
    expect(await sogoAliases(t.db.pool, box)).toEqual(['hana@example.net']);
  });

  it('several e-mails at once: each in a managed domain becomes an alias, others stay SCIM data only', async () => {
    const r = await api.patch(`/Users/${id}`, patchOp({ op: 'add', path: 'emails', value: [{ value: 'h.sato@example.org', type: 'other' }, { value: 'hana@gmail.example', type: 'home' }] }));
    expect(r.status, r.text).toBe(200);
    expect((await mailboxFootprint(t.db.pool, box)).aliases.map((a) => a.address)).toEqual(['h.sato@example.org', 'hana@example.net']);
    expect(await sogoAliases(t.db.pool, box)).toEqual(['h.sato@example.org', 'hana@example.net']);
    expect(await aliasRow(t.db.pool, 'hana@gmail.example')).toBeUndefined();
    expect((await api.get(`/Users/${id}`)).body.emails.map((e: { value: string }) => e.value)).toContain('hana@gmail.example');
  });

  it('a removed e-mail takes its alias with it; the others stay', async () => {
    const r = await api.patch(`/Users/${id}`, patchOp({ op: 'Remove', path: 'emails[value eq "h.sato@example.org"]' }));
    expect(r.status, r.text).toBe(200);
    expect((await mailboxFootprint(t.db.pool, box)).aliases.map((a) => a.address)).toEqual(['hana@example.net']);
    expect(await aliasRow(t.db.pool, 'h.sato@example.org')).toBeUndefined();
    expect(await owned('h.sato@example.org')).toEqual([]);
    expect(await sogoAliases(t.db.pool, box)).toEqual(['hana@example.net']);
  });

  it('a full PUT (Okta, authentik) replaces the list: aliases follow exactly', async () => {
    const current = (await api.get(`/Users/${id}`)).body;
    const r = await api.put(`/Users/${id}`, { ...current, emails: [{ value: box, type: 'work', primary: true }, { value: 'sato@example.org', type: 'other' }] });
    expect(r.status, r.text).toBe(200);
    expect((await mailboxFootprint(t.db.pool, box)).aliases.map((a) => a.address)).toEqual(['sato@example.org']);
  });
});

describe('collisions are refused clearly and change nothing', () => {
  let id: string;
  const box = 'ivo@example.org';
  beforeAll(async () => {
    id = await createUser(api, box);
    await createUser(api, 'jon@example.org', { emails: [{ value: 'jon.alias@example.org', type: 'other' }] });
    await t.db.pool.query(`INSERT INTO alias (address, goto, domain, active) VALUES ('desk@example.org', 'jon@example.org', 'example.org', 1)`);
    const g = await api.post('/Groups', { schemas: [GROUP], displayName: 'Desk Team', address: 'deskteam@example.org' });
    expect(g.status, g.text).toBe(201);
  });

  for (const [address, why] of [
    ['desk@example.org', /desk@example\.org is an alias an admin created in mailcow \(goto jon@example\.org\)/],
    ['jon.alias@example.org', /jon\.alias@example\.org is already an alias of another SCIM user/],
    ['deskteam@example.org', /deskteam@example\.org is already an alias of another SCIM group/],
    ['jon@example.org', /jon@example\.org is a mailbox/],
  ] as const) {
    it(`${address}: 409 uniqueness naming it`, async () => {
      const before = (await api.get(`/Users/${id}`)).body;
      const r = await api.patch(`/Users/${id}`, patchOp({ op: 'Add', path: 'emails[type eq "other"].value', value: address }));
      expectScimError(r, 409, 'uniqueness');
      expect(r.body.detail).toMatch(why);
      const after = (await api.get(`/Users/${id}`)).body;
      expect(after.meta.version).toBe(before.meta.version);
      expect(after.emails).toEqual(before.emails);
      expect((await mailboxFootprint(t.db.pool, box)).aliases).toEqual([]);
    });
  }

  it("an admin's alias that already delivers to exactly this mailbox is served as it is, never taken over", async () => {
    await t.db.pool.query(`INSERT INTO alias (address, goto, domain, active) VALUES ('ivo.old@example.org', 'ivo@example.org', 'example.org', 1)`);
    const r = await api.patch(`/Users/${id}`, patchOp({ op: 'Add', path: 'emails[type eq "other"].value', value: 'ivo.old@example.org' }));
    expect(r.status, r.text).toBe(200);
    expect(await owned('ivo.old@example.org')).toEqual([]);
    const removed = await api.patch(`/Users/${id}`, patchOp({ op: 'remove', path: 'emails[value eq "ivo.old@example.org"]' }));
    expect(removed.status).toBe(200);
    expect(await aliasRow(t.db.pool, 'ivo.old@example.org')).toMatchObject({ goto: 'ivo@example.org', active: 1 });
  });
});

describe('alias sync off', () => {
  it('secondary e-mails stay SCIM data; only a new userName or primary e-mail in a managed domain becomes an alias', async () => {
    const token = await t.sidecar.tokens.create('no-sync', { domains: ['example.org'], aliasSync: false });
    const c = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
    const id = await createUser(c, 'kai@example.org', { emails: [{ value: 'kai@example.org', type: 'work', primary: true }, { value: 'kai.other@example.org', type: 'other' }] });
    expect((await mailboxFootprint(t.db.pool, 'kai@example.org')).aliases).toEqual([]);
    const renamed = await c.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'userName', value: 'kai.new@example.org' }));
    expect(renamed.status, renamed.text).toBe(200);
    expect((await mailboxFootprint(t.db.pool, 'kai@example.org')).aliases.map((a) => a.address)).toEqual(['kai.new@example.org']);
  });
});
