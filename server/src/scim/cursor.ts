/**
 * RFC 9865 cursors: opaque, URL-safe strings (§2: unreserved characters only) that carry where
 * the next (or previous) page starts as a keyset: the sort value and id of the last (or first)
 * resource of the page just served. Nothing is kept on the server, so a cursor never expires
 * (no `cursorTimeout` is advertised).
 *
 * The payload is sealed with AES-256-GCM under a server key: clients cannot read or forge it
 * (RFC 9865 §6.2), and anything tampered with, truncated or made for another token or another
 * query is `invalidCursor`; the same cursor with another `count` is `invalidCount` (§2.1).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ScimError } from './scim-error.js';

/** A position in a sorted list: the sort value of a resource and its id (the tie-break). */
export interface KeysetPosition {
  key: string | number | null;
  id: string;
}

/** What a cursor says: continue after (or, `backwards`, before) `from`; null means the very start. */
export interface CursorState {
  from: KeysetPosition | null;
  backwards: boolean;
}

/** What must be the same for a cursor to apply (RFC 9865 §2: every other parameter is identical). */
export interface CursorQuery {
  /** The token the cursor was issued to. */
  tokenId: string;
  /** Resource type, filter, sortBy and sortOrder as the client sent them. */
  query: readonly unknown[];
  count: number;
}

const VERSION = 1;

interface Payload {
  v: number;
  q: string;
  c: number;
  b: 0 | 1;
  k?: string | number | null;
  i?: string;
}

function queryDigest(q: CursorQuery): string {
  return createHash('sha256').update(JSON.stringify([q.tokenId, ...q.query])).digest('base64url').slice(0, 16);
}

/** A cursor for `state` in the query `q`, sealed with `key` (32 bytes). */
export function encodeCursor(state: CursorState, q: CursorQuery, key: Uint8Array): string {
  const payload: Payload = { v: VERSION, q: queryDigest(q), c: q.count, b: state.backwards ? 1 : 0 };
  if (state.from) {
    payload.k = state.from.key;
    payload.i = state.from.id;
  }
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/**
 * The state a cursor carries, after checking it was issued by this server for the same token,
 * query and count. Throws invalidCursor or invalidCount.
 */
export function decodeCursor(text: string, q: CursorQuery, key: Uint8Array): CursorState {
  const invalid = () => ScimError.invalidCursor('The cursor is not one this server issued for this query; start again with an empty cursor (RFC 9865).');
  if (!/^[A-Za-z0-9_-]{40,2048}$/.test(text)) throw invalid();
  const raw = Buffer.from(text, 'base64url');
  let payload: Payload;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    payload = JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as Payload;
  } catch {
    throw invalid();
  }
  if (payload.v !== VERSION || payload.q !== queryDigest(q)) throw invalid();
  if (payload.c !== q.count) {
    throw ScimError.invalidCount(`This cursor was issued for count=${payload.c}; repeat the query with the same count (RFC 9865 §2.1).`);
  }
  const from = typeof payload.i === 'string' ? { key: payload.k ?? null, id: payload.i } : null;
  return { from, backwards: payload.b === 1 };
}
