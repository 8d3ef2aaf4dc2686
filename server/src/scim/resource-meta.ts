import { toETag } from './etag.js';

/** `meta` of a served resource (RFC 7643 §3.1): its type, times, location and weak ETag. */
export function resourceMeta(
  resourceType: 'User' | 'Group',
  r: { id: string; created: string; lastModified: string; version: number },
  baseUrl: string,
): Record<string, unknown> {
  return {
    resourceType,
    created: r.created,
    lastModified: r.lastModified,
    location: `${baseUrl}/${resourceType}s/${r.id}`,
    version: toETag(r.version),
  };
}
