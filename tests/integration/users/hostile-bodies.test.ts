/**
 * Issue 15 items 1 and 2 over HTTP against MariaDB: the hostile bodies that answered 500 (member
 * names of Object.prototype, values longer than their column, bodies that are not UTF-8 or
 * nest without end, .search members of the wrong type) answer 400 with the right scimType and
 * write nothing; a value with an unpaired surrogate is refused, so it can no longer poison the
 * filters of every later request of its token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimClient, type ScimResponse } from '../../helpers/http.js';
import { partialMailboxes, rowsOf } from '../../helpers/mailcow-rows.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

let t: TestSidecar;
let api: ReturnType<typeof scimClient>;
let userId: string;
let groupId: string;

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain: 'example.org', mailboxes: 100, quotaMiB: 100_000 }] });
  const token = (await t.sidecar.tokens.create('hostile', { domains: ['example.org'], defaultDomain: 'example.org' })).secret;
  api = scimClient(t.baseUrl, token);
  const u = await api.post('/Users', { schemas: [CORE], userName: 'target@example.org', phoneNumbers: [{ value: '+49 30 1', type: 'work' }], emails: [{ value: 'target@example.org', type: 'work' }] });
  expect(u.status, u.text).toBe(201);
  userId = u.body.id;
  const g = await api.post('/Groups', { schemas: [GROUP], displayName: 'Target', members: [{ value: userId }] });
  expect(g.status, g.text).toBe(201);
  groupId = g.body.id;
});
afterAll(async () => {
  await t?.stop();
});

const raw = (method: string, path: string, body: string | Buffer) => api.raw({ method, path, raw: body });

function expectRefused(r: ScimResponse, scimType: string, detail: RegExp): void {
  expect(r.status, r.text).toBe(400);
  expect(r.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', scimType, detail: expect.stringMatching(detail) });
}

async function scimUsers(): Promise<number> {
  return Number((await rowsOf(t.db.pool, `SELECT COUNT(*) AS n FROM mailcow_scim_users`))[0]!.n);
}

describe('member names of Object.prototype (issue 15 item 1)', () => {
  it('"constructor" and friends are unknown attributes: POST and PUT of Users and Groups succeed and do not keep them', async () => {
    for (const extra of ['"constructor":"x"', '"constructor":{"prototype":{"polluted":true}}', '"toString":1,"hasOwnProperty":"x"']) {
      const created = await raw('POST', '/Users', `{"schemas":["${CORE}"],"userName":"ctor${extra.length}@example.org",${extra}}`);
      expect(created.status, created.text).toBe(201);
      expect(Object.keys(created.body)).not.toContain('constructor');
      const put = await raw('PUT', `/Users/${userId}`, `{"schemas":["${CORE}"],"userName":"target@example.org",${extra}}`);
      expect(put.status, put.text).toBe(200);
      const group = await raw('POST', '/Groups', `{"schemas":["${GROUP}"],"displayName":"ctor ${extra.length}",${extra}}`);
      expect(group.status, group.text).toBe(201);
      const groupPut = await raw('PUT', `/Groups/${groupId}`, `{"schemas":["${GROUP}"],"displayName":"Target","members":[{"value":"${userId}"}],${extra}}`);
      expect(groupPut.status, groupPut.text).toBe(200);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('"__proto__" anywhere in a body is 400 invalidSyntax, and nothing is written', async () => {
    const before = await scimUsers();
    const bodies: [string, string, string][] = [
      ['POST', '/Users', `{"schemas":["${CORE}"],"userName":"proto@example.org","__proto__":{"x":1}}`],
      ['PUT', `/Users/${userId}`, `{"schemas":["${CORE}"],"userName":"target@example.org","__proto__":null}`],
      ['PATCH', `/Users/${userId}`, `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","value":{"__proto__":{"displayName":"x"}}}]}`],
      ['POST', '/Groups', `{"schemas":["${GROUP}"],"displayName":"proto","members":[{"value":"${userId}","__proto__":1}]}`],
      ['POST', '/Bulk', `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","path":"/Users","data":{"userName":"b@example.org","__proto__":{}}}]}`],
    ];
    for (const [method, path, body] of bodies) expectRefused(await raw(method, path, body), 'invalidSyntax', /__proto__/);
    expect(await scimUsers()).toBe(before);
  });
});

describe('values longer than their column (issue 15 item 1)', () => {
  it('externalId of 256 characters is 400 invalidValue for Users and Groups (POST, PUT, PATCH); 255 characters fit', async () => {
    const long = 'x'.repeat(256);
    const before = await scimUsers();
    expectRefused(await api.post('/Users', { schemas: [CORE], userName: 'ext@example.org', externalId: long }), 'invalidValue', /"externalId" may have at most 255 characters/);
    expectRefused(await api.put(`/Users/${userId}`, { schemas: [CORE], userName: 'target@example.org', externalId: long }), 'invalidValue', /externalId/);
    expectRefused(await api.patch(`/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'externalId', value: long }] }), 'invalidValue', /externalId/);
    expectRefused(await api.post('/Groups', { schemas: [GROUP], displayName: 'ext', externalId: long }), 'invalidValue', /externalId/);
    expectRefused(await api.put(`/Groups/${groupId}`, { schemas: [GROUP], displayName: 'Target', externalId: long }), 'invalidValue', /externalId/);
    expectRefused(await api.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'externalId', value: long }] }), 'invalidValue', /externalId/);
    expect(await scimUsers()).toBe(before);
    // MariaDB counts characters, not UTF-16 units: 255 emoji fit.
    const fits = await api.post('/Users', { schemas: [CORE], userName: 'ext255@example.org', externalId: '🙂'.repeat(255) });
    expect(fits.status, fits.text).toBe(201);
    expect((await api.get(`/Users?filter=${encodeURIComponent(`externalId eq "${'🙂'.repeat(255)}"`)}`)).body.totalResults).toBe(1);
  });

  it('a userName of 300 characters is 400 invalidValue, also when an e-mail gives the mailbox its address', async () => {
    const before = await scimUsers();
    const long = 'y'.repeat(300);
    expectRefused(await api.post('/Users', { schemas: [CORE], userName: long }), 'invalidValue', /userName/);
    expectRefused(await api.post('/Users', { schemas: [CORE], userName: long, emails: [{ value: 'long@example.org', type: 'work', primary: true }] }), 'invalidValue', /"userName" may have at most 255 characters/);
    expectRefused(await api.patch(`/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: long }] }), 'invalidValue', /userName/);
    // A huge one is named, not echoed whole (in the answer and in the log line).
    const huge = await api.post('/Users', { schemas: [CORE], userName: 'z'.repeat(100_000) });
    expectRefused(huge, 'invalidValue', /userName "z{80}… \(100000 characters\)"/);
    expect(huge.text.length).toBeLessThan(1000);
    expect(await scimUsers()).toBe(before);
    expect(await rowsOf(t.db.pool, `SELECT username FROM mailbox WHERE username = 'long@example.org'`)).toEqual([]);
  });
});

describe('bodies that are not UTF-8 JSON of a sane shape (issue 15 item 1)', () => {
  it('invalid UTF-8, a member named twice and nesting without end are 400 invalidSyntax', async () => {
    const before = await scimUsers();
    const bad = Buffer.concat([Buffer.from(`{"schemas":["${CORE}"],"userName":"utf@example.org","displayName":"a`), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expectRefused(await raw('POST', '/Users', bad), 'invalidSyntax', /UTF-8/);
    expectRefused(await raw('POST', '/Users', `{"schemas":["${CORE}"],"userName":"dup@example.org","userName":"other@example.org"}`), 'invalidSyntax', /appears twice/);
    expectRefused(await raw('PATCH', `/Users/${userId}`, `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","path":"nickName","value":${'['.repeat(50_000)}${']'.repeat(50_000)}}]}`), 'invalidSyntax', /levels deep/);
    expect(await scimUsers()).toBe(before);
  });

  it('.search members of the wrong type are 400 with their scimType', async () => {
    const hostile = { toString: 1, hasOwnProperty: 'x' };
    expectRefused(await api.post('/Users/.search', { schemas: [SEARCH], startIndex: hostile }), 'invalidValue', /startIndex/);
    expectRefused(await api.post('/Groups/.search', { schemas: [SEARCH], attributes: [hostile] }), 'invalidValue', /attributes/);
    expectRefused(await api.post('/.search', { schemas: [SEARCH], excludedAttributes: { primary: '0x10' } }), 'invalidValue', /excludedAttributes/);
    // A filter that is not a string was ignored, and the answer listed every user.
    expectRefused(await api.post('/Users/.search', { schemas: [SEARCH], filter: 5 }), 'invalidFilter', /filter/);
  });
});

describe('unpaired surrogates cannot poison later reads (issue 15 item 2)', () => {
  it('are 400 invalidValue in POST, PUT and PATCH of Users and Groups, and the filters over stored values keep answering', async () => {
    const reset = await api.put(`/Users/${userId}`, { schemas: [CORE], userName: 'target@example.org', phoneNumbers: [{ value: '+49 30 1', type: 'work' }], emails: [{ value: 'target@example.org', type: 'work' }] });
    expect(reset.status, reset.text).toBe(200);
    const before = await scimUsers();
    const lone = '+49 1\\ud800';
    expectRefused(await raw('POST', '/Users', `{"schemas":["${CORE}"],"userName":"lone@example.org","phoneNumbers":[{"value":"${lone}"}]}`), 'invalidValue', /'phoneNumbers.value' contains an unpaired UTF-16 surrogate/);
    expectRefused(await raw('PUT', `/Users/${userId}`, `{"schemas":["${CORE}"],"userName":"target@example.org","addresses":[{"locality":"\\udfff"}]}`), 'invalidValue', /addresses.locality/);
    expectRefused(await raw('PATCH', `/Users/${userId}`, `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","path":"phoneNumbers","value":[{"value":"${lone}","type":"home"}]}]}`), 'invalidValue', /phoneNumbers/);
    expectRefused(await raw('PATCH', `/Users/${userId}`, `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"replace","path":"phoneNumbers[type eq \\"work\\"].value","value":"${lone}"}]}`), 'invalidValue', /phoneNumbers/);
    expectRefused(await raw('POST', '/Groups', `{"schemas":["${GROUP}"],"displayName":"lone \\ud83d"}`), 'invalidValue', /displayName/);
    expectRefused(await raw('PATCH', `/Groups/${groupId}`, `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"replace","path":"displayName","value":"\\ude00"}]}`), 'invalidValue', /displayName/);
    expect(await scimUsers()).toBe(before);

    for (const filter of [
      'phoneNumbers.value eq "+49 30 1"',
      'phoneNumbers[type eq "work" and value sw "+49"]',
      'userName pr and (phoneNumbers.value co "30" or emails[type eq "work"])',
      'addresses.locality pr or not (ims pr)',
    ]) {
      const r = await api.get(`/Users?filter=${encodeURIComponent(filter)}`);
      expect(r.status, `${filter}: ${r.text}`).toBe(200);
    }
    const found = await api.get(`/Users?filter=${encodeURIComponent('phoneNumbers.value eq "+49 30 1"')}`);
    expect(found.body.Resources.map((u: { id: string }) => u.id)).toEqual([userId]);
    expect((await api.get(`/Groups?filter=${encodeURIComponent('displayName sw "T"')}`)).status).toBe(200);
  });

  it('leaves no mailbox partial', async () => {
    expect(await partialMailboxes(t.db.pool)).toEqual([]);
  });
});
