/**
 * Template rules, what a template sets (quota, ACL, access, tags, rate limit, tagged mail) and
 * mailcow's post-commit work in Redis and memcached, against real Redis and a real memcached.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { mailboxFootprint } from '../../helpers/mailcow-rows.js';
import { startMemcached, type TestMemcached } from '../../helpers/memcached.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const domain = `t${randomBytes(4).toString('hex')}.example`;
let t: TestSidecar;
let mc: TestMemcached;
let redis: Redis;
let api: ReturnType<typeof scimClient>;

const SALES_TEMPLATE = JSON.stringify({
  tags: ['sales', 'crm'], quota: 2 * 1024 * 1024 * 1024, quarantine_notification: 'daily', quarantine_category: 'all',
  rl_frame: 'h', rl_value: '10', tagged_mail_handler: 'subfolder', force_pw_update: 0, force_tfa: 1, sogo_access: 0, active: 1,
  tls_enforce_in: 1, tls_enforce_out: 0, imap_access: 1, pop3_access: 0, smtp_access: 1, sieve_access: 1, eas_access: 0, dav_access: 1,
  acl_spam_alias: 0, acl_tls_policy: 1, acl_spam_score: 1, acl_spam_policy: 1, acl_delimiter_action: 1, acl_syncjobs: 1, acl_eas_reset: 1,
  acl_sogo_profile_reset: 1, acl_pushover: 0, acl_quarantine: 1, acl_quarantine_attachments: 1, acl_quarantine_notification: 1,
  acl_quarantine_category: 1, acl_app_passwds: 1, acl_pw_reset: 1,
});

beforeAll(async () => {
  mc = await startMemcached();
  t = await startTestSidecar({
    domains: [{ domain, mailboxes: 1000, quotaMiB: 10_000_000, maxquotaMiB: 100_000 }],
    env: { REDIS_URL: 'redis://127.0.0.1:6379', MEMCACHED_URL: mc.url },
  });
  await t.db.pool.query(`INSERT INTO templates (template, type, attributes) VALUES ('Sales', 'mailbox', ?)`, [SALES_TEMPLATE]);
  const token = await t.sidecar.tokens.create('rules', {
    domains: [domain],
    defaultDomain: domain,
    quotaSource: 'template',
    templateRules: [{ filter: `${ENT}:department eq "Sales"`, template: 'Sales' }],
  });
  api = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
  redis = new Redis('redis://127.0.0.1:6379');
});
afterAll(async () => {
  await t?.stop();
  await mc?.stop();
  redis?.disconnect();
});

describe('template rules', () => {
  let id: string;
  const addr = `sam@${domain}`;

  it('a matching rule applies its template: quota, attributes, ACL, tags, Redis keys', async () => {
    const r = await api.post('/Users', { schemas: [CORE, ENT], userName: addr, [ENT]: { department: 'Sales' } });
    expect(r.status, r.text).toBe(201);
    id = r.body.id;
    const f = await mailboxFootprint(t.db.pool, addr);
    expect(f.mailbox!.quota).toBe(2 * 1024 * 1024 * 1024);
    expect(String(f.mailbox!.attributes)).toMatch(/"force_tfa": "1", "tls_enforce_in": "1", "tls_enforce_out": "0", "sogo_access": "0", "imap_access": "1", "pop3_access": "0", "smtp_access": "1", "sieve_access": "1", "eas_access": "0", "dav_access": "1"/);
    expect(String(f.mailbox!.attributes)).toContain('"quarantine_notification": "daily", "quarantine_category": "all"');
    expect(f.userAcl).toMatchObject({ spam_alias: 0, syncjobs: 1, sogo_profile_reset: 1, pushover: 0, pw_reset: 1 });
    expect(f.tags).toEqual(['crm', 'sales']);
    expect(await redis.hget('RL_VALUE', addr)).toBe('10 / 1h');
    expect(await redis.hget('RCPT_WANTS_SUBFOLDER_TAG', addr)).toBe('1');
  });

  it('a user no rule matches gets the Default template and no Redis key', async () => {
    const other = `pat@${domain}`;
    const r = await api.post('/Users', { schemas: [CORE], userName: other });
    expect(r.status, r.text).toBe(201);
    const f = await mailboxFootprint(t.db.pool, other);
    expect(f.mailbox!.quota).toBe(0);
    expect(f.userAcl).toMatchObject({ spam_alias: 1, pw_reset: 0 });
    expect(await redis.hexists('RL_VALUE', other)).toBe(0);
  });

  it('when the rule stops matching, the new template is applied and the rate limit removed', async () => {
    const r = await api.patch(`/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: `${ENT}:department`, value: 'Support' }] });
    expect(r.status, r.text).toBe(200);
    const f = await mailboxFootprint(t.db.pool, addr);
    expect(f.mailbox!.quota).toBe(0);
    expect(f.userAcl).toMatchObject({ spam_alias: 1, syncjobs: 0, pw_reset: 0 });
    expect(f.tags).toEqual([]);
    expect(String(f.mailbox!.attributes)).toContain('"pop3_access": "1"');
    expect(await redis.hexists('RL_VALUE', addr)).toBe(0);
  });

  it('a token policy naming a template that does not exist is refused', async () => {
    await expect(t.sidecar.tokens.create('bad', { domains: [domain], templateRules: [{ filter: 'userName sw "a"', template: 'Nope' }] })).rejects.toMatchObject({ detail: expect.stringContaining('Nope') });
    await expect(t.sidecar.tokens.create('bad2', { domains: [domain], templateRules: [{ filter: 'userName sw', template: 'Sales' }] })).rejects.toMatchObject({ detail: expect.stringContaining('templateRules[0].filter') });
  });
});

describe('memcached flush is debounced across a burst', () => {
  it('20 creates in parallel cause far fewer than 20 flushes, and at least one', async () => {
    await new Promise((r) => setTimeout(r, 2500));
    const before = await mc.flushes();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => api.post('/Users', { schemas: [CORE], userName: `burst${i}@${domain}` })));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    await new Promise((r) => setTimeout(r, 2500));
    const flushed = (await mc.flushes()) - before;
    expect(flushed).toBeGreaterThanOrEqual(1);
    expect(flushed).toBeLessThanOrEqual(5);
  });
});
