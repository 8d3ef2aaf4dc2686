/**
 * mailcow mailbox templates (`templates`, type 'mailbox') as a change reads them; what a
 * template gives a mailbox is decided in provisioning/mailbox-template.ts.
 */
import type { RowDataPacket } from 'mysql2';
import type { MailboxTemplate } from '../provisioning/index.js';
import type { Queryable } from './queryable.js';

/**
 * The named mailbox template, or, for null, the first one (what `mailbox('add')` uses when no
 * template id is given); undefined when a named one does not exist.
 */
export async function findMailboxTemplate(db: Queryable, name: string | null): Promise<MailboxTemplate | undefined> {
  const q = mailboxTemplateQuery(name);
  const [rows] = await db.query<RowDataPacket[]>(q.sql, q.params);
  return mailboxTemplateFrom(name, rows[0]);
}

/** The SELECT findMailboxTemplate runs (columns `template`, `attributes`; at most one row). */
export function mailboxTemplateQuery(name: string | null): { sql: string; params: string[] } {
  return name === null
    ? { sql: `SELECT template, attributes FROM templates WHERE type = 'mailbox' ORDER BY id LIMIT 1`, params: [] }
    : { sql: `SELECT template, attributes FROM templates WHERE type = 'mailbox' AND template = ? ORDER BY id LIMIT 1`, params: [name] };
}

/**
 * SELECT-list subqueries reading one mailbox template as findMailboxTemplate does, as columns
 * `<prefix>_template` and `<prefix>_attributes`: the one named by the SQL expression `nameSql`,
 * or mailcow's first for null. Read with mailboxTemplateColumnsFrom.
 */
export function mailboxTemplateColumns(prefix: string, nameSql: string | null): string {
  const where = nameSql === null ? `type = 'mailbox'` : `type = 'mailbox' AND template = ${nameSql}`;
  return ['template', 'attributes'].map((c) => `(SELECT ${c} FROM templates WHERE ${where} ORDER BY id LIMIT 1) AS ${prefix}_${c}`).join(', ');
}

export function mailboxTemplateColumnsFrom(name: string | null, prefix: string, row: RowDataPacket): MailboxTemplate | undefined {
  return mailboxTemplateFrom(name, { template: row[`${prefix}_template`], attributes: row[`${prefix}_attributes`] } as RowDataPacket);
}

/** The template mailboxTemplateQuery found (a row whose `template` is null when it found none). */
export function mailboxTemplateFrom(name: string | null, row: RowDataPacket | undefined): MailboxTemplate | undefined {
  if (!row || row.template === null) return name === null ? { name: 'Default', attributes: {} } : undefined;
  let attributes: Record<string, unknown> = {};
  try {
    attributes = JSON.parse(String(row.attributes)) as Record<string, unknown>;
  } catch {
    /* an unreadable template behaves like an empty one: mailcow's defaults apply */
  }
  return { name: String(row.template), attributes };
}
