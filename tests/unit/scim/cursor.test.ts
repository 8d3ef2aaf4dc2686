import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, type CursorQuery } from '../../../server/src/scim/cursor.js';
import { ScimError } from '../../../server/src/scim/scim-error.js';

const key = randomBytes(32);
const query: CursorQuery = { tokenId: 'token-1', query: ['User', 'userName sw "a"', 'userName', false], count: 10 };

function refusal(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(ScimError);
    expect((e as ScimError).status).toBe(400);
    return (e as ScimError).scimType;
  }
}

describe('RFC 9865 cursors', () => {
  it('round-trip a keyset position of every key type, forwards and backwards', () => {
    for (const key2 of ['Straße', 42.5, 0, null, '2026-11-28 10:00:00.123', '']) {
      for (const backwards of [false, true]) {
        const text = encodeCursor({ from: { key: key2, id: 'id-1' }, backwards }, query, key);
        expect(decodeCursor(text, query, key)).toEqual({ from: { key: key2, id: 'id-1' }, backwards });
      }
    }
    expect(decodeCursor(encodeCursor({ from: null, backwards: false }, query, key), query, key)).toEqual({ from: null, backwards: false });
  });

  it('are opaque and URL-safe: unreserved characters only, nothing of the key readable', () => {
    const text = encodeCursor({ from: { key: 'alice@example.org', id: 'id-1' }, backwards: false }, query, key);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(text, 'base64url').toString('latin1')).not.toContain('alice');
    // A fresh IV each time: the same position never gives the same text.
    expect(encodeCursor({ from: { key: 'a', id: 'i' }, backwards: false }, query, key)).not.toBe(encodeCursor({ from: { key: 'a', id: 'i' }, backwards: false }, query, key));
  });

  it('refuse anything tampered with, truncated, forged, or sealed with another key: invalidCursor', () => {
    const text = encodeCursor({ from: { key: 'a', id: 'id-1' }, backwards: false }, query, key);
    for (let i = 0; i < text.length; i += 3) {
      const flipped = text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
      expect(refusal(() => decodeCursor(flipped, query, key)), `byte ${i}`).toBe('invalidCursor');
    }
    expect(refusal(() => decodeCursor(text.slice(0, -1), query, key))).toBe('invalidCursor');
    expect(refusal(() => decodeCursor(text, query, randomBytes(32)))).toBe('invalidCursor');
    for (const forged of ['', 'x', '!'.repeat(60), Buffer.from(JSON.stringify({ v: 1, q: 'x', c: 10, b: 0 })).toString('base64url'), 'A'.repeat(5000)]) {
      expect(refusal(() => decodeCursor(forged, query, key)), forged.slice(0, 20)).toBe('invalidCursor');
    }
  });

  it('belong to one token and one query; another count is invalidCount (RFC 9865 §2.1)', () => {
    const text = encodeCursor({ from: { key: 'a', id: 'id-1' }, backwards: false }, query, key);
    expect(refusal(() => decodeCursor(text, { ...query, tokenId: 'token-2' }, key))).toBe('invalidCursor');
    expect(refusal(() => decodeCursor(text, { ...query, query: ['User', 'userName sw "b"', 'userName', false] }, key))).toBe('invalidCursor');
    expect(refusal(() => decodeCursor(text, { ...query, query: ['User', 'userName sw "a"', 'userName', true] }, key))).toBe('invalidCursor');
    expect(refusal(() => decodeCursor(text, { ...query, query: ['Group', 'userName sw "a"', 'userName', false] }, key))).toBe('invalidCursor');
    expect(refusal(() => decodeCursor(text, { ...query, count: 11 }, key))).toBe('invalidCount');
  });
});
