/**
 * The user lifecycle over the real HTTP socket against real MariaDB with mailcow's schema,
 * asserting every row mailcow would read after each step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { mailboxFootprint, rowsOf } from '../../helpers/mailcow-rows.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

let t: TestSidecar;
let token: string;
let api: ReturnType<typeof scimClient>;
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const MC = 'urn:ietf:params:scim:schemas:extension:mailcow:2.0:User';

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain: 'example.org', mailboxes: 100, quotaMiB: 1024 * 1024, maxquotaMiB: 10240 }, { domain: 'other.org' }] });
  token = (await t.sidecar.tokens.create('Entra', { domains: ['example.org'], defaultDomain: 'example.org' })).secret;
  api = scimClient('http://localhost/scim/v2', token, t.httpSocket);
});
afterAll(async () => {
  await t?.stop();
});

const ATTRIBUTES_AT_ADD =
  /^\{"force_pw_update": "0", "force_tfa": "0", "tls_enforce_in": "0", "tls_enforce_out": "0", "sogo_access": "1", "imap_access": "1", "pop3_access": "1", "smtp_access": "1", "sieve_access": "1", "eas_access": "1", "dav_access": "1", "relayhost": "0", "passwd_update": "\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "mailbox_format": "maildir:", "quarantine_notification": "hourly", "quarantine_category": "reject", "attribute_hash": ""\}$/;

describe('create', () => {
  let id: string;
  it('POST /Users creates a mailbox exactly like mailcow (A.4)', async () => {
    const r = await api.post('/Users', {
      schemas: [CORE],
      userName: 'Jane.Doe@Example.org',
      externalId: 'ext-1',
      name: { givenName: 'Jane', familyName: 'Doe' },
      emails: [{ value: 'jane.doe@example.org', type: 'work', primary: true }],
      phoneNumbers: [{ value: '+49 30 1234', type: 'work' }],
      active: true,
    });
    expect(r.status, r.text).toBe(201);
    expect(r.headers['content-type']).toMatch(/application\/scim\+json/);
    id = r.body.id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers.location).toMatch(new RegExp(`/scim/v2/Users/${id}$`));
    expect(r.headers.etag).toBe('W/"1"');
    expect(r.body.meta).toMatchObject({ resourceType: 'User', version: 'W/"1"' });
    expect(r.body.phoneNumbers).toEqual([{ value: '+49 30 1234', type: 'work' }]);
    expect(r.body[MC]).toMatchObject({ mailboxAddress: 'jane.doe@example.org', usedBytes: 0, messageCount: 0 });

    const f = await mailboxFootprint(t.db.pool, 'jane.doe@example.org');
    expect(f.mailbox).toMatchObject({
      username: 'jane.doe@example.org',
      password: '',
      name: 'Jane Doe',
      description: null,
      mailbox_path_prefix: '/var/vmail/',
      quota: 3072 * 1024 * 1024,
      local_part: 'jane.doe',
      domain: 'example.org',
      custom_attributes: '{}',
      kind: '',
      multiple_bookings: -1,
      authsource: 'scim',
      active: 1,
    });
    expect(f.mailbox!.attributes).toMatch(ATTRIBUTES_AT_ADD);
    expect(f.mailbox!.modified).not.toBeNull();
    expect(f.quota2).toMatchObject({ bytes: 0, messages: 0 });
    expect(f.quota2replica).toMatchObject({ bytes: 0, messages: 0 });
    expect(f.selfAlias).toMatchObject({ goto: 'jane.doe@example.org', domain: 'example.org', active: 1, sogo_visible: 1, internal: 0, sender_allowed: 1, modified: null });
    expect(f.userAcl).toMatchObject({
      spam_alias: 1, tls_policy: 1, spam_score: 1, spam_policy: 1, delimiter_action: 1, syncjobs: 0, eas_reset: 1,
      sogo_profile_reset: 0, pushover: 1, quarantine: 1, quarantine_attachments: 1, quarantine_notification: 1,
      quarantine_category: 1, app_passwds: 1, pw_reset: 0,
    });
    expect(f.tags).toEqual([]);
    expect(f.sogo).toMatchObject({
      c_uid: 'jane.doe@example.org', domain: 'example.org', c_name: 'jane.doe@example.org',
      c_password: '{SSHA256}47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=', c_cn: 'Jane Doe', mail: 'jane.doe@example.org',
      aliases: '', ad_aliases: '', ext_acl: '', kind: '', multiple_bookings: -1, c_l: null,
    });
    const events = await rowsOf(t.db.pool, `SELECT operation, outcome, resource_id, mailbox FROM mailcow_scim_events`);
    expect(events).toContainEqual({ operation: 'create', outcome: 'success', resource_id: id, mailbox: 'jane.doe@example.org' });
  });

  it('GET returns what the IdP sent, with ETag and 304 on If-None-Match', async () => {
    const r = await api.get(`/Users/${id}`);
    expect(r.status).toBe(200);
    expect(r.body.userName).toBe('Jane.Doe@Example.org');
    const again = await api.get(`/Users/${id}`, { 'if-none-match': r.headers.etag as string });
    expect(again.status).toBe(304);
  });

  it('filters by userName (case-insensitive), externalId and emails.value', async () => {
    for (const filter of ['userName eq "jane.doe@example.org"', 'externalId eq "ext-1"', 'emails.value eq "JANE.DOE@example.org"', 'emails[type eq "work" and value eq "jane.doe@example.org"]', 'emails[type eq "work"].value eq "jane.doe@example.org"']) {
      const r = await api.get(`/Users?filter=${encodeURIComponent(filter)}`);
      expect(r.status, filter).toBe(200);
      expect(r.body.totalResults, filter).toBe(1);
      expect(r.body.Resources[0].id).toBe(id);
    }
    const none = await api.get(`/Users?filter=${encodeURIComponent('externalId eq "EXT-1"')}`);
    expect(none.body.totalResults).toBe(0);
    // "ne" on a multi-valued attribute means no value equals (not "some value differs").
    const ne = await api.get(`/Users?filter=${encodeURIComponent('emails.value ne "jane.doe@example.org" and userName eq "jane.doe@example.org"')}`);
    expect(ne.body.totalResults).toBe(0);
  });
});

describe('update, deactivate, delete and re-hire', () => {
  let id: string;
  const addr = 'max@example.org';
  beforeAll(async () => {
    const r = await api.post('/Users', { schemas: [CORE], userName: 'max', name: { givenName: 'Max', familyName: 'Power' }, active: true });
    expect(r.status, r.text).toBe(201);
    id = r.body.id;
  });

  it('places a plain userName at the default domain', async () => {
    const f = await mailboxFootprint(t.db.pool, addr);
    expect(f.mailbox).toMatchObject({ local_part: 'max', domain: 'example.org', name: 'Max Power', authsource: 'scim' });
  });

  it('PATCH displayName changes mailbox.name and the SOGo row, like a mailcow edit (A.6)', async () => {
    const r = await api.patch(`/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'displayName', value: 'Max P.' }] });
    expect(r.status, r.text).toBe(200);
    expect(r.body.meta.version).toBe('W/"2"');
    const f = await mailboxFootprint(t.db.pool, addr);
    expect(f.mailbox!.name).toBe('Max P.');
    expect(String(f.mailbox!.attributes)).toMatch(/"attribute_hash": "", "recovery_email": null\}$/);
    expect(f.sogo!.c_cn).toBe('Max P.');
    expect(f.selfAlias!.modified).toBeNull();
  });

  it('Entra\'s string boolean "False" deactivates with the token mode (2: login off, mail delivered)', async () => {
    const r = await api.patch(`/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(r.status, r.text).toBe(200);
    expect(r.body.active).toBe(false);
    const f = await mailboxFootprint(t.db.pool, addr);
    expect(f.mailbox!.active).toBe(2);
    expect(f.selfAlias!.active).toBe(2);
    expect(f.sogo).toBeUndefined();
    const still = await api.get(`/Users?filter=${encodeURIComponent('active eq false')}`);
    expect(still.body.Resources.map((u: { id: string }) => u.id)).toContain(id);
  });

  it('active true restores 1 and the SOGo row', async () => {
    const r = await api.patch(`/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: true } }] });
    expect(r.status, r.text).toBe(200);
    const f = await mailboxFootprint(t.db.pool, addr);
    expect(f.mailbox!.active).toBe(1);
    expect(f.selfAlias!.active).toBe(1);
    expect(f.sogo).toMatchObject({ c_cn: 'Max P.', c_password: '{SSHA256}47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' });
  });

  it('a new userName and secondary e-mails become sidecar-owned aliases; the mailbox keeps its address', async () => {
    const current = (await api.get(`/Users/${id}`)).body;
    const r = await api.put(`/Users/${id}`, {
      ...current,
      userName: 'maximilian@example.org',
      emails: [
        { value: 'maximilian@example.org', type: 'work', primary: true },
        { value: 'max.power@example.org', type: 'other' },
        { value: 'max@elsewhere.net', type: 'home' },
      ],
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body[MC].mailboxAddress).toBe(addr);
    const f = await mailboxFootprint(t.db.pool, addr);
    expect(f.aliases).toEqual([
      { address: 'max.power@example.org', goto: addr, active: 1 },
      { address: 'maximilian@example.org', goto: addr, active: 1 },
    ]);
    expect(f.sogo!.aliases).toBe('max.power@example.org maximilian@example.org');
    const owned = await rowsOf(t.db.pool, `SELECT address FROM mailcow_scim_owned_aliases WHERE user_id = ? ORDER BY address`, [id]);
    expect(owned.map((o) => o.address)).toEqual(['max.power@example.org', 'maximilian@example.org']);

    const fewer = await api.patch(`/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'remove', path: 'emails[type eq "other"]' }],
    });
    expect(fewer.status, fewer.text).toBe(200);
    expect((await mailboxFootprint(t.db.pool, addr)).aliases.map((a) => a.address)).toEqual(['maximilian@example.org']);
  });

  it('DELETE keeps the mailbox (active 2) and its aliases, unlinks the user (GET 404)', async () => {
    const r = await api.delete(`/Users/${id}`);
    expect(r.status).toBe(204);
    expect((await api.get(`/Users/${id}`)).status).toBe(404);
    const f = await mailboxFootprint(t.db.pool, addr);
    expect(f.mailbox).toMatchObject({ active: 2, authsource: 'scim' });
    expect(f.quota2).toBeDefined();
    expect(f.sogo).toBeUndefined();
    expect(f.aliases.map((a) => a.address)).toEqual(['maximilian@example.org']);
    expect(await rowsOf(t.db.pool, `SELECT * FROM mailcow_scim_users WHERE id = ?`, [id])).toEqual([]);
  });

  it('a later POST for the same address claims the mailbox again (re-hire), 201', async () => {
    const r = await api.post('/Users', { schemas: [CORE], userName: 'max', displayName: 'Max Again', active: true });
    expect(r.status, r.text).toBe(201);
    expect(r.body.id).not.toBe(id);
    const f = await mailboxFootprint(t.db.pool, addr);
    expect(f.mailbox).toMatchObject({ active: 1, name: 'Max Again' });
    expect(f.sogo).toBeDefined();
    // The old owned alias is re-linked, then synced to the new user's e-mails (none): removed.
    expect(f.aliases).toEqual([]);
    const ops = await rowsOf(t.db.pool, `SELECT operation FROM mailcow_scim_events WHERE mailbox = ? ORDER BY id`, [addr]);
    expect(ops.map((o) => o.operation)).toEqual(['create', 'update', 'deactivate', 'reactivate', 'update', 'update', 'unlink', 'claim']);
  });
});

describe('conflicts and hand-over', () => {
  it('409 uniqueness for a duplicate userName, naming the existing user', async () => {
    const a = await api.post('/Users', { schemas: [CORE], userName: 'dup@example.org' });
    expect(a.status).toBe(201);
    const b = await api.post('/Users', { schemas: [CORE], userName: 'DUP@example.org' });
    expect(b.status).toBe(409);
    expect(b.body).toMatchObject({ scimType: 'uniqueness', status: '409' });
    expect(b.body.detail).toContain(a.body.id);
  });

  it('409 for a mailbox mailcow owns, with the adopt command in the detail; nothing written', async () => {
    await t.db.pool.query(`INSERT INTO mailbox (username, password, name, quota, local_part, domain, attributes, authsource, active) VALUES ('admin.made@example.org', '{BLF-CRYPT}x', 'Admin Made', 0, 'admin.made', 'example.org', '{}', 'mailcow', 1)`);
    const r = await api.post('/Users', { schemas: [CORE], userName: 'admin.made@example.org' });
    expect(r.status).toBe(409);
    expect(r.body.scimType).toBe('uniqueness');
    expect(r.body.detail).toMatch(/authsource 'mailcow'/);
    expect(r.body.detail).toMatch(/mailcow-scim adopt admin\.made@example\.org --token/);
    expect(await rowsOf(t.db.pool, `SELECT * FROM mailcow_scim_users WHERE mailbox = 'admin.made@example.org'`)).toEqual([]);
    const mb = await rowsOf(t.db.pool, `SELECT authsource, name FROM mailbox WHERE username = 'admin.made@example.org'`);
    expect(mb).toEqual([{ authsource: 'mailcow', name: 'Admin Made' }]);
  });

  it('409 for a mailbox another token owns, naming that token', async () => {
    const other = (await t.sidecar.tokens.create('Okta', { domains: ['example.org'], defaultDomain: 'example.org' })).secret;
    const okta = scimClient('http://localhost/scim/v2', other, t.httpSocket);
    expect((await okta.post('/Users', { schemas: [CORE], userName: 'shared@example.org' })).status).toBe(201);
    const r = await api.post('/Users', { schemas: [CORE], userName: 'shared@example.org' });
    expect(r.status).toBe(409);
    expect(r.body.detail).toMatch(/another SCIM token \("Okta"/);
  });

  it('409 when the address is an existing alias or spam alias', async () => {
    await t.db.pool.query(`INSERT INTO alias (address, goto, domain, active) VALUES ('sales@example.org', 'jane.doe@example.org', 'example.org', 1)`);
    await t.db.pool.query(`INSERT INTO spamalias (address, goto, description, validity) VALUES ('spam1@example.org', 'jane.doe@example.org', 'test', 0)`);
    for (const userName of ['sales@example.org', 'spam1@example.org']) {
      const r = await api.post('/Users', { schemas: [CORE], userName });
      expect(r.status, userName).toBe(409);
      expect((await rowsOf(t.db.pool, `SELECT * FROM mailbox WHERE username = ?`, [userName]))).toEqual([]);
    }
  });

  it('409 when a secondary e-mail is an admin alias; the whole change is rolled back', async () => {
    const r = await api.post('/Users', { schemas: [CORE], userName: 'newbie@example.org', emails: [{ value: 'sales@example.org', type: 'other' }] });
    expect(r.status, r.text).toBe(409);
    expect(r.body.detail).toMatch(/admin created/);
    expect(await rowsOf(t.db.pool, `SELECT * FROM mailbox WHERE username = 'newbie@example.org'`)).toEqual([]);
    expect(await rowsOf(t.db.pool, `SELECT * FROM alias WHERE address = 'newbie@example.org'`)).toEqual([]);
  });
});

describe('mailcow-scim adopt', () => {
  it('hands a mailcow mailbox over; the next POST claims it (201) and the rows follow the IdP', async () => {
    const { runCli } = await import('../../../server/src/cli/cli.js');
    const { Writable } = await import('node:stream');
    await t.db.pool.query(`INSERT INTO mailbox (username, password, name, quota, local_part, domain, attributes, authsource, active) VALUES ('legacy@example.org', '{BLF-CRYPT}hash', 'Legacy', 1048576, 'legacy', 'example.org', '{"force_pw_update": "0"}', 'mailcow', 1)`);
    await t.db.pool.query(`INSERT INTO alias (address, goto, domain, active) VALUES ('legacy@example.org', 'legacy@example.org', 'example.org', 1)`);
    const refused = await api.post('/Users', { schemas: [CORE], userName: 'legacy@example.org' });
    expect(refused.status).toBe(409);
    const tokenId = (await t.sidecar.tokens.list()).find((x) => x.name === 'Entra')!.id;
    let out = '';
    const code = await runCli(['adopt', 'legacy@example.org', '--token', tokenId], {
      stdout: new Writable({ write: (c, _e, d) => ((out += String(c)), d()) }),
      stderr: new Writable({ write: (_c, _e, d) => d() }),
      env: { MARIADB_URL: t.db.url },
    });
    expect(code, out).toBe(0);
    expect(out).toContain('authsource mailcow → scim');
    expect(out).toContain('Done: 1 adopted');
    const claimed = await api.post('/Users', { schemas: [CORE], userName: 'legacy@example.org', displayName: 'Legacy User' });
    expect(claimed.status, claimed.text).toBe(201);
    const f = await mailboxFootprint(t.db.pool, 'legacy@example.org');
    expect(f.mailbox).toMatchObject({ authsource: 'scim', name: 'Legacy User', password: '{BLF-CRYPT}hash', quota: 1048576 });
    expect(f.quota2).toMatchObject({ bytes: 0, messages: 0 });
    expect(f.userAcl).toBeDefined();
  });
});
