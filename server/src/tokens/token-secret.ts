/**
 * SCIM bearer secrets: 256 random bits behind a short, recognisable prefix. Only the
 * SHA-256 of a secret is stored; the raw value exists in memory for one response.
 */
import * as crypto from 'node:crypto';
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

/**
 * crypto.hash, the one-shot digest, where this Node has it and gives a Buffer (package.json
 * allows Node 22, whose early releases may not): every request hashes its bearer secret, and
 * the one-shot form skips the Hash object createHash builds for each. Both give the SHA-256 of
 * the text as UTF-8.
 */
const oneShot = (() => {
  const hash = (crypto as { hash?: (algorithm: string, data: string, encoding: string) => unknown }).hash;
  if (typeof hash !== 'function') return undefined;
  try {
    return Buffer.isBuffer(hash('sha256', '', 'buffer')) ? (text: string) => hash('sha256', text, 'buffer') as Buffer : undefined;
  } catch {
    return undefined;
  }
})();

export function hashSecret(secret: string): Buffer {
  return oneShot ? oneShot(secret) : createHash('sha256').update(secret, 'utf8').digest();
}

/** Constant-time equality of two SHA-256 digests. */
export function isSameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Cheap shape check before any database work: rejects junk without a lookup. */
export function looksLikeSecret(text: string): boolean {
  return text.length >= 20 && text.length <= 200 && /^[A-Za-z0-9_\-.~+/=]+$/.test(text);
}
