import { describe, expect, it } from 'vitest';
import { buildServiceProviderConfig, type ServiceProviderFeatures } from '../../../../server/src/scim/index.js';
import {
  PUBLISHED_SCHEMA_DEFS,
  RESOURCE_TYPE_SCHEMA_DEF,
  RESOURCE_TYPES,
  SCHEMA_SCHEMA_DEF,
  SERVICE_PROVIDER_CONFIG_SCHEMA_DEF,
  getPublishedSchemaDef,
  getSchemaDef,
  toResourceTypeResource,
  toSchemaResource,
  type SchemaDef,
} from '../../../../server/src/scim/schema/index.js';
import { schemaViolations, type SchemaAttribute } from '../../../helpers/schema-conformance.js';

/** A schema as /Schemas publishes it (RFC 7643 §7 JSON), the form clients validate against. */
const published = (s: SchemaDef) => toSchemaResource(s).attributes as SchemaAttribute[];

const FEATURES: ServiceProviderFeatures = {
  maxPageSize: 200, maxBulkOperations: 1000, maxBodyBytes: 1_048_576,
  patch: true, bulk: true, filter: true, sort: true, etag: true, cursor: true,
};

describe('the schemas of the discovery documents (RFC 7643 §5–§7, §8.7.2)', () => {
  it('publishes ServiceProviderConfig, ResourceType and Schema after the resource schemas, found by URN in any case', () => {
    expect(PUBLISHED_SCHEMA_DEFS.map((s) => s.id).slice(-3)).toEqual([
      'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
      'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
      'urn:ietf:params:scim:schemas:core:2.0:Schema',
    ]);
    expect(getPublishedSchemaDef('URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:SCHEMA')).toBe(SCHEMA_SCHEMA_DEF);
    // Resource code never resolves attributes against them.
    expect(getSchemaDef(SCHEMA_SCHEMA_DEF.id)).toBeUndefined();
  });

  it('names every attribute of RFC 7643 §5, plus RFC 9865 pagination', () => {
    expect(SERVICE_PROVIDER_CONFIG_SCHEMA_DEF.attributes.map((a) => a.name)).toEqual([
      'documentationUri', 'patch', 'bulk', 'filter', 'changePassword', 'sort', 'etag', 'authenticationSchemes', 'pagination',
    ]);
    expect(SERVICE_PROVIDER_CONFIG_SCHEMA_DEF.attributes.every((a) => a.mutability === 'readOnly')).toBe(true);
    expect(RESOURCE_TYPE_SCHEMA_DEF.attributes.map((a) => a.name)).toEqual(['id', 'name', 'description', 'endpoint', 'schema', 'schemaExtensions']);
    expect(SCHEMA_SCHEMA_DEF.attributes.map((a) => a.name)).toEqual(['id', 'name', 'description', 'attributes']);
  });

  it.each([
    ['cursors, bulk', FEATURES],
    ['no cursors, no bulk', { ...FEATURES, cursor: false, bulk: false }],
  ])('/ServiceProviderConfig (%s) is what its schema says', (_name, features) => {
    const spc = buildServiceProviderConfig(features, 'https://mail.example.org/scim/v2/ServiceProviderConfig');
    expect(schemaViolations(spc, published(SERVICE_PROVIDER_CONFIG_SCHEMA_DEF))).toEqual([]);
  });

  it('every /ResourceTypes resource is what the ResourceType schema says', () => {
    for (const rt of RESOURCE_TYPES) {
      expect(schemaViolations(toResourceTypeResource(rt, { baseUrl: 'https://x/scim/v2' }), published(RESOURCE_TYPE_SCHEMA_DEF))).toEqual([]);
    }
  });

  it('every other /Schemas resource is what the Schema schema says', () => {
    // The Schema schema describes attributes nested two deep, as every other schema is (and as
    // RFC 7643 §8.7.2 does); its own document nests one deeper, as any finite self-description must.
    for (const schema of PUBLISHED_SCHEMA_DEFS.filter((s) => s !== SCHEMA_SCHEMA_DEF)) {
      expect([schema.id, schemaViolations(toSchemaResource(schema, { baseUrl: 'https://x/scim/v2' }), published(SCHEMA_SCHEMA_DEF))]).toEqual([schema.id, []]);
    }
  });

  it('the check finds what is wrong: unknown and missing attributes, wrong types and plurality, values it does not advertise', () => {
    const spc = buildServiceProviderConfig(FEATURES, 'x');
    const attrs = published(SERVICE_PROVIDER_CONFIG_SCHEMA_DEF);
    const { patch: _patch, ...noPatch } = spc;
    expect(schemaViolations({ ...spc, xmlSupported: true }, attrs)).toEqual(['xmlSupported: not a published attribute']);
    expect(schemaViolations(noPatch, attrs)).toEqual(['patch: required, absent']);
    expect(schemaViolations({ ...spc, sort: { supported: 'yes' } }, attrs)).toEqual(['sort.supported: not of type boolean ("yes")']);
    expect(schemaViolations({ ...spc, etag: [{ supported: true }] }, attrs)).toEqual(['etag: single-valued, a list']);
    const scheme = (spc.authenticationSchemes as Record<string, unknown>[])[0];
    expect(schemaViolations({ ...spc, authenticationSchemes: [{ ...scheme, type: 'apikey' }] }, attrs)).toEqual([
      'authenticationSchemes[0].type: "apikey" is not among canonicalValues ["oauth","oauth2","oauthbearertoken","httpbasic","httpdigest"]',
    ]);
  });
});
