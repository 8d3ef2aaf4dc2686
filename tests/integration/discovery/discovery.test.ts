/**
 * The discovery endpoints over HTTP (RFC 7644 §4): what /ServiceProviderConfig, /ResourceTypes
 * and /Schemas publish, each document checked against the schema the server publishes for it
 * (RFC 7643 §5–§7), the ListResponse shape, and what list parameters do here (ignored; a filter
 * is 403). What the published User and Group attributes promise is schema-truth.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimRequest } from '../../helpers/http.js';
import { schemaViolations, type SchemaAttribute } from '../../helpers/schema-conformance.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

const SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
const RESOURCE_TYPE = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SERVICE_PROVIDER_CONFIG = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ALL_SCHEMAS = [
  'urn:ietf:params:scim:schemas:core:2.0:User',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  'urn:ietf:params:scim:schemas:extension:mailcow:2.0:User',
  GROUP,
  'urn:ietf:params:scim:schemas:extension:mailcow:2.0:Group',
  SERVICE_PROVIDER_CONFIG,
  RESOURCE_TYPE,
  SCHEMA,
];

interface SchemaResource {
  id: string;
  attributes: SchemaAttribute[];
  meta: { resourceType: string; location: string };
}

let t: TestSidecar;
beforeAll(async () => {
  t = await startTestSidecar();
});
afterAll(async () => {
  await t?.stop();
});
const get = (path: string) => scimRequest(t.baseUrl, { path });
const schemaOf = async (urn: string) => ((await get(`/Schemas/${urn}`)).body as SchemaResource).attributes;

describe('/ServiceProviderConfig', () => {
  it('advertises what is implemented', async () => {
    const r = await get('/ServiceProviderConfig');
    expect(r.body).toMatchObject({ patch: { supported: true }, filter: { supported: true, maxResults: 500 }, sort: { supported: true }, etag: { supported: true }, changePassword: { supported: false } });
  });

  it('is exactly what the ServiceProviderConfig schema in /Schemas says (RFC 7643 §5)', async () => {
    const r = await get('/ServiceProviderConfig');
    expect(r.body.schemas).toEqual([SERVICE_PROVIDER_CONFIG]);
    expect(schemaViolations(r.body, await schemaOf(SERVICE_PROVIDER_CONFIG))).toEqual([]);
  });
});

describe('/Schemas', () => {
  it('lists the resource schemas and those of the discovery documents, in one ListResponse', async () => {
    const r = await get('/Schemas');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(r.body).toEqual({ schemas: [LIST], totalResults: 8, itemsPerPage: 8, startIndex: 1, Resources: expect.any(Array) });
    expect(r.body.Resources.map((s: SchemaResource) => s.id)).toEqual(ALL_SCHEMAS);
  });

  it('answers each schema at its meta.location, by URN in any case, as the list shows it', async () => {
    const list = (await get('/Schemas')).body.Resources as SchemaResource[];
    for (const schema of list) {
      expect(schema.meta).toEqual({ resourceType: 'Schema', location: `${t.baseUrl}/Schemas/${schema.id}` });
      const one = await get(`/Schemas/${schema.id}`);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(schema);
      expect((await get(`/Schemas/${schema.id.toUpperCase()}`)).body).toEqual(schema);
    }
    const missing = await get('/Schemas/urn:nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ schemas: [ERROR], status: '404' });
  });

  it('every schema but the Schema schema itself is what the Schema schema says (RFC 7643 §7)', async () => {
    const schemaSchema = await schemaOf(SCHEMA);
    for (const schema of (await get('/Schemas')).body.Resources as SchemaResource[]) {
      if (schema.id === SCHEMA) continue; // it nests one level deeper than it describes (unit test)
      expect([schema.id, schemaViolations(schema as unknown as Record<string, unknown>, schemaSchema)]).toEqual([schema.id, []]);
    }
  });

  it('says what Group members are: Users, with a display the server computes', async () => {
    const members = (await schemaOf(GROUP)).find((a) => a.name === 'members')!;
    const sub = (name: string) => members.subAttributes!.find((s) => s.name === name)!;
    expect(sub('display')).toMatchObject({ mutability: 'readOnly' });
    expect(sub('type')).toMatchObject({ canonicalValues: ['User'], mutability: 'immutable' });
    expect(sub('$ref')).toMatchObject({ referenceTypes: ['User'], mutability: 'immutable' });
  });
});

describe('/ResourceTypes', () => {
  it('lists User and Group with their extensions, each what the ResourceType schema says', async () => {
    const r = await get('/ResourceTypes');
    expect(r.body).toEqual({ schemas: [LIST], totalResults: 2, itemsPerPage: 2, startIndex: 1, Resources: expect.any(Array) });
    const schema = await schemaOf(RESOURCE_TYPE);
    for (const rt of r.body.Resources) {
      expect(rt.schemas).toEqual([RESOURCE_TYPE]);
      expect(schemaViolations(rt, schema)).toEqual([]);
      expect((await get(`/ResourceTypes/${rt.name}`)).body).toEqual(rt);
      expect(rt.meta.location).toBe(`${t.baseUrl}/ResourceTypes/${rt.name}`);
    }
    const user = await get('/ResourceTypes/User');
    expect(user.body).toMatchObject({ endpoint: '/Users', schema: 'urn:ietf:params:scim:schemas:core:2.0:User' });
    expect(user.body.schemaExtensions).toContainEqual({ schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', required: false });
    expect((await get('/ResourceTypes/Nope')).status).toBe(404);
  });
});

describe('list parameters on discovery endpoints (RFC 7644 §4)', () => {
  it.each([
    '/Schemas?startIndex=3&count=1',
    '/Schemas?count=abc&startIndex=-1',
    '/Schemas?sortBy=name&sortOrder=descending',
    '/Schemas?attributes=name&excludedAttributes=attributes',
  ])('%s: ignored ("SHALL be ignored"), the whole list as without them', async (path) => {
    const plain = await get('/Schemas');
    const r = await get(path);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(plain.body);
  });

  it.each([
    '/ServiceProviderConfig',
    '/Schemas',
    `/Schemas/${GROUP}`,
    '/ResourceTypes',
    '/ResourceTypes/User',
  ])('%s?filter=… is refused with 403 and a SCIM error', async (path) => {
    const r = await get(`${path}?filter=${encodeURIComponent('id eq "x"')}`);
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ schemas: [ERROR], status: '403', detail: expect.stringContaining('filter') });
  });
});
