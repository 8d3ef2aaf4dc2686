/**
 * /Bulk (RFC 7644 §3.7) over the real HTTP socket: bulkId references across operations (a user,
 * then a group containing it, in either order), each operation its own transaction with its own
 * status, failOnErrors, and the advertised limits enforced with 413. Rows are read back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { mailboxFootprint, rowsOf } from '../../helpers/mailcow-rows.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { aliasRow, expectScimError, GROUP, memberIds, PATCH_OP, sendersOf, USER, type Client } from '../groups/helpers.js';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
const MAX_OPERATIONS = 10;
const MAX_BODY = 64 * 1024;

let t: TestSidecar;
let api: Client;

beforeAll(async () => {
  t = await startTestSidecar({
    domains: [{ domain: 'example.org', mailboxes: 100, quotaMiB: 1024 * 1024, maxquotaMiB: 10240 }],
    env: { SCIM_MAX_BULK_OPERATIONS: String(MAX_OPERATIONS), SCIM_MAX_BODY_BYTES: String(MAX_BODY) },
  });
  const token = await t.sidecar.tokens.create('bulk', { domains: ['example.org'], defaultDomain: 'example.org', groupSenderAcl: true });
  api = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
});
afterAll(async () => {
  await t?.stop();
});

function bulk(Operations: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  return api.post('/Bulk', { schemas: [BULK_REQUEST], ...extra, Operations });
}

describe('discovery', () => {
  it('ServiceProviderConfig advertises bulk with its limits', async () => {
    const r = await api.get('/ServiceProviderConfig');
    expect(r.body.bulk).toEqual({ supported: true, maxOperations: MAX_OPERATIONS, maxPayloadSize: MAX_BODY });
  });
});

describe('bulkId references', () => {
  it('creates a user, then a group that contains it (RFC 7644 §3.7.2), each with its own status', async () => {
    const r = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'u1', data: { schemas: [USER], userName: 'kim@example.org', displayName: 'Kim' } },
      { method: 'POST', path: '/Users', bulkId: 'u2', data: { schemas: [USER], userName: 'lee@example.org' } },
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'g1',
        data: { schemas: [GROUP], displayName: 'Tour Guides', address: 'guides@example.org', members: [{ type: 'User', value: 'bulkId:u1' }, { value: 'bulkId:u2' }] },
      },
    ]);
    expect(r.status, r.text).toBe(200);
    expect(r.body.schemas).toEqual([BULK_RESPONSE]);
    expect(r.body.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '201', '201']);
    const [u1, u2, g1] = r.body.Operations;
    expect(u1).toMatchObject({ method: 'POST', bulkId: 'u1', version: 'W/"1"' });
    expect(u1.location).toMatch(/\/scim\/v2\/Users\/[0-9a-f-]{36}$/);
    expect(g1.location).toMatch(/\/scim\/v2\/Groups\/[0-9a-f-]{36}$/);
    const kim = u1.location.split('/').pop();
    const lee = u2.location.split('/').pop();
    const group = await api.get(`/Groups/${g1.location.split('/').pop()}`);
    expect(memberIds(group.body)).toEqual([kim, lee].sort());
    expect(await aliasRow(t.db.pool, 'guides@example.org')).toMatchObject({ goto: 'kim@example.org,lee@example.org', active: 1, sender_allowed: 0 });
    expect(await sendersOf(t.db.pool, 'guides@example.org')).toEqual(['kim@example.org', 'lee@example.org']);
    expect((await mailboxFootprint(t.db.pool, 'kim@example.org')).sogo!.aliases).toBe('guides@example.org');
    // Each operation was its own change, audited on its own.
    const events = await rowsOf(t.db.pool, `SELECT operation, resource_type FROM mailcow_scim_events WHERE resource_id IN (?, ?, ?) ORDER BY id`, [kim, lee, g1.location.split('/').pop()]);
    expect(events).toEqual([
      { operation: 'create', resource_type: 'User' },
      { operation: 'create', resource_type: 'User' },
      { operation: 'create', resource_type: 'Group' },
    ]);
  });

  it('resolves forward references: the group comes first in the request, then a PATCH by bulkId path', async () => {
    const r = await bulk([
      { method: 'POST', path: '/Groups', bulkId: 'grp', data: { schemas: [GROUP], displayName: 'Forward', address: 'forward@example.org', members: [{ value: 'bulkId:later' }] } },
      { method: 'PATCH', path: '/Groups/bulkId:grp', data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: 'bulkId:last' }] }] } },
      { method: 'POST', path: '/Users', bulkId: 'later', data: { schemas: [USER], userName: 'max@example.org' } },
      { method: 'POST', path: '/Users', bulkId: 'last', data: { schemas: [USER], userName: 'nia@example.org' } },
    ]);
    expect(r.status, r.text).toBe(200);
    expect(r.body.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '200', '201', '201']);
    expect(r.body.Operations[1]).toMatchObject({ method: 'PATCH', version: 'W/"2"' });
    expect(await aliasRow(t.db.pool, 'forward@example.org')).toMatchObject({ goto: 'max@example.org,nia@example.org', active: 1 });
  });

  it('circular references are 409; an undeclared bulkId is 400; a failed POST makes its references 409', async () => {
    const r = await bulk([
      { method: 'POST', path: '/Groups', bulkId: 'a', data: { schemas: [GROUP], displayName: 'Circ A', members: [{ value: 'bulkId:b' }] } },
      { method: 'POST', path: '/Groups', bulkId: 'b', data: { schemas: [GROUP], displayName: 'Circ B', members: [{ value: 'bulkId:a' }] } },
      { method: 'POST', path: '/Groups', bulkId: 'c', data: { schemas: [GROUP], displayName: 'Nowhere', members: [{ value: 'bulkId:nope' }] } },
      { method: 'POST', path: '/Users', bulkId: 'bad', data: { schemas: [USER] } },
      { method: 'POST', path: '/Groups', bulkId: 'd', data: { schemas: [GROUP], displayName: 'Orphan', members: [{ value: 'bulkId:bad' }] } },
    ]);
    expect(r.status, r.text).toBe(200);
    const byId = Object.fromEntries(r.body.Operations.map((o: { bulkId: string }) => [o.bulkId, o]));
    expect(byId.a).toMatchObject({ status: '409', response: { status: '409' } });
    expect(byId.b).toMatchObject({ status: '409' });
    expect(byId.c).toMatchObject({ status: '400', response: { scimType: 'invalidValue' } });
    expect(byId.c.response.detail).toContain('nope');
    expect(byId.bad).toMatchObject({ status: '400', response: { scimType: 'invalidValue' } });
    expect(byId.d).toMatchObject({ status: '409' });
    expect(byId.d.response.detail).toContain('bad');
    const groups = await api.get(`/Groups?filter=${encodeURIComponent('displayName sw "Circ" or displayName eq "Nowhere" or displayName eq "Orphan"')}`);
    expect(groups.body.totalResults).toBe(0);
  });
});

describe('every method, versions and errors', () => {
  it('PUT, PATCH and DELETE by path, with If-Match from "version"; a stale version is that operation\'s 412', async () => {
    const made = await bulk([{ method: 'POST', path: '/Users', bulkId: 'o', data: { schemas: [USER], userName: 'olga@example.org', displayName: 'Olga' } }]);
    const olga = made.body.Operations[0].location.split('/').pop();
    const r = await bulk([
      { method: 'PATCH', path: `/Users/${olga}`, version: 'W/"1"', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Olga K.' }] } },
      { method: 'PUT', path: `/Users/${olga}`, version: 'W/"1"', data: { schemas: [USER], userName: 'olga@example.org', displayName: 'stale' } },
      { method: 'PUT', path: `/Users/${olga}`, version: 'W/"2"', data: { schemas: [USER], userName: 'olga@example.org', displayName: 'Olga Kay', active: false } },
    ]);
    expect(r.body.Operations.map((o: { status: string }) => o.status)).toEqual(['200', '412', '200']);
    expect(r.body.Operations[2].version).toBe('W/"3"');
    expect((await mailboxFootprint(t.db.pool, 'olga@example.org')).mailbox).toMatchObject({ name: 'Olga Kay', active: 2 });

    const del = await bulk([
      { method: 'DELETE', path: `/Users/${olga}` },
      { method: 'DELETE', path: `/Users/${olga}` },
    ]);
    expect(del.body.Operations).toEqual([
      { method: 'DELETE', status: '204', location: `http://localhost/scim/v2/Users/${olga}` },
      { method: 'DELETE', status: '404', response: expect.objectContaining({ status: '404' }) },
    ]);
  });

  it('a group delete in a bulk removes its alias and sender ACLs only', async () => {
    const r = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'p', data: { schemas: [USER], userName: 'pia@example.org' } },
      { method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: [GROUP], displayName: 'Short Lived', address: 'short@example.org', members: [{ value: 'bulkId:p' }] } },
      { method: 'DELETE', path: '/Groups/bulkId:g' },
    ]);
    expect(r.body.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '201', '204']);
    expect(await aliasRow(t.db.pool, 'short@example.org')).toBeUndefined();
    expect(await sendersOf(t.db.pool, 'short@example.org')).toEqual([]);
    expect((await mailboxFootprint(t.db.pool, 'pia@example.org')).mailbox).toMatchObject({ active: 1 });
  });

  it('bad operations get their own 400 and the others still run', async () => {
    const r = await bulk([
      { method: 'GET', path: '/Users' },
      { method: 'POST', path: '/Widgets', data: {} },
      { method: 'PATCH', path: '/Users' , data: { schemas: [PATCH_OP], Operations: [] } },
      { method: 'PUT', path: '/Users/x' },
      { method: 'POST', path: '/Users', data: { schemas: [USER], userName: 'quinn@example.org' } },
    ]);
    expect(r.status, r.text).toBe(200);
    expect(r.body.Operations.map((o: { status: string }) => o.status)).toEqual(['400', '400', '400', '400', '201']);
    expect((await mailboxFootprint(t.db.pool, 'quinn@example.org')).mailbox).toBeDefined();
  });
});

describe('failOnErrors', () => {
  it('stops after that many errors; what ran is answered, the rest is not run', async () => {
    const r = await bulk(
      [
        { method: 'POST', path: '/Users', bulkId: 'r1', data: { schemas: [USER], userName: 'rosa@example.org' } },
        { method: 'POST', path: '/Users', bulkId: 'r2', data: { schemas: [USER], userName: 'rosa@example.org' } },
        { method: 'POST', path: '/Users', bulkId: 'r3', data: { schemas: [USER] } },
        { method: 'POST', path: '/Users', bulkId: 'r4', data: { schemas: [USER], userName: 'sam@example.org' } },
      ],
      { failOnErrors: 2 },
    );
    expect(r.status, r.text).toBe(200);
    expect(r.body.Operations.map((o: { bulkId: string; status: string }) => [o.bulkId, o.status])).toEqual([['r1', '201'], ['r2', '409'], ['r3', '400']]);
    expect(r.body.Operations[1].response).toMatchObject({ scimType: 'uniqueness' });
    expect((await mailboxFootprint(t.db.pool, 'sam@example.org')).mailbox).toBeUndefined();
  });

  it('without failOnErrors every operation runs', async () => {
    const r = await bulk([
      { method: 'POST', path: '/Users', bulkId: 't1', data: { schemas: [USER] } },
      { method: 'POST', path: '/Users', bulkId: 't2', data: { schemas: [USER] } },
      { method: 'POST', path: '/Users', bulkId: 't3', data: { schemas: [USER], userName: 'tara@example.org' } },
    ]);
    expect(r.body.Operations.map((o: { status: string }) => o.status)).toEqual(['400', '400', '201']);
  });
});

describe('limits and malformed requests', () => {
  it('more operations than maxOperations is 413, and nothing runs', async () => {
    const ops = Array.from({ length: MAX_OPERATIONS + 1 }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `x${i}`, data: { schemas: [USER], userName: `x${i}@example.org` } }));
    const r = await bulk(ops);
    expectScimError(r, 413);
    expect(r.body.detail).toMatch(/at most 10 operations/);
    expect((await mailboxFootprint(t.db.pool, 'x0@example.org')).mailbox).toBeUndefined();
  });

  it('a body over maxPayloadSize is 413, and nothing runs', async () => {
    const padding = 'x'.repeat(MAX_BODY);
    const r = await bulk([{ method: 'POST', path: '/Users', bulkId: 'big', data: { schemas: [USER], userName: 'big@example.org', nickName: padding } }]);
    expectScimError(r, 413);
    expect((await mailboxFootprint(t.db.pool, 'big@example.org')).mailbox).toBeUndefined();
  });

  it('400 for a body that is not a BulkRequest, and for duplicate bulkIds', async () => {
    expectScimError(await api.post('/Bulk', { Operations: [] }), 400, 'invalidSyntax');
    expectScimError(await api.post('/Bulk', { schemas: [BULK_REQUEST] }), 400, 'invalidSyntax');
    expectScimError(await api.post('/Bulk', { schemas: [BULK_REQUEST], failOnErrors: -1, Operations: [] }), 400, 'invalidValue');
    const dup = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'same', data: { schemas: [USER], userName: 'dup1@example.org' } },
      { method: 'POST', path: '/Users', bulkId: 'same', data: { schemas: [USER], userName: 'dup2@example.org' } },
    ]);
    expectScimError(dup, 400, 'invalidValue');
    expect((await mailboxFootprint(t.db.pool, 'dup1@example.org')).mailbox).toBeUndefined();
  });

  it('needs the bearer token like every other endpoint', async () => {
    const anon = scimClient('http://localhost/scim/v2', undefined, t.httpSocket);
    expectScimError(await anon.post('/Bulk', { schemas: [BULK_REQUEST], Operations: [] }), 401);
  });
});
