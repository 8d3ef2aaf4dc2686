/**
 * The quota of a new mailbox is what mailcow's own add form would give it (issue 18 item 1):
 * the chosen template's quota when a template is chosen (our extension's `template`, a template
 * rule or the token's default template), the domain's default otherwise, and a quota the IdP
 * sends always wins within the domain's limits. Each create is compared, row and domain usage,
 * with what the form (tests/helpers/mailcow-rows.ts mailcowFormQuota) puts in its quota field
 * for the same domain and template, on mailcow's schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { domainQuotaInUse, mailboxFootprint, mailcowFormQuota } from '../../helpers/mailcow-rows.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const MC = 'urn:ietf:params:scim:schemas:extension:mailcow:2.0:User';
const MIB = 1024 * 1024;
const DOMAIN = 'example.org';

let t: TestSidecar;
let api: ReturnType<typeof scimClient>;

beforeAll(async () => {
  // The form pre-fills the default (1 GiB) for a domain; templates carry their own quotas.
  t = await startTestSidecar({ domains: [{ domain: DOMAIN, mailboxes: 100, defquotaMiB: 1024, maxquotaMiB: 4096, quotaMiB: 20_480 }, { domain: 'small.org', defquotaMiB: 1024, maxquotaMiB: 4096, quotaMiB: 1536 }] });
  const add = (name: string, quotaMiB: number) => t.db.pool.query(`INSERT INTO templates (template, type, attributes) VALUES (?, 'mailbox', ?)`, [name, JSON.stringify({ quota: quotaMiB * MIB, tags: [name.toLowerCase()] })]);
  await add('Staff', 512);
  await add('Sales', 2048);
  await add('Huge', 8192);
  await add('Unlimited', 0);
  const token = await t.sidecar.tokens.create('form', {
    domains: [DOMAIN, 'small.org'],
    defaultDomain: DOMAIN,
    templateRules: [{ filter: `${ENT}:department eq "Sales"`, template: 'Sales' }],
  });
  api = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
});
afterAll(async () => {
  await t?.stop();
});

/** Creates through SCIM and checks the mailbox row and the domain's used quota against the form's answer. */
async function expectAsMailcowForm(userName: string, template: string | null, extra: Record<string, unknown> = {}) {
  const domain = userName.split('@')[1]!;
  const form = await mailcowFormQuota(t.db.pool, domain, template);
  const before = await domainQuotaInUse(t.db.pool, domain);
  const r = await api.post('/Users', { schemas: [CORE, ENT, MC], userName, ...extra });
  expect(r.status, r.text).toBe(201);
  const f = await mailboxFootprint(t.db.pool, userName);
  expect(f.mailbox).toMatchObject({ username: userName, domain, quota: form.quotaMiB * MIB, authsource: 'scim', active: 1 });
  expect(f.quota2).toMatchObject({ bytes: 0, messages: 0 });
  expect(await domainQuotaInUse(t.db.pool, domain)).toBe(before + form.quotaMiB * MIB);
  return { form, body: r.body, footprint: f };
}

describe("a new mailbox's quota, as mailcow's add form gives it", () => {
  it('a template named in the extension gives its quota (512 MiB, not the 1 GiB default)', async () => {
    const { form, footprint } = await expectAsMailcowForm(`staff@${DOMAIN}`, 'Staff', { [MC]: { template: 'Staff' } });
    expect(form.quotaMiB).toBe(512);
    expect(footprint.tags).toEqual(['staff']);
  });

  it('a template picked by a rule gives its quota', async () => {
    const { form } = await expectAsMailcowForm(`seller@${DOMAIN}`, 'Sales', { [ENT]: { department: 'Sales' } });
    expect(form.quotaMiB).toBe(2048);
  });

  it("a template with quota 0 gives an unlimited mailbox, as the form does; the domain's used quota does not grow", async () => {
    const { form } = await expectAsMailcowForm(`boss@${DOMAIN}`, 'Unlimited', { [MC]: { template: 'Unlimited' } });
    expect(form.quotaMiB).toBe(0);
  });

  it("no template: the domain's default (mailcow's Default template has 0, which the form replaces with the default)", async () => {
    const { form } = await expectAsMailcowForm(`plain@${DOMAIN}`, null);
    expect(form.quotaMiB).toBe(1024);
  });

  it('the token\'s default template counts as chosen', async () => {
    const token = await t.sidecar.tokens.create('staff default', { domains: [DOMAIN], defaultTemplate: 'Staff' });
    const c = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
    const r = await c.post('/Users', { schemas: [CORE], userName: `dflt@${DOMAIN}` });
    expect(r.status, r.text).toBe(201);
    expect((await mailboxFootprint(t.db.pool, `dflt@${DOMAIN}`)).mailbox!.quota).toBe((await mailcowFormQuota(t.db.pool, DOMAIN, 'Staff')).quotaMiB * MIB);
  });

  it('an explicit SCIM quota wins over the template', async () => {
    const r = await api.post('/Users', { schemas: [CORE, MC], userName: `own@${DOMAIN}`, [MC]: { template: 'Staff', quota: 700 } });
    expect(r.status, r.text).toBe(201);
    expect((await mailboxFootprint(t.db.pool, `own@${DOMAIN}`)).mailbox!.quota).toBe(700 * MIB);
  });

  it("a template quota above the domain's per-mailbox maximum is refused, as the form and mailbox('add') refuse it; nothing is written", async () => {
    expect((await mailcowFormQuota(t.db.pool, DOMAIN, 'Huge')).accepted).toBe(false);
    const before = await domainQuotaInUse(t.db.pool, DOMAIN);
    const r = await api.post('/Users', { schemas: [CORE, MC], userName: `huge@${DOMAIN}`, [MC]: { template: 'Huge' } });
    expect(r.status, r.text).toBe(400);
    expect(r.body).toMatchObject({ scimType: 'invalidValue' });
    expect(r.body.detail).toMatch(/at most 4096 MiB; 8192 MiB was asked for/);
    expect((await mailboxFootprint(t.db.pool, `huge@${DOMAIN}`)).mailbox).toBeUndefined();
    expect(await domainQuotaInUse(t.db.pool, DOMAIN)).toBe(before);
  });

  it("a template quota above the room left is refused, where the domain default is capped to fit", async () => {
    // small.org: 1536 MiB in all. The default (1024) fits; then 512 MiB are left.
    await expectAsMailcowForm('first@small.org', null);
    expect(await mailcowFormQuota(t.db.pool, 'small.org', 'Sales')).toEqual({ quotaMiB: 2048, accepted: false });
    const r = await api.post('/Users', { schemas: [CORE, MC], userName: 'seller@small.org', [MC]: { template: 'Sales' } });
    expect(r.status, r.text).toBe(400);
    expect(r.body.detail).toMatch(/512 MiB of its 1536 MiB quota left; 2048 MiB was asked for/);
    const { form } = await expectAsMailcowForm('second@small.org', null);
    expect(form.quotaMiB).toBe(512);
  });
});

describe('a token can force one source', () => {
  it("quotaSource domain: the domain's default even with a template", async () => {
    const token = await t.sidecar.tokens.create('domain quota', { domains: [DOMAIN], quotaSource: 'domain' });
    const c = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
    expect((await c.post('/Users', { schemas: [CORE, MC], userName: `d1@${DOMAIN}`, [MC]: { template: 'Staff' } })).status).toBe(201);
    expect((await mailboxFootprint(t.db.pool, `d1@${DOMAIN}`)).mailbox!.quota).toBe(1024 * MIB);
  });

  it("quotaSource template: the template's quota even without one (mailcow's Default: 0, unlimited, as mailbox('add') without a quota)", async () => {
    const token = await t.sidecar.tokens.create('template quota', { domains: [DOMAIN], quotaSource: 'template' });
    const c = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
    expect((await c.post('/Users', { schemas: [CORE], userName: `t1@${DOMAIN}` })).status).toBe(201);
    expect((await mailboxFootprint(t.db.pool, `t1@${DOMAIN}`)).mailbox!.quota).toBe(0);
  });
});

describe('later changes', () => {
  it('a rule that starts matching applies its template with its quota; one that stops matching keeps the quota', async () => {
    const r = await api.post('/Users', { schemas: [CORE, ENT], userName: `mover@${DOMAIN}`, [ENT]: { department: 'Support' } });
    expect(r.status, r.text).toBe(201);
    expect((await mailboxFootprint(t.db.pool, `mover@${DOMAIN}`)).mailbox!.quota).toBe(1024 * MIB);
    const toSales = await api.put(`/Users/${r.body.id}`, { schemas: [CORE, ENT], userName: `mover@${DOMAIN}`, [ENT]: { department: 'Sales' } });
    expect(toSales.status, toSales.text).toBe(200);
    expect(await mailboxFootprint(t.db.pool, `mover@${DOMAIN}`)).toMatchObject({ mailbox: { quota: 2048 * MIB }, tags: ['sales'] });
    const back = await api.put(`/Users/${r.body.id}`, { schemas: [CORE, ENT], userName: `mover@${DOMAIN}`, [ENT]: { department: 'Support' } });
    expect(back.status, back.text).toBe(200);
    expect((await mailboxFootprint(t.db.pool, `mover@${DOMAIN}`)).mailbox!.quota).toBe(2048 * MIB);
  });
});
