/** Statements built from one list of (column, value) pairs, so that an INSERT and an UPDATE of the same record cannot drift apart. */
import type { Queryable } from './queryable.js';
import { writeLater } from './statement-batch.js';

export type Columns = readonly (readonly [column: string, value: unknown])[];

/** INSERT of a resource row (users, groups): its id and token, the columns, version 1, both times `now`. */
export async function insertVersionedRow(db: Queryable, table: string, row: { id: string; tokenId: string; now: string }, columns: Columns): Promise<void> {
  const all: Columns = [['id', row.id], ['token_id', row.tokenId], ...columns, ['version', 1], ['created_at', row.now], ['last_modified', row.now]];
  await writeLater(db, `INSERT INTO ${table} (${all.map(([c]) => c).join(', ')}) VALUES (${all.map(() => '?').join(', ')})`, all.map(([, v]) => v));
}

/** UPDATE … SET the columns, a new version and `last_modified`, for one id. */
export async function updateVersionedRow(db: Queryable, table: string, id: string, columns: Columns, lastModified: string): Promise<void> {
  await db.execute(`UPDATE ${table} SET ${columns.map(([c]) => `${c} = ?`).join(', ')}, version = version + 1, last_modified = ? WHERE id = ?`, [
    ...columns.map(([, v]) => v),
    lastModified,
    id,
  ] as never[]);
}
