/**
 * Is this mailcow's database? Checked before `migrate` writes anything: our tables reference
 * `mailbox.username` by foreign key, so on any other database the first CREATE TABLE that has
 * one fails, after mailcow_scim_meta and mailcow_scim_tokens were already created (issue 13).
 * The list is what the sidecar writes and reads on every create (docs/mailcow-facts.md §1.3),
 * not every table mailcow has: tables it touches only when they exist (tfa, fido2, pushover…)
 * are not required.
 */
import type { RowDataPacket } from 'mysql2';
import type { Queryable } from './queryable.js';

/** mailcow tables and the columns of each the sidecar relies on. */
const REQUIRED_MAILCOW_COLUMNS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  versions: ['application', 'version'],
  domain: ['domain', 'aliases', 'mailboxes', 'defquota', 'maxquota', 'quota', 'active'],
  mailbox: ['username', 'password', 'name', 'quota', 'local_part', 'domain', 'attributes', 'kind', 'authsource', 'active', 'created', 'modified'],
  alias: ['address', 'goto', 'domain', 'private_comment', 'sogo_visible', 'active'],
  templates: ['template', 'type', 'attributes'],
  quota2: ['username', 'bytes', 'messages'],
  quota2replica: ['username', 'bytes', 'messages'],
  user_acl: ['username'],
  tags_mailbox: ['tag_name', 'username'],
  sender_acl: ['logged_in_as', 'send_as'],
  _sogo_static_view: ['c_uid', 'domain', 'c_name', 'mail'],
});

export interface MailcowPrerequisites {
  /** Human-readable names of what is missing ("table mailbox", "column domain.defquota", …). */
  missing: string[];
  /** Set when the columns are there but cannot carry our foreign keys or our authsource value. */
  incompatible: string[];
}

/** Raised before any write when the database lacks what mailcow's schema has. */
export class NotMailcowDatabaseError extends Error {
  constructor(
    readonly database: string,
    readonly report: MailcowPrerequisites,
  ) {
    const parts = [...report.missing.map((m) => `missing ${m}`), ...report.incompatible];
    super(
      `The database "${database}" is not mailcow's (or mailcow has not created its schema yet): ${parts.join('; ')}. ` +
        "Nothing was written. Point MARIADB_URL at mailcow's database (mailcow.conf: DBNAME, DBUSER, DBPASS), " +
        'and start mailcow once so that it creates its tables, then run mailcow-scim migrate again.',
    );
    this.name = 'NotMailcowDatabaseError';
  }
}

/** Reads information_schema once and says what is missing; writes nothing. */
export async function readMailcowPrerequisites(db: Queryable): Promise<MailcowPrerequisites & { database: string }> {
  const tables = Object.keys(REQUIRED_MAILCOW_COLUMNS);
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT c.TABLE_NAME AS t, c.COLUMN_NAME AS c, c.DATA_TYPE AS type, c.CHARACTER_MAXIMUM_LENGTH AS len, c.COLUMN_TYPE AS full_type
       FROM information_schema.COLUMNS c
      WHERE c.TABLE_SCHEMA = DATABASE() AND c.TABLE_NAME IN (?)`,
    [tables],
  );
  const [[current]] = await db.query<RowDataPacket[]>('SELECT DATABASE() AS db');
  const columns = new Map<string, RowDataPacket>();
  for (const r of rows) columns.set(`${String(r.t).toLowerCase()}.${String(r.c).toLowerCase()}`, r);
  const present = new Set(rows.map((r) => String(r.t).toLowerCase()));
  const missing: string[] = [];
  for (const [table, wanted] of Object.entries(REQUIRED_MAILCOW_COLUMNS)) {
    if (!present.has(table.toLowerCase())) {
      missing.push(`table ${table}`);
      continue;
    }
    for (const c of wanted) if (!columns.has(`${table.toLowerCase()}.${c}`)) missing.push(`column ${table}.${c}`);
  }
  const incompatible: string[] = [];
  const username = columns.get('mailbox.username');
  if (username && (String(username.type).toLowerCase() !== 'varchar' || Number(username.len) !== 255)) {
    incompatible.push(`mailbox.username is ${String(username.full_type)}, not varchar(255) as in mailcow (our foreign keys need mailcow's type)`);
  }
  const authsource = columns.get('mailbox.authsource');
  if (authsource && !/^enum\(.*'mailcow'.*\)$/i.test(String(authsource.full_type))) {
    incompatible.push(`mailbox.authsource is ${String(authsource.full_type)}, not mailcow's ENUM('mailcow', …)`);
  }
  return { database: String(current?.db ?? ''), missing, incompatible };
}

/** Throws NotMailcowDatabaseError unless the database has mailcow's tables and columns. */
export async function assertMailcowDatabase(db: Queryable): Promise<void> {
  const report = await readMailcowPrerequisites(db);
  if (report.missing.length || report.incompatible.length) throw new NotMailcowDatabaseError(report.database, report);
}
