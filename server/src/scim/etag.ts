/**
 * ETags (RFC 7644 §3.14): `meta.version` is a weak ETag built from a counter that every change
 * increments, and If-Match / If-None-Match are compared against it with RFC 9110 §13.1's rules:
 * on GET a failed If-Match is 412 and a matching If-None-Match is 304; on PUT, PATCH and DELETE
 * a failed If-Match and a matching If-None-Match are both 412.
 */
import { ScimError } from './scim-error.js';

/** The conditional request headers of one request. */
export interface Preconditions {
  ifMatch?: string;
  ifNoneMatch?: string;
}

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
function checkIfMatch(header: string | undefined, version: number): void {
  if (header === undefined || header.trim() === '') return;
  const tags = tagsOf(header);
  if (tags.includes('*') || tags.includes(String(version))) return;
  throw ScimError.preconditionFailed(`The resource changed: its version is ${toETag(version)}, the request expected ${header}.`);
}

/** True when an If-None-Match header matches the current version (the client's copy is current). */
function matchesIfNoneMatch(header: string | undefined, version: number): boolean {
  if (header === undefined || header.trim() === '') return false;
  const tags = tagsOf(header);
  return tags.includes('*') || tags.includes(String(version));
}

/** The headers as given (an array when repeated is joined, as RFC 9110 §5.3 allows). */
export function preconditionsOf(headers: Record<string, string | string[] | undefined>): Preconditions {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(', ') : v);
  return { ifMatch: one(headers['if-match']), ifNoneMatch: one(headers['if-none-match']) };
}

/**
 * For a read: throws 412 when If-Match fails; true when If-None-Match matches, i.e. the
 * client's copy is current and the answer is 304 Not Modified (RFC 9110 §13.1.1–§13.1.2).
 */
export function isNotModified(p: Preconditions, version: number): boolean {
  checkIfMatch(p.ifMatch, version);
  return matchesIfNoneMatch(p.ifNoneMatch, version);
}

/** For PUT, PATCH and DELETE: 412 unless If-Match matches (when given) and If-None-Match does not. */
export function checkWritePreconditions(p: Preconditions, version: number): void {
  checkIfMatch(p.ifMatch, version);
  if (matchesIfNoneMatch(p.ifNoneMatch, version)) {
    throw ScimError.preconditionFailed(`If-None-Match ${p.ifNoneMatch} matches the current version ${toETag(version)}.`);
  }
}
