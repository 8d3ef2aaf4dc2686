/**
 * Stored resources MariaDB cannot read as JSON, made readable. Before unpaired surrogates were
 * refused (scim/schema/values.ts), a value such as "+49 1\ud800" was stored as written; MariaDB's
 * JSON parser rejects that escape, and from then on every filter that read the JSON of that
 * token's users failed. Each unpaired surrogate becomes U+FFFD (what UTF-8 columns already hold
 * for it). A resource that is not JSON at all is rebuilt from its columns, so that the CHECK
 * migration 4 adds (JSON_VALID) can hold for every row.
 */
import type { RowDataPacket } from 'mysql2';
import type { Queryable } from './queryable.js';

const UNPAIRED = /\p{Cs}/gu;

function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(UNPAIRED, '\ufffd');
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(UNPAIRED, '\ufffd'), wellFormed(v)]));
  }
  return value;
}

interface Table {
  name: string;
  /** The resource to keep when the stored text is not JSON at all. */
  rebuild(row: RowDataPacket): Record<string, unknown>;
}

const TABLES: readonly Table[] = [
  {
    name: 'mailcow_scim_users',
    rebuild: (r) => ({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: r.user_name,
      ...(r.external_id === null ? {} : { externalId: r.external_id }),
      ...(r.display_name === null ? {} : { displayName: r.display_name }),
      active: Number(r.active) === 1,
    }),
  },
  {
    name: 'mailcow_scim_groups',
    rebuild: (r) => ({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: r.display_name,
      ...(r.external_id === null ? {} : { externalId: r.external_id }),
    }),
  },
];

/** The stored text as valid JSON: unpaired surrogates replaced, or `rebuilt` when it is not JSON. */
function readableResourceJson(text: string, rebuilt: () => Record<string, unknown>): string {
  try {
    return JSON.stringify(wellFormed(JSON.parse(text)));
  } catch {
    return JSON.stringify(rebuilt());
  }
}

/** Rewrites every resource of our tables that JSON_VALID refuses; the number rewritten. */
export async function repairResourceJson(db: Queryable): Promise<number> {
  let repaired = 0;
  for (const table of TABLES) {
    const [rows] = await db.query<RowDataPacket[]>(`SELECT * FROM ${table.name} WHERE NOT JSON_VALID(resource)`);
    for (const row of rows) {
      const fixed = readableResourceJson(String(row.resource), () => table.rebuild(row));
      // Only if nobody rewrote it meanwhile (another replica migrating at the same moment).
      await db.query(`UPDATE ${table.name} SET resource = ? WHERE id = ? AND resource = ?`, [fixed, row.id, row.resource]);
      repaired++;
    }
  }
  return repaired;
}
