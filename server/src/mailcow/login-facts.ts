/**
 * The mailbox row a login decision needs, selected as `user_login()` selects it: user
 * mailboxes only (`kind NOT REGEXP 'location|thing|group'`) joined to their domain
 * (data/web/inc/functions.auth.inc.php; docs/mailcow-facts.md §3.3). The username comparison
 * uses the column's collation, utf8mb4_general_ci, as mailcow's query does (§5.3).
 */
import type { RowDataPacket } from 'mysql2';
import type { LoginFacts, LoginFactsSource, MailboxLoginFacts } from '../login-routing/index.js';
import { readIdentityProvider, toIdentityProviderSettings } from './identity-provider.js';
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

/** The mailbox row `user_login()` loads (docs/mailcow-facts.md §3.3), `?` the username. */
const MAILBOX_COLUMNS = 'mailbox.username, mailbox.authsource, mailbox.active, mailbox.attributes, domain.active AS d_active';
const MAILBOX_ROW_WHERE = `FROM mailbox INNER JOIN domain ON mailbox.domain = domain.domain
      WHERE mailbox.kind NOT REGEXP 'location|thing|group' AND mailbox.username = ?`;
const MAILBOX_LOGIN_ROW = `SELECT ${MAILBOX_COLUMNS} ${MAILBOX_ROW_WHERE}`;

/**
 * One attempt's facts in one statement: the mailbox row (at most one: username is the key) and
 * every identity_provider row. Each side fills only its own columns and leaves the other's NULL,
 * so no two tables' collations meet in a UNION column. One statement instead of two parallel
 * ones is one pool hand-over and one round trip to MariaDB per login (docs/performance.md).
 */
const LOGIN_FACTS = `SELECT ${MAILBOX_COLUMNS}, NULL AS idp_key, NULL AS idp_value ${MAILBOX_ROW_WHERE}
     UNION ALL
     SELECT NULL, NULL, NULL, NULL, NULL, \`key\`, \`value\` FROM identity_provider`;

function toMailboxLoginFacts(r: RowDataPacket): MailboxLoginFacts {
  return {
    username: String(r.username),
    authsource: r.authsource === null ? null : String(r.authsource),
    active: Number(r.active),
    domainActive: Number(r.d_active),
    attributes: parseAttributes(r.attributes),
  };
}

export async function findMailboxLoginFacts(db: Queryable, username: string): Promise<MailboxLoginFacts | undefined> {
  const [rows] = await db.execute<RowDataPacket[]>(MAILBOX_LOGIN_ROW, [username]);
  const r = rows[0];
  return r ? toMailboxLoginFacts(r) : undefined;
}

/** The mailbox and the identity provider settings for one login, read in one statement. */
async function readLoginFacts(db: Queryable, username: string): Promise<LoginFacts> {
  const [rows] = await db.execute<RowDataPacket[]>(LOGIN_FACTS, [username]);
  const settings = new Map<string, string>();
  let mailbox: MailboxLoginFacts | undefined;
  for (const r of rows) {
    // idp_key is the table's primary key (never NULL), so a NULL marks the mailbox row.
    if (r.idp_key === null) mailbox = toMailboxLoginFacts(r);
    else settings.set(String(r.idp_key), r.idp_value === null ? '' : String(r.idp_value));
  }
  return { identityProvider: toIdentityProviderSettings(settings), mailbox };
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
    loginFacts: (username) => readLoginFacts(db, username).catch((e: unknown) => Promise.reject(translateSqlError(e))),
  };
}
