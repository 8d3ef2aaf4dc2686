/**
 * mailbox.authsource and the 'scim' value (docs/architecture.md §3, docs/mailcow-facts.md §1.2).
 * mailcow's init_db re-declares the column on every schema bump, which drops 'scim' again;
 * the sidecar checks the column before it writes and can put the value back.
 */
import type { RowDataPacket } from 'mysql2';
import type { Queryable } from './queryable.js';

export const SCIM_AUTHSOURCE = 'scim';

export interface AuthsourceState {
  /** The ENUM's values in declared order ([] when the column is missing). */
  values: string[];
  hasScim: boolean;
  /** The column's DEFAULT as declared ('mailcow' in mailcow). */
  defaultValue: string | null;
  nullable: boolean;
}

/** Parses `enum('a','b')` as MariaDB prints it in SHOW COLUMNS. */
function parseEnumValues(columnType: string): string[] {
  const m = /^enum\((.*)\)$/i.exec(columnType.trim());
  if (!m) return [];
  const values: string[] = [];
  const re = /'((?:[^']|'')*)'/g;
  let v: RegExpExecArray | null;
  while ((v = re.exec(m[1]!)) !== null) values.push(v[1]!.replace(/''/g, "'"));
  return values;
}

export async function readAuthsourceState(db: Queryable): Promise<AuthsourceState> {
  const [rows] = await db.query<RowDataPacket[]>(`SHOW COLUMNS FROM mailbox LIKE 'authsource'`);
  const row = rows[0];
  if (!row) return { values: [], hasScim: false, defaultValue: null, nullable: true };
  const values = parseEnumValues(String(row.Type));
  return {
    values,
    hasScim: values.includes(SCIM_AUTHSOURCE),
    defaultValue: row.Default === null ? null : String(row.Default).replace(/^'|'$/g, ''),
    nullable: String(row.Null).toUpperCase() === 'YES',
  };
}

/**
 * Adds 'scim' at the end of the ENUM, keeping mailcow's values, order, default and
 * NULL-ability, so the column stays exactly what mailcow declares plus one value.
 * Returns true when the column was changed.
 */
export async function ensureScimAuthsource(db: Queryable): Promise<boolean> {
  const state = await readAuthsourceState(db);
  if (state.values.length === 0) {
    throw new Error('mailbox.authsource is missing or not an ENUM: is this a mailcow database?');
  }
  if (state.hasScim) return false;
  const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const values = [...state.values, SCIM_AUTHSOURCE].map(literal).join(',');
  const def = state.defaultValue === null ? 'DEFAULT NULL' : `DEFAULT ${literal(state.defaultValue)}`;
  await db.query(`ALTER TABLE mailbox MODIFY COLUMN authsource ENUM(${values}) ${state.nullable ? 'NULL' : 'NOT NULL'} ${def}`);
  return true;
}
