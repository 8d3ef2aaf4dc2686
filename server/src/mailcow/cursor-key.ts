/**
 * The key that seals RFC 9865 cursors (scim/cursor.ts), kept in mailcow_scim_meta so that every
 * sidecar on the database, and every restart, reads the cursors the others issued. Made once,
 * on first use, by whichever sidecar gets there first (INSERT IGNORE).
 */
import { randomBytes } from 'node:crypto';
import type { RowDataPacket } from 'mysql2';
import { nowIso, toDbTime } from './db-time.js';
import type { Queryable } from './queryable.js';

const NAME = 'cursor_key';

/** Reads (making it when missing) the 32-byte cursor key. */
async function loadCursorKey(db: Queryable): Promise<Buffer> {
  await db.query(`INSERT IGNORE INTO mailcow_scim_meta (name, value, updated_at) VALUES (?, ?, ?)`, [NAME, randomBytes(32).toString('hex'), toDbTime(nowIso())]);
  const [rows] = await db.query<RowDataPacket[]>(`SELECT value FROM mailcow_scim_meta WHERE name = ?`, [NAME]);
  const key = Buffer.from(String(rows[0]?.value ?? ''), 'hex');
  if (key.length !== 32) throw new Error('mailcow_scim_meta.cursor_key is not a 32-byte hex key');
  return key;
}

/** `loadCursorKey` once per process; a failed read (database away) is tried again next time. */
export function cursorKeySource(db: Queryable): () => Promise<Buffer> {
  let pending: Promise<Buffer> | undefined;
  return () => {
    pending ??= loadCursorKey(db).catch((e: unknown) => {
      pending = undefined;
      throw e;
    });
    return pending;
  };
}
