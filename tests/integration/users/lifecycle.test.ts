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
  t = await startTestSidecar({ domains: [{ domain: 'example.org' }, { domain: 'other.org' }] });
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
    for (const filter of ['userName eq "jane.doe@example.org"', 'externalId eq "ext-1"', 'emails.value eq "JANE.DOE@example.org"', 'emails[type eq "work" and value eq "jane.doe@example.org"]']) {
      const r = await api.get(`/Users?filter=${encodeURIComponent(filter)}`);
      expect(r.status, filter).toBe(200);
      expect(r.body.totalResults, filter).toBe(1);
      expect(r.body.Resources[0].id).toBe(id);
    }
    const none = await api.get(`/Users?filter=${encodeURIComponent('externalId eq "EXT-1"')}`);
    expect(none.body.totalResults).toBe(0);
  });
});
