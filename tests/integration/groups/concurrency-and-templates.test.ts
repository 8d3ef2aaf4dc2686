/**
 * Membership under concurrency (no lost member, no stale goto list) and membership driving
 * mailbox templates through template rules on `groups`, against real MariaDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { mailboxFootprint, rowsOf } from '../../helpers/mailcow-rows.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { aliasRow, createUser, GROUP, memberIds, patchOp, sendersOf, type Client } from './helpers.js';

let t: TestSidecar;

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain: 'example.org', mailboxes: 500, quotaMiB: 10_000_000, maxquotaMiB: 100_000 }] });
});
afterAll(async () => {
  await t?.stop();
});

describe('concurrent membership changes', () => {
  let api: Client;
  const users: string[] = [];
  beforeAll(async () => {
    const token = await t.sidecar.tokens.create('parallel', { domains: ['example.org'], groupSenderAcl: true });
    api = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
    for (let i = 0; i < 20; i++) users.push(await createUser(api, `p${String(i).padStart(2, '0')}@example.org`));
  });

  it('20 parallel single-member adds (authentik sends one operation per member): all 20 are members and in goto', async () => {
    const g = await api.post('/Groups', { schemas: [GROUP], displayName: 'All Hands', address: 'all-hands@example.org' });
    expect(g.status, g.text).toBe(201);
    const results = await Promise.all(users.map((u) => api.patch(`/Groups/${g.body.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: u }] }))));
    expect(results.map((r) => r.status)).toEqual(users.map(() => 200));
    const after = await api.get(`/Groups/${g.body.id}`);
    expect(memberIds(after.body)).toEqual([...users].sort());
    expect(after.body.meta.version).toBe('W/"21"');
    const expected = users.map((_, i) => `p${String(i).padStart(2, '0')}@example.org`);
    expect(await aliasRow(t.db.pool, 'all-hands@example.org')).toMatchObject({ goto: expected.join(','), active: 1 });
    expect(await sendersOf(t.db.pool, 'all-hands@example.org')).toEqual(expected);
  });

  it('parallel removals by filter and by value list, mixed with adds, lose nothing', async () => {
    const g = await api.post('/Groups', { schemas: [GROUP], displayName: 'Mixed', address: 'mixed@example.org', members: users.slice(0, 10).map((value) => ({ value })) });
    expect(g.status, g.text).toBe(201);
    const ops = [
      ...users.slice(0, 5).map((u) => patchOp({ op: 'remove', path: `members[value eq "${u}"]` })),
      ...users.slice(5, 8).map((u) => patchOp({ op: 'Remove', path: 'members', value: [{ value: u }] })),
      ...users.slice(10, 20).map((u) => patchOp({ op: 'Add', path: 'members', value: [{ $ref: null, value: u }] })),
    ];
    const results = await Promise.all(ops.map((body) => api.patch(`/Groups/${g.body.id}`, body)));
    expect(results.map((r) => r.status)).toEqual(ops.map(() => 200));
    const wanted = [...users.slice(8, 20)].sort();
    expect(memberIds((await api.get(`/Groups/${g.body.id}`)).body)).toEqual(wanted);
    const goto = (await aliasRow(t.db.pool, 'mixed@example.org'))!.goto as string;
    expect(goto.split(',')).toHaveLength(12);
    expect(await sendersOf(t.db.pool, 'mixed@example.org')).toHaveLength(12);
  });

  it('members deactivated while the group changes: goto ends up exactly the active members', async () => {
    const g = await api.post('/Groups', { schemas: [GROUP], displayName: 'Churn', address: 'churn@example.org', members: users.slice(0, 10).map((value) => ({ value })) });
    expect(g.status, g.text).toBe(201);
    const work = [
      ...users.slice(0, 5).map((u) => api.patch(`/Users/${u}`, patchOp({ op: 'replace', path: 'active', value: false }))),
      ...users.slice(10, 15).map((u) => api.patch(`/Groups/${g.body.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: u }] }))),
    ];
    const results = await Promise.all(work);
    expect(results.map((r) => r.status)).toEqual(work.map(() => 200));
    const active = [...users.slice(5, 15)];
    const mailboxes = (await rowsOf(t.db.pool, `SELECT mailbox FROM mailcow_scim_users WHERE id IN (?) ORDER BY mailbox`, [active])).map((r) => r.mailbox);
    expect(await aliasRow(t.db.pool, 'churn@example.org')).toMatchObject({ goto: mailboxes.join(','), active: 1 });
    expect(await sendersOf(t.db.pool, 'churn@example.org')).toEqual(mailboxes);
    expect(memberIds((await api.get(`/Groups/${g.body.id}`)).body)).toHaveLength(15);
    // Put them back for the other tests.
    for (const u of users.slice(0, 5)) await api.patch(`/Users/${u}`, patchOp({ op: 'replace', path: 'active', value: true }));
  });
});

describe('a large list', () => {
  it('150 users and their list made by one /Bulk: goto, sender ACLs and SOGo rows for all; deleting the list clears them', async () => {
    const token = await t.sidecar.tokens.create('large', { domains: ['example.org'], groupSenderAcl: true });
    const api = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
    const names = Array.from({ length: 150 }, (_, i) => `l${String(i).padStart(3, '0')}@example.org`);
    const r = await api.post('/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', path: '/Groups', bulkId: 'list', data: { schemas: [GROUP], displayName: 'Large', address: 'large@example.org', members: names.map((_, i) => ({ value: `bulkId:u${i}` })) } },
        ...names.map((userName, i) => ({ method: 'POST', path: '/Users', bulkId: `u${i}`, data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName } })),
      ],
    });
    expect(r.status, r.text.slice(0, 500)).toBe(200);
    expect(r.body.Operations.filter((o: { status: string }) => o.status !== '201')).toEqual([]);
    expect(await aliasRow(t.db.pool, 'large@example.org')).toMatchObject({ goto: names.join(','), active: 1 });
    expect(await sendersOf(t.db.pool, 'large@example.org')).toEqual(names);
    const sogo = await rowsOf(t.db.pool, `SELECT c_uid FROM _sogo_static_view WHERE aliases = 'large@example.org' ORDER BY c_uid`);
    expect(sogo.map((row) => row.c_uid)).toEqual(names);
    const id = r.body.Operations[0].location.split('/').pop();
    expect((await api.delete(`/Groups/${id}`)).status).toBe(204);
    expect(await aliasRow(t.db.pool, 'large@example.org')).toBeUndefined();
    expect(await sendersOf(t.db.pool, 'large@example.org')).toEqual([]);
    expect(await rowsOf(t.db.pool, `SELECT c_uid FROM _sogo_static_view WHERE aliases <> '' AND c_uid LIKE 'l%'`)).toEqual([]);
  });
});

describe('membership drives mailbox templates (template rules on groups)', () => {
  let api: Client;
  let staff: string;
  const STAFF_TEMPLATE = JSON.stringify({
    tags: ['staff'], quota: 4 * 1024 * 1024 * 1024, quarantine_notification: 'weekly', quarantine_category: 'add_header', rl_frame: 's', rl_value: '',
    force_pw_update: 0, force_tfa: 0, sogo_access: 1, active: 1, tls_enforce_in: 0, tls_enforce_out: 0, imap_access: 1, pop3_access: 0,
    smtp_access: 1, sieve_access: 1, eas_access: 0, dav_access: 1, acl_spam_alias: 1, acl_tls_policy: 1, acl_spam_score: 1, acl_spam_policy: 1,
    acl_delimiter_action: 1, acl_syncjobs: 1, acl_eas_reset: 1, acl_sogo_profile_reset: 0, acl_pushover: 1, acl_quarantine: 1,
    acl_quarantine_attachments: 1, acl_quarantine_notification: 1, acl_quarantine_category: 1, acl_app_passwds: 1, acl_pw_reset: 0,
  });
  const addr = 'tom@example.org';
  let tom: string;

  beforeAll(async () => {
    await t.db.pool.query(`INSERT INTO templates (template, type, attributes) VALUES ('Staff', 'mailbox', ?)`, [STAFF_TEMPLATE]);
    const token = await t.sidecar.tokens.create('rules', {
      domains: ['example.org'],
      quotaSource: 'template',
      templateRules: [{ filter: 'groups[display eq "Staff"]', template: 'Staff' }],
    });
    api = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
    tom = await createUser(api, addr);
  });

  it('a user in no group gets the Default template', async () => {
    const f = await mailboxFootprint(t.db.pool, addr);
    expect(f.mailbox!.quota).toBe(0);
    expect(f.tags).toEqual([]);
    expect(f.userAcl).toMatchObject({ syncjobs: 0 });
    expect(await rowsOf(t.db.pool, `SELECT applied_template FROM mailcow_scim_users WHERE id = ?`, [tom])).toEqual([{ applied_template: 'Default' }]);
  });

  it("joining the group applies the rule's template in the same change", async () => {
    const g = await api.post('/Groups', { schemas: [GROUP], displayName: 'Staff' });
    expect(g.status, g.text).toBe(201);
    staff = g.body.id;
    const r = await api.patch(`/Groups/${staff}`, patchOp({ op: 'add', path: 'members', value: [{ value: tom }] }));
    expect(r.status, r.text).toBe(200);
    const f = await mailboxFootprint(t.db.pool, addr);
    expect(f.mailbox!.quota).toBe(4 * 1024 * 1024 * 1024);
    expect(f.tags).toEqual(['staff']);
    expect(f.userAcl).toMatchObject({ syncjobs: 1 });
    expect(String(f.mailbox!.attributes)).toContain('"pop3_access": "0"');
    expect(await rowsOf(t.db.pool, `SELECT applied_template FROM mailcow_scim_users WHERE id = ?`, [tom])).toEqual([{ applied_template: 'Staff' }]);
    const events = await rowsOf(t.db.pool, `SELECT operation, resource_type, detail FROM mailcow_scim_events WHERE resource_id = ? ORDER BY id`, [tom]);
    expect(events.at(-1)).toEqual({ operation: 'update', resource_type: 'User', detail: 'group membership changed' });
  });

  it('renaming the group re-evaluates its members', async () => {
    expect((await api.patch(`/Groups/${staff}`, patchOp({ op: 'replace', path: 'displayName', value: 'Former Staff' }))).status).toBe(200);
    expect((await mailboxFootprint(t.db.pool, addr)).tags).toEqual([]);
    expect((await api.patch(`/Groups/${staff}`, patchOp({ op: 'replace', path: 'displayName', value: 'Staff' }))).status).toBe(200);
    expect((await mailboxFootprint(t.db.pool, addr)).tags).toEqual(['staff']);
  });

  it('leaving the group (or the group going) applies the default again', async () => {
    const r = await api.patch(`/Groups/${staff}`, patchOp({ op: 'remove', path: `members[value eq "${tom}"]` }));
    expect(r.status, r.text).toBe(200);
    let f = await mailboxFootprint(t.db.pool, addr);
    expect(f.mailbox!.quota).toBe(0);
    expect(f.tags).toEqual([]);
    expect(f.userAcl).toMatchObject({ syncjobs: 0 });

    expect((await api.patch(`/Groups/${staff}`, patchOp({ op: 'add', path: 'members', value: [{ value: tom }] }))).status).toBe(200);
    expect((await mailboxFootprint(t.db.pool, addr)).tags).toEqual(['staff']);
    expect((await api.delete(`/Groups/${staff}`)).status).toBe(204);
    f = await mailboxFootprint(t.db.pool, addr);
    expect(f.tags).toEqual([]);
    expect(await rowsOf(t.db.pool, `SELECT applied_template FROM mailcow_scim_users WHERE id = ?`, [tom])).toEqual([{ applied_template: 'Default' }]);
  });

  it('rules that do not name groups are not re-run on membership changes; the member\'s version still moves', async () => {
    const token = await t.sidecar.tokens.create('dept-rules', {
      domains: ['example.org'],
      templateRules: [{ filter: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Staff"', template: 'Staff' }],
    });
    const c = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
    const vic = await createUser(c, 'vic@example.org');
    const g = await c.post('/Groups', { schemas: [GROUP], displayName: 'Staff', members: [{ value: vic }] });
    expect(g.status, g.text).toBe(201);
    expect((await c.get(`/Users/${vic}`)).body.meta.version).toBe('W/"2"');
    expect((await mailboxFootprint(t.db.pool, 'vic@example.org')).tags).toEqual([]);
    expect(await rowsOf(t.db.pool, `SELECT operation FROM mailcow_scim_events WHERE resource_id = ?`, [vic])).toEqual([{ operation: 'create' }]);
  });

  it('a group created with members applies the template to each of them', async () => {
    const uma = await createUser(api, 'uma@example.org');
    const g = await api.post('/Groups', { schemas: [GROUP], displayName: 'staff', members: [{ value: tom }, { value: uma }] });
    expect(g.status, g.text).toBe(201);
    for (const a of [addr, 'uma@example.org']) expect((await mailboxFootprint(t.db.pool, a)).tags, a).toEqual(['staff']);
  });
});
