import { describe, expect, it } from 'vitest';
import { buildServiceProviderConfig, type ServiceProviderFeatures } from '../../../server/src/scim/index.js';

const FEATURES: ServiceProviderFeatures = {
  maxPageSize: 200, maxBulkOperations: 1000, maxBodyBytes: 1_048_576,
  patch: true, bulk: false, filter: true, sort: true, etag: true, cursor: false,
};

describe('ServiceProviderConfig (RFC 7643 §5)', () => {
  it('advertises what the features say, with the real limits', () => {
    const spc = buildServiceProviderConfig(FEATURES, 'https://mail.example.org/scim/v2/ServiceProviderConfig');
    expect(spc).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true }, filter: { supported: true, maxResults: 200 }, sort: { supported: true }, etag: { supported: true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 }, changePassword: { supported: false },
      meta: { resourceType: 'ServiceProviderConfig', location: 'https://mail.example.org/scim/v2/ServiceProviderConfig' },
    });
    expect(spc.authenticationSchemes).toEqual([expect.objectContaining({ type: 'oauthbearertoken', primary: true })]);
    expect(spc).not.toHaveProperty('pagination');
  });

  it('describes cursor pagination (RFC 9865 §4) when cursors are on: index stays the default, no timeout', () => {
    const spc = buildServiceProviderConfig({ ...FEATURES, cursor: true, bulk: true }, 'x');
    expect(spc.pagination).toEqual({ cursor: true, index: true, defaultPaginationMethod: 'index', defaultPageSize: 200, maxPageSize: 200 });
    expect(spc.bulk).toEqual({ supported: true, maxOperations: 1000, maxPayloadSize: 1_048_576 });
  });
});
