/**
 * POST /Users answers with the user as it was written, without reading it back (users/create-user.ts):
 * that answer must be exactly what a GET returns afterwards, for a new mailbox and for a claim.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const domain = `t${randomBytes(4).toString('hex')}.example`;
let t: TestSidecar;
let api: ReturnType<typeof scimClient>;

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain, mailboxes: 100, quotaMiB: 100_000 }] });
  const token = await t.sidecar.tokens.create('create-response', { domains: [domain] });
  api = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
});
afterAll(async () => {
  await t?.stop();
});

const body = (local: string, extra: Record<string, unknown> = {}) => ({
  schemas: [CORE, ENT],
  userName: `${local}@${domain}`,
  externalId: `ext-${local}`,
  displayName: `Name ${local}`,
  name: { givenName: 'Given', familyName: local },
  emails: [{ value: `${local}@${domain}`, type: 'work', primary: true }],
  phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
  [ENT]: { department: 'Sales', manager: { value: 'boss' } },
  ...extra,
});

it.each([
  ['an active user', body('alice')],
  ['an inactive user', body('bob', { active: false })],
  ['a user with an explicit quota and tags', body('carol', { 'urn:ietf:params:scim:schemas:extension:mailcow:2.0:User': { quota: 5, tags: ['a', 'b'] } })],
])('%s: the 201 body equals the GET that follows', async (_name, user) => {
  const created = await api.post('/Users', user);
  expect(created.status, created.text).toBe(201);
  const read = await api.get(`/Users/${created.body.id}`);
  expect(read.status).toBe(200);
  expect(created.body).toEqual(read.body);
  expect(created.headers.etag).toBe(read.headers.etag);
});

it('a claim (re-hire) answers like a GET too', async () => {
  const first = await api.post('/Users', body('dave'));
  expect((await api.delete(`/Users/${first.body.id}`)).status).toBe(204);
  const claimed = await api.post('/Users', body('dave'));
  expect(claimed.status, claimed.text).toBe(201);
  expect(claimed.body).toEqual((await api.get(`/Users/${claimed.body.id}`)).body);
});
