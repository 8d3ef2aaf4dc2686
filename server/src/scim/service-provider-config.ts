/**
 * /ServiceProviderConfig (RFC 7643 §5): what this server really supports. Every flag here
 * is covered by tests; a feature is advertised only once it works. The one representation of
 * the document (the /Schemas and /ResourceTypes ones are in schema/representation.ts).
 */
import { SERVICE_PROVIDER_CONFIG_SCHEMA } from './schema/index.js';

export interface ServiceProviderFeatures {
  maxPageSize: number;
  maxBulkOperations: number;
  maxBodyBytes: number;
  patch: boolean;
  bulk: boolean;
  filter: boolean;
  sort: boolean;
  etag: boolean;
  /** RFC 9865 cursor pagination, advertised in `pagination`. */
  cursor: boolean;
  documentationUri?: string;
}

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
    // RFC 9865 §4. Index paging stays the default (§2.4: for clients that know no cursors); a
    // page holds maxPageSize resources unless count asks for fewer. Cursors hold their whole
    // state, so they never expire and no cursorTimeout is given (§4 allows leaving it out).
    config.pagination = { cursor: true, index: true, defaultPaginationMethod: 'index', defaultPageSize: f.maxPageSize, maxPageSize: f.maxPageSize };
  }
  return config;
}
