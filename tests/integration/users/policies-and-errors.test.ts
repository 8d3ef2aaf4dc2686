/**
 * Token policies (isolation, IP allow-list, modes, limits) and every error path of /Users,
 * over the real HTTP socket, with the rows checked so that a refusal is seen to write nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimClient, scimRequest } from '../../helpers/http.js';
import { mailboxFootprint, rowsOf } from '../../helpers/mailcow-rows.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
let t: TestSidecar;
let main: ReturnType<typeof scimClient>;
let mainToken: string;

beforeAll(async () => {
  t = await startTestSidecar({
    domains: [
      { domain: 'example.org', mailboxes: 100, quotaMiB: 100_000, maxquotaMiB: 10_000 },
      { domain: 'other.org', mailboxes: 100, quotaMiB: 100_000 },
      { domain: 'tiny.org', mailboxes: 1, quotaMiB: 2048, maxquotaMiB: 1024, defquotaMiB: 1024 },
      { domain: 'off.org', active: 0 },
    ],
  });
  mainToken = (await t.sidecar.tokens.create('main', { domains: ['example.org', 'tiny.org', 'off.org'], defaultDomain: 'example.org' })).secret;
  main = scimClient('http://localhost/scim/v2', mainToken, t.httpSocket);
});
afterAll(async () => {
  await t?.stop();
});

function expectScimError(r: { status: number; body: Record<string, unknown>; headers: Record<string, unknown> }, status: number, scimType?: string) {
  expect(r.status).toBe(status);
  expect(String(r.headers['content-type'])).toMatch(/application\/scim\+json/);
  expect(r.body.schemas).toEqual([ERROR]);
  expect(r.body.status).toBe(String(status));
  if (scimType) expect(r.body.scimType).toBe(scimType);
  else expect(r.body.scimType).toBeUndefined();
  expect(typeof r.body.detail).toBe('string');
}

describe('authentication', () => {
  it('401 without a token, with a wrong token, and with a malformed header', async () => {
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer mcs_wrongwrongwrongwrongwrongwrongwrongwrong12' }, { authorization: 'Basic abc' }]) {
      const r = await scimRequest('http://localhost/scim/v2', { path: '/Users', socket: t.httpSocket, headers });
      expectScimError(r, 401);
      expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
    }
  });

  it('401 for a disabled token, and again after it is re-enabled and then revoked', async () => {
    const issued = await t.sidecar.tokens.create('temp', { domains: ['example.org'] });
    const c = scimClient('http://localhost/scim/v2', issued.secret, t.httpSocket);
    expect((await c.get('/Users')).status).toBe(200);
    await t.sidecar.tokens.update(issued.token.id, { active: false });
    expectScimError(await c.get('/Users'), 401);
    await t.sidecar.tokens.update(issued.token.id, { active: true });
    expect((await c.get('/Users')).status).toBe(200);
    await t.sidecar.tokens.revoke(issued.token.id);
    expectScimError(await c.get('/Users'), 401);
  });

  it('a rotated token stops the old secret at once', async () => {
    const issued = await t.sidecar.tokens.create('rot', { domains: ['example.org'] });
    const rotated = await t.sidecar.tokens.rotate(issued.token.id);
    expectScimError(await scimClient('http://localhost/scim/v2', issued.secret, t.httpSocket).get('/Users'), 401);
    expect((await scimClient('http://localhost/scim/v2', rotated.secret, t.httpSocket).get('/Users')).status).toBe(200);
  });

  it('never logs a secret', () => {
    expect(t.logText()).not.toContain(mainToken);
    expect(t.logText()).not.toMatch(/mcs_[A-Za-z0-9_-]{43}/);
  });
});

describe('IP allow-list (X-Real-IP from nginx on the socket)', () => {
  it('allows addresses in the list and answers 403 for others', async () => {
    const issued = await t.sidecar.tokens.create('ip', { domains: ['example.org'], ipAllowList: ['192.0.2.0/24', '2001:db8::/32'] });
    const get = (ip?: string) => scimRequest('http://localhost/scim/v2', { path: '/Users', socket: t.httpSocket, token: issued.secret, headers: ip ? { 'x-real-ip': ip } : {} });
    expect((await get('192.0.2.77')).status).toBe(200);
    expect((await get('2001:db8::5')).status).toBe(200);
    expectScimError(await get('198.51.100.1'), 403);
    expectScimError(await get(), 403);
  });

  it('does not believe X-Real-IP from an untrusted TCP peer', async () => {
    const issued = await t.sidecar.tokens.create('ip2', { domains: ['example.org'], ipAllowList: ['192.0.2.0/24'] });
    // The test's TCP peer is 127.0.0.1, a trusted proxy by default: X-Real-IP is believed...
    expect((await scimRequest(t.baseUrl, { path: '/Users', token: issued.secret, headers: { 'x-real-ip': '192.0.2.1' } })).status).toBe(200);
    // ...and without it the peer itself (127.0.0.1) is outside the list.
    expectScimError(await scimRequest(t.baseUrl, { path: '/Users', token: issued.secret }), 403);
  });
});

describe('domain isolation', () => {
  it('a token never sees, lists or touches users of another token or outside its domains (404)', async () => {
    const otherToken = (await t.sidecar.tokens.create('other', { domains: ['other.org'], defaultDomain: 'other.org' })).secret;
    const other = scimClient('http://localhost/scim/v2', otherToken, t.httpSocket);
    const theirs = await other.post('/Users', { schemas: [CORE], userName: 'them@other.org' });
    expect(theirs.status).toBe(201);
    const id = theirs.body.id;
    expectScimError(await main.get(`/Users/${id}`), 404);
    expectScimError(await main.patch(`/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] }), 404);
    expectScimError(await main.delete(`/Users/${id}`), 404);
    expect((await main.get(`/Users?filter=${encodeURIComponent('userName eq "them@other.org"')}`)).body.totalResults).toBe(0);
    expect((await mailboxFootprint(t.db.pool, 'them@other.org')).mailbox!.active).toBe(1);
  });

  it('refuses an address outside the managed domains with the allowed list (400 invalidValue)', async () => {
    const r = await main.post('/Users', { schemas: [CORE], userName: 'x@other.org' });
    expectScimError(r, 400, 'invalidValue');
    expect(r.body.detail).toContain('example.org, tiny.org, off.org');
    expect(await rowsOf(t.db.pool, `SELECT * FROM mailbox WHERE username = 'x@other.org'`)).toEqual([]);
  });

  it('a user whose domain is removed from the token disappears for it (404), mailbox untouched', async () => {
    const issued = await t.sidecar.tokens.create('shrink', { domains: ['example.org', 'tiny.org'], defaultDomain: 'tiny.org' });
    const c = scimClient('http://localhost/scim/v2', issued.secret, t.httpSocket);
    const u = await c.post('/Users', { schemas: [CORE], userName: 'solo' });
    expect(u.status, u.text).toBe(201);
    await t.sidecar.tokens.update(issued.token.id, { policy: { domains: ['example.org'], defaultDomain: 'example.org' } });
    expectScimError(await c.get(`/Users/${u.body.id}`), 404);
    expect((await mailboxFootprint(t.db.pool, 'solo@tiny.org')).mailbox).toBeDefined();
  });
});

describe('mailcow limits, checked with the domain row locked', () => {
  it('refuses a mailbox beyond domain.mailboxes, and a quota beyond maxquota or the domain quota', async () => {
    // tiny.org: 1 mailbox (taken by "solo" above), 1024 MiB per mailbox, 2048 MiB in all.
    const full = await main.post('/Users', { schemas: [CORE], userName: 'second@tiny.org' });
    expectScimError(full, 400, 'invalidValue');
    expect(full.body.detail).toMatch(/allows 1 mailboxes and has 1/);
    const tooBig = await main.post('/Users', { schemas: [CORE, 'urn:ietf:params:scim:schemas:extension:mailcow:2.0:User'], userName: 'big@example.org', 'urn:ietf:params:scim:schemas:extension:mailcow:2.0:User': { quota: 20_000 } });
    expectScimError(tooBig, 400, 'invalidValue');
    expect(tooBig.body.detail).toMatch(/at most 10000 MiB/);
    expect(await rowsOf(t.db.pool, `SELECT * FROM mailbox WHERE username IN ('second@tiny.org','big@example.org')`)).toEqual([]);
  });

  it('refuses an inactive domain', async () => {
    const r = await main.post('/Users', { schemas: [CORE], userName: 'a@off.org' });
    expectScimError(r, 400, 'invalidValue');
    expect(r.body.detail).toMatch(/inactive/);
  });

  it('an explicit quota from our extension is written in bytes', async () => {
    const r = await main.post('/Users', { schemas: [CORE], userName: 'q@example.org', 'urn:ietf:params:scim:schemas:extension:mailcow:2.0:User': { quota: 512, tags: ['sales', 'scim'], protocolAccess: { pop3: false, eas: false } } });
    expect(r.status, r.text).toBe(201);
    const f = await mailboxFootprint(t.db.pool, 'q@example.org');
    expect(f.mailbox!.quota).toBe(512 * 1024 * 1024);
    expect(f.tags).toEqual(['sales', 'scim']);
    expect(String(f.mailbox!.attributes)).toContain('"pop3_access": "0"');
    expect(String(f.mailbox!.attributes)).toContain('"eas_access": "0"');
    expect(String(f.mailbox!.attributes)).toContain('"imap_access": "1"');
  });
});

describe('deactivate and delete modes', () => {
  it('on_deactivate 0 turns the mailbox off (mail rejected)', async () => {
    const issued = await t.sidecar.tokens.create('strict', { domains: ['example.org'], onDeactivate: 0 });
    const c = scimClient('http://localhost/scim/v2', issued.secret, t.httpSocket);
    const u = await c.post('/Users', { schemas: [CORE], userName: 'strict@example.org' });
    const r = await c.patch(`/Users/${u.body.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect(r.status).toBe(200);
    const f = await mailboxFootprint(t.db.pool, 'strict@example.org');
    expect(f.mailbox!.active).toBe(0);
    expect(f.selfAlias!.active).toBe(0);
    expect(f.sogo).toBeUndefined();
  });

  it('on_delete "delete" removes the mailbox the way mailcow does', async () => {
    const issued = await t.sidecar.tokens.create('purge', { domains: ['example.org'], onDelete: 'delete', aliasSync: true });
    const c = scimClient('http://localhost/scim/v2', issued.secret, t.httpSocket);
    const u = await c.post('/Users', { schemas: [CORE], userName: 'gone@example.org', emails: [{ value: 'gone.alias@example.org', type: 'other' }] });
    expect(u.status, u.text).toBe(201);
    await t.db.pool.query(`INSERT INTO alias (address, goto, domain, active) VALUES ('team@example.org', 'gone@example.org,jane@example.org', 'example.org', 1)`);
    expect((await c.delete(`/Users/${u.body.id}`)).status).toBe(204);
    const f = await mailboxFootprint(t.db.pool, 'gone@example.org');
    expect(f).toMatchObject({ mailbox: undefined, quota2: undefined, quota2replica: undefined, selfAlias: undefined, userAcl: undefined, sogo: undefined, aliases: [] });
    expect(await rowsOf(t.db.pool, `SELECT goto FROM alias WHERE address = 'team@example.org'`)).toEqual([{ goto: 'jane@example.org' }]);
    expect(await rowsOf(t.db.pool, `SELECT * FROM mailcow_scim_owned_aliases WHERE address = 'gone.alias@example.org'`)).toEqual([]);
  });
});

describe('bad input gets a SCIM error and loses nothing', () => {
  it('400 invalidSyntax for broken JSON, 415 for another media type, 413 over the body limit', async () => {
    expectScimError(await main.raw({ method: 'POST', path: '/Users', raw: '{"userName": ' }), 400, 'invalidSyntax');
    expectScimError(await main.raw({ method: 'POST', path: '/Users', raw: 'userName=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415);
    expectScimError(await main.raw({ method: 'POST', path: '/Users', raw: JSON.stringify({ userName: 'x'.repeat(2 * 1024 * 1024) }) }), 413);
    const ok = await main.raw({ method: 'POST', path: '/Users', raw: JSON.stringify({ schemas: [CORE], userName: 'json@example.org' }), headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(ok.status).toBe(201);
  });

  it('400 invalidValue for missing userName, wrong types, and schemas without the core URN', async () => {
    expectScimError(await main.post('/Users', { schemas: [CORE] }), 400, 'invalidValue');
    expectScimError(await main.post('/Users', { schemas: [CORE], userName: 'w@example.org', active: 'maybe' }), 400, 'invalidValue');
    expectScimError(await main.post('/Users', { schemas: ['urn:x'], userName: 'w@example.org' }), 400, 'invalidValue');
    expectScimError(await main.post('/Users', [1, 2]), 400, 'invalidSyntax');
    expect(await rowsOf(t.db.pool, `SELECT * FROM mailbox WHERE username = 'w@example.org'`)).toEqual([]);
  });

  it('400 invalidFilter with a detail, never an empty list', async () => {
    for (const filter of ['userName eq', 'nosuch eq "x"', 'active gt "x"', '((userName eq "a")']) {
      const r = await main.get(`/Users?filter=${encodeURIComponent(filter)}`);
      expectScimError(r, 400, 'invalidFilter');
      expect(r.body.detail.length).toBeGreaterThan(10);
    }
  });

  it('400 invalidValue for non-integer paging, and count is capped at the maximum', async () => {
    expectScimError(await main.get('/Users?count=ten'), 400, 'invalidValue');
    expectScimError(await main.get('/Users?startIndex=1.5'), 400, 'invalidValue');
    const r = await main.get('/Users?count=100000&startIndex=0');
    expect(r.status).toBe(200);
    expect(r.body.startIndex).toBe(1);
    expect(r.body.itemsPerPage).toBeLessThanOrEqual(500);
    const zero = await main.get('/Users?count=0');
    expect(zero.body.Resources).toEqual([]);
    expect(zero.body.totalResults).toBeGreaterThan(0);
  });

  it('PATCH errors: noTarget, invalidPath, mutability, invalidValue, and nothing applied', async () => {
    const u = await main.post('/Users', { schemas: [CORE], userName: 'patchme@example.org', displayName: 'Before' });
    const id = u.body.id;
    const op = (ops: unknown[]) => main.patch(`/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: ops });
    expectScimError(await op([{ op: 'replace', path: 'nosuch', value: 1 }]), 400, 'invalidPath');
    expectScimError(await op([{ op: 'replace', path: 'id', value: 'x' }]), 400, 'mutability');
    expectScimError(await op([{ op: 'remove' }]), 400, 'noTarget');
    expectScimError(await op([{ op: 'replace', path: 'displayName', value: 'After' }, { op: 'replace', path: 'active', value: 'perhaps' }]), 400, 'invalidValue');
    expectScimError(await main.patch(`/Users/${id}`, { Operations: [] }), 400, 'invalidSyntax');
    expect((await main.get(`/Users/${id}`)).body.displayName).toBe('Before');
    expect((await mailboxFootprint(t.db.pool, 'patchme@example.org')).mailbox!.name).toBe('Before');
  });

  it('404 for unknown ids, 412 on a stale If-Match, and success with the current one', async () => {
    expectScimError(await main.get('/Users/00000000-0000-0000-0000-000000000000'), 404);
    expectScimError(await main.delete('/Users/nope'), 404);
    const u = await main.post('/Users', { schemas: [CORE], userName: 'etag@example.org' });
    const stale = await main.put(`/Users/${u.body.id}`, { schemas: [CORE], userName: 'etag@example.org', displayName: 'x' }, { 'if-match': 'W/"99"' });
    expectScimError(stale, 412);
    const fresh = await main.put(`/Users/${u.body.id}`, { schemas: [CORE], userName: 'etag@example.org', displayName: 'x' }, { 'if-match': u.headers.etag as string });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.etag).toBe('W/"2"');
    expectScimError(await main.delete(`/Users/${u.body.id}`, { 'if-match': 'W/"1"' }), 412);
  });

  it('records refusals in the audit log', async () => {
    const fails = await rowsOf(t.db.pool, `SELECT operation, status FROM mailcow_scim_events WHERE outcome = 'failure'`);
    expect(fails.length).toBeGreaterThan(5);
    expect(fails).toContainEqual({ operation: 'create', status: 400 });
    expect(fails).toContainEqual({ operation: 'patch', status: 400 });
  });
});
