/**
 * SCIM bearer secrets: 256 random bits behind a short, recognisable prefix. Only the
 * SHA-256 of a secret is stored; the raw value exists in memory for one response.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every secret starts with this, so leaked ones are easy to find in logs and repos. */
const TOKEN_MARKER = 'mcs_';
/** How many characters of a secret are kept and shown (marker + 8). */
const VISIBLE_PREFIX_LENGTH = TOKEN_MARKER.length + 8;

export interface IssuedSecret {
  secret: string;
  hash: Buffer;
  prefix: string;
}

export function issueSecret(): IssuedSecret {
  const secret = TOKEN_MARKER + randomBytes(32).toString('base64url');
  return { secret, hash: hashSecret(secret), prefix: secret.slice(0, VISIBLE_PREFIX_LENGTH) };
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Constant-time equality of two SHA-256 digests. */
export function isSameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Cheap shape check before any database work: rejects junk without a lookup. */
export function looksLikeSecret(text: string): boolean {
  return text.length >= 20 && text.length <= 200 && /^[A-Za-z0-9_\-.~+/=]+$/.test(text);
}
