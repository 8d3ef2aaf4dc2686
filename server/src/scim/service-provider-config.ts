/**
 * /ServiceProviderConfig (RFC 7643 §5): what this server really supports. Every flag here
 * is covered by tests; a feature is advertised only once it works.
 */
export interface ServiceProviderFeatures {
  maxPageSize: number;
  maxBulkOperations: number;
  maxBodyBytes: number;
  patch: boolean;
  bulk: boolean;
  filter: boolean;
  sort: boolean;
  etag: boolean;
  cursor: boolean;
  documentationUri?: string;
}

export const SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';

export function buildServiceProviderConfig(f: ServiceProviderFeatures, location: string): Record<string, unknown> {
  const config: Record<string, unknown> = {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    documentationUri: f.documentationUri ?? 'https://github.com/mailcow/mailcow-dockerized',
    patch: { supported: f.patch },
    bulk: { supported: f.bulk, maxOperations: f.bulk ? f.maxBulkOperations : 0, maxPayloadSize: f.bulk ? f.maxBodyBytes : 0 },
    filter: { supported: f.filter, maxResults: f.maxPageSize },
    changePassword: { supported: false },
    sort: { supported: f.sort },
    etag: { supported: f.etag },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'A SCIM token issued by the mailcow admin (mailcow-scim token create, or the admin page), sent as "Authorization: Bearer <token>".',
        specUri: 'https://www.rfc-editor.org/rfc/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location },
  };
  if (f.cursor) {
    // RFC 9865 §5: cursor pagination capabilities.
    config.pagination = { cursor: true, index: true, defaultPaginationMethod: 'index', defaultPageSize: Math.min(100, f.maxPageSize), maxPageSize: f.maxPageSize, cursorTimeout: 3600 };
  }
  return config;
}
