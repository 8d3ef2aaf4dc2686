/**
 * AdminService ListGroups over the real gRPC socket, for the admin page's read-only Groups view:
 * a token's groups as its IdP made them over SCIM, with the alias each owns and its members,
 * in displayName order, a page at a time; other tokens' groups never show.
 */
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminServiceClient, type ListGroupsRequest, type ListGroupsResponse } from '../../../server/src/gen/mailcow/scim/v1/admin.js';
import { GROUP_SCHEMA, MAILCOW_GROUP_SCHEMA, USER_SCHEMA } from '../../../server/src/scim/schema/index.js';
import { scimClient } from '../../helpers/http.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

let t: TestSidecar;
let client: AdminServiceClient;
let tokenId: string;
let otherId: string;
const ids: Record<string, string> = {};

const list = (req: Partial<ListGroupsRequest>) =>
  new Promise<ListGroupsResponse>((resolve, reject) =>
    client.listGroups({ tokenId, startIndex: 0, count: 0, ...req }, new Metadata(), (e: ServiceError | null, r: ListGroupsResponse) => (e ? reject(e) : resolve(r))),
  );

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain: 'example.org' }] });
  client = new AdminServiceClient(`unix://${t.rpcSocket}`, credentials.createInsecure());
  const issued = await t.sidecar.tokens.create('Entra', { domains: ['example.org'], defaultDomain: 'example.org' });
  tokenId = issued.token.id;
  const scim = scimClient(t.baseUrl, issued.secret);
  for (const [userName, displayName] of [['ann@example.org', 'Ann'], ['bob@example.org', 'Bob']] as const) {
    const r = await scim.post('/Users', { schemas: [USER_SCHEMA], userName, displayName, active: true });
    expect(r.status).toBe(201);
    ids[userName] = (r.body as { id: string }).id;
  }
  for (const g of [
    { schemas: [GROUP_SCHEMA, MAILCOW_GROUP_SCHEMA], displayName: 'Sales', [MAILCOW_GROUP_SCHEMA]: { address: 'sales@example.org' }, members: [{ value: ids['ann@example.org'] }] },
    { schemas: [GROUP_SCHEMA], displayName: 'Board', members: [] },
    { schemas: [GROUP_SCHEMA], displayName: 'Interns', members: [{ value: ids['bob@example.org'] }, { value: ids['ann@example.org'] }] },
  ]) {
    expect((await scim.post('/Groups', g)).status).toBe(201);
  }
  const other = await t.sidecar.tokens.create('Okta', { domains: ['example.org'] });
  otherId = other.token.id;
  expect((await scimClient(t.baseUrl, other.secret).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Okta only' })).status).toBe(201);
});
afterAll(async () => {
  client?.close();
  await t?.stop();
});

describe('ListGroups', () => {
  it("lists a token's groups in displayName order with the alias each owns and its members", async () => {
    const r = await list({});
    expect(r.totalResults).toBe(3);
    expect(r.nextStartIndex).toBe(0);
    expect(r.groups.map((g) => g.displayName)).toEqual(['Board', 'Interns', 'Sales']);
    const sales = r.groups[2]!;
    expect(sales).toMatchObject({ address: 'sales@example.org', addressSource: 'attribute', aliasActive: true, members: [{ id: ids['ann@example.org'], display: 'Ann' }] });
    expect(r.groups[0]).toMatchObject({ address: '', addressSource: '', aliasActive: false, members: [] });
    expect(r.groups[1]!.members.map((m) => m.display).sort()).toEqual(['Ann', 'Bob']);
    expect((await list({ tokenId: otherId })).groups.map((g) => g.displayName)).toEqual(['Okta only']);
  });

  it('pages by start_index and count', async () => {
    const first = await list({ count: 2 });
    expect(first.groups.map((g) => g.displayName)).toEqual(['Board', 'Interns']);
    expect(first.nextStartIndex).toBe(3);
    const second = await list({ count: 2, startIndex: first.nextStartIndex });
    expect(second.groups.map((g) => g.displayName)).toEqual(['Sales']);
    expect(second.nextStartIndex).toBe(0);
  });

  it('answers INVALID_ARGUMENT without a token or with a negative page, NOT_FOUND for an unknown token', async () => {
    for (const [req, code] of [
      [{ tokenId: '' }, 3],
      [{ startIndex: -1 }, 3],
      [{ count: -5 }, 3],
      [{ tokenId: '00000000-0000-4000-8000-000000000000' }, 5],
    ] as const) {
      const err = (await list(req).catch((e: unknown) => e)) as ServiceError;
      expect(err.code, JSON.stringify(req)).toBe(code);
    }
  });
});
