import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimRequest } from '../../helpers/http.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

let t: TestSidecar;
beforeAll(async () => {
  t = await startTestSidecar();
});
afterAll(async () => {
  await t?.stop();
});
const get = (path: string) => scimRequest(t.baseUrl, { path });

describe('discovery tells the truth', () => {
  it('ServiceProviderConfig advertises what is implemented', async () => {
    const r = await get('/ServiceProviderConfig');
    expect(r.body).toMatchObject({ patch: { supported: true }, filter: { supported: true, maxResults: 500 }, sort: { supported: true }, etag: { supported: true }, changePassword: { supported: false } });
  });

  it('/Schemas lists User, Enterprise User, the mailcow extensions and Group, each readable by URN', async () => {
    const r = await get('/Schemas');
    expect(r.status).toBe(200);
    const ids = r.body.Resources.map((s: { id: string }) => s.id);
    expect(ids).toEqual(expect.arrayContaining([
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      'urn:ietf:params:scim:schemas:extension:mailcow:2.0:User',
      'urn:ietf:params:scim:schemas:core:2.0:Group',
    ]));
    const user = await get('/Schemas/urn:ietf:params:scim:schemas:core:2.0:User');
    expect(user.status).toBe(200);
    const userName = user.body.attributes.find((a: { name: string }) => a.name === 'userName');
    expect(userName).toMatchObject({ required: true, caseExact: false, uniqueness: 'server' });
    const mc = await get('/Schemas/urn:ietf:params:scim:schemas:extension:mailcow:2.0:User');
    expect(mc.body.attributes.find((a: { name: string }) => a.name === 'mailboxAddress').mutability).toBe('readOnly');
    expect((await get('/Schemas/urn:nope')).status).toBe(404);
  });

  it('/ResourceTypes lists User and Group with their extensions', async () => {
    const r = await get('/ResourceTypes');
    expect(r.body.totalResults).toBe(2);
    const user = await get('/ResourceTypes/User');
    expect(user.body).toMatchObject({ endpoint: '/Users', schema: 'urn:ietf:params:scim:schemas:core:2.0:User' });
    expect(user.body.schemaExtensions).toContainEqual({ schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', required: false });
  });

  it('refuses filters on discovery endpoints with 403', async () => {
    expect((await get('/Schemas?filter=id%20eq%20%22x%22')).status).toBe(403);
  });
});
