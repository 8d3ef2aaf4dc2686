/**
 * The mailbox row a login decision needs, selected as `user_login()` selects it: user
 * mailboxes only (`kind NOT REGEXP 'location|thing|group'`) joined to their domain
 * (data/web/inc/functions.auth.inc.php; docs/mailcow-facts.md §3.3). The username comparison
 * uses the column's collation, utf8mb4_general_ci, as mailcow's query does (§5.3).
 */
import type { RowDataPacket } from 'mysql2';
import type { LoginFactsSource, MailboxLoginFacts } from '../login-routing/index.js';
import { readIdentityProvider } from './identity-provider.js';
import type { Queryable } from './queryable.js';
import { translateSqlError } from './sql-errors.js';

function parseAttributes(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string' || text === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export async function findMailboxLoginFacts(db: Queryable, username: string): Promise<MailboxLoginFacts | undefined> {
  const [rows] = await db.execute<RowDataPacket[]>(
    `SELECT mailbox.username, mailbox.authsource, mailbox.active, mailbox.attributes, domain.active AS d_active
       FROM mailbox INNER JOIN domain ON mailbox.domain = domain.domain
      WHERE mailbox.kind NOT REGEXP 'location|thing|group' AND mailbox.username = ?`,
    [username],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    username: String(r.username),
    authsource: r.authsource === null ? null : String(r.authsource),
    active: Number(r.active),
    domainActive: Number(r.d_active),
    attributes: parseAttributes(r.attributes),
  };
}

/** How many mailboxes carry authsource 'scim' (for the admin page). */
export async function countScimMailboxes(db: Queryable): Promise<number> {
  const [rows] = await db.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM mailbox WHERE authsource = 'scim'`);
  return Number(rows[0]?.n ?? 0);
}

/** The login-routing port over the pool, with driver errors translated once. */
export function createLoginFactsSource(db: Queryable): LoginFactsSource {
  return {
    identityProvider: () => readIdentityProvider(db).catch((e: unknown) => Promise.reject(translateSqlError(e))),
    mailbox: (username) => findMailboxLoginFacts(db, username).catch((e: unknown) => Promise.reject(translateSqlError(e))),
  };
}
