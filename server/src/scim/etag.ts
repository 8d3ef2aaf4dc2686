/**
 * ETags (RFC 7644 §3.14): `meta.version` is a weak ETag built from a counter that every change
 * increments, and If-Match / If-None-Match are compared against it.
 */
import { ScimError } from './scim-error.js';

export function toETag(version: number): string {
  return `W/"${version}"`;
}

/** The opaque part of each entity tag in an If-Match / If-None-Match header ("*" stays "*"). */
function tagsOf(header: string): string[] {
  return header
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => (t === '*' ? '*' : t.replace(/^W\//i, '').replace(/^"|"$/g, '')));
}

/** Throws 412 when an If-Match header does not match the current version (RFC 7232 §3.1, weak comparison). */
export function checkIfMatch(header: string | undefined, version: number): void {
  if (header === undefined || header.trim() === '') return;
  const tags = tagsOf(header);
  if (tags.includes('*') || tags.includes(String(version))) return;
  throw ScimError.preconditionFailed(`The resource changed: its version is ${toETag(version)}, the request expected ${header}.`);
}

/** True when an If-None-Match header matches the current version (the client's copy is current). */
export function matchesIfNoneMatch(header: string | undefined, version: number): boolean {
  if (header === undefined || header.trim() === '') return false;
  const tags = tagsOf(header);
  return tags.includes('*') || tags.includes(String(version));
}
