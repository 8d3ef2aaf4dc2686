/**
 * mailcow's mailbox rows: `mailbox`, `quota2`, `quota2replica`, the self-alias, `user_acl`
 * and `tags_mailbox`, written exactly as mailcow's PHP writes them
 * (docs/mailcow-facts.md §2.1, §2.7 and A.4 for add; §2.3 and A.6 for edit; §2.4 for delete).
 */
import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import { TAGGING_LIMIT, USER_ACL_FLAGS, type MailboxEdit, type MailboxSnapshot, type UserAcl } from '../provisioning/index.js';
import { SCIM_AUTHSOURCE } from './authsource.js';
import type { Queryable } from './queryable.js';
import { writeLater } from './statement-batch.js';

export interface MailboxRow extends MailboxSnapshot {
  localPart: string;
}

export function toMailbox(r: RowDataPacket): MailboxRow {
  const authsource = r.authsource === null ? null : String(r.authsource);
  return {
    username: String(r.username),
    localPart: String(r.local_part),
    domain: String(r.domain),
    name: r.name === null ? '' : String(r.name),
    quotaBytes: Number(r.quota),
    active: Number(r.active),
    authsource,
    scimManaged: authsource === SCIM_AUTHSOURCE,
    kind: String(r.kind),
    attributes: String(r.attributes ?? '{}'),
  };
}

/** The columns toMailbox reads. */
export const MAILBOX_COLUMNS = ['username', 'local_part', 'domain', 'name', 'quota', 'active', 'authsource', 'kind', 'attributes'] as const;

export async function findMailbox(db: Queryable, username: string, lock = false): Promise<MailboxRow | undefined> {
  const [rows] = await db.execute<RowDataPacket[]>(`SELECT ${MAILBOX_COLUMNS.join(', ')} FROM mailbox WHERE username = ?${lock ? ' FOR UPDATE' : ''}`, [username]);
  return rows[0] ? toMailbox(rows[0]) : undefined;
}

/**
 * SELECT-list expressions for what already uses an address (three placeholders, each the
 * address): a mailbox, an alias (with its goto) or a spam alias; a new mailbox may collide with
 * none of them (§2.1 #6–#8). Read with addressUseFrom.
 */
export const ADDRESS_USE_COLUMNS = `EXISTS (SELECT 1 FROM mailbox WHERE username = ?) AS mailbox_exists, (SELECT goto FROM alias WHERE address = ?) AS alias_goto,
  EXISTS (SELECT 1 FROM spamalias WHERE address = ?) AS spam_alias`;

export interface AddressUse {
  mailbox: boolean;
  aliasGoto: string | null;
  spamAlias: boolean;
}

export function addressUseFrom(r: RowDataPacket): AddressUse {
  return { mailbox: Number(r.mailbox_exists) === 1, aliasGoto: r.alias_goto === null ? null : String(r.alias_goto), spamAlias: Number(r.spam_alias) === 1 };
}

export interface NewMailbox {
  username: string;
  localPart: string;
  domain: string;
  name: string;
  quotaBytes: number;
  active: 0 | 1 | 2;
  authsource: string;
  /** Compact JSON from initialAttributesJson(). */
  attributesJson: string;
  acl: UserAcl;
  tags: string[];
}

/** mailbox('add','mailbox') rows 1, 3, 4, 5 and 6 of §2.1, in mailcow's order. */
export async function insertMailbox(db: Queryable, m: NewMailbox): Promise<void> {
  // mailcow's add sends a second statement, an UPDATE that makes passwd_update NOW() as a string
  // (MariaDB re-serialises the document: one space after ':' and ','), which also sets
  // `modified` (A.4). The same JSON_SET over the same text, and `modified`, go into the INSERT:
  // the row is the same, and a create saves a round trip.
  // Every write here goes with the change's next read where the connection batches (statement-batch.ts).
  await writeLater(
    db,
    `INSERT INTO mailbox (username, password, name, quota, local_part, domain, attributes, authsource, active, modified)
     VALUES (?, '', ?, ?, ?, ?, JSON_SET(?, '$.passwd_update', NOW()), ?, ?, NOW())`,
    [m.username, m.name, m.quotaBytes, m.localPart, m.domain, m.attributesJson, m.authsource, m.active],
  );
  // A new mailbox has no tags to remove: replaceTags' DELETE would only take gap locks that
  // concurrent creates then deadlock on.
  for (const tag of cappedTags(m.tags)) await writeLater(db, `INSERT IGNORE INTO tags_mailbox (tag_name, username) VALUES (?, ?)`, [tag, m.username]);
  for (const table of ['quota2', 'quota2replica']) {
    await writeLater(
      db,
      `INSERT INTO ${table} (username, bytes, messages) VALUES (?, 0, 0) ON DUPLICATE KEY UPDATE bytes = 0, messages = 0`,
      [m.username],
    );
  }
  await writeLater(db, `INSERT INTO alias (address, goto, domain, active) VALUES (?, ?, ?, ?)`, [m.username, m.username, m.domain, m.active]);
  await writeUserAcl(db, m.username, m.acl);
}

/** user_acl: all 15 flags written explicitly, as mailcow does (§1.3 `user_acl`). */
export async function writeUserAcl(db: Queryable, username: string, acl: UserAcl): Promise<void> {
  const cols = USER_ACL_FLAGS.map((f) => `\`${f}\``).join(', ');
  const updates = USER_ACL_FLAGS.map((f) => `\`${f}\` = VALUES(\`${f}\`)`).join(', ');
  await writeLater(
    db,
    `INSERT INTO user_acl (username, ${cols}) VALUES (?, ${USER_ACL_FLAGS.map(() => '?').join(', ')}) ON DUPLICATE KEY UPDATE ${updates}`,
    [username, ...USER_ACL_FLAGS.map((f) => acl[f])],
  );
}

/** Distinct tags up to mailcow's limit, in order. */
function cappedTags(tags: string[]): string[] {
  return [...new Set(tags)].slice(0, TAGGING_LIMIT);
}

/**
 * Makes the mailbox's tags exactly `tags` (capped at mailcow's limit). mailcow's own edit only
 * adds tags; for SCIM the IdP is the source of truth, so removed tags go too.
 */
export async function replaceTags(db: Queryable, username: string, tags: string[]): Promise<void> {
  const wanted = cappedTags(tags);
  if (wanted.length === 0) {
    await db.execute(`DELETE FROM tags_mailbox WHERE username = ?`, [username]);
    return;
  }
  await db.query(`DELETE FROM tags_mailbox WHERE username = ? AND tag_name NOT IN (?)`, [username, wanted]);
  for (const tag of wanted) await db.execute(`INSERT IGNORE INTO tags_mailbox (tag_name, username) VALUES (?, ?)`, [tag, username]);
}

/** The columns editMailbox writes, as it writes them: what the mailbox row holds after the edit. */
export function editedColumns(current: MailboxSnapshot, edit: MailboxEdit): Pick<MailboxSnapshot, 'active' | 'name' | 'quotaBytes' | 'authsource'> {
  return {
    active: edit.active ?? current.active,
    // An empty name leaves the stored one in place.
    name: edit.name !== undefined && edit.name !== '' ? edit.name : current.name,
    quotaBytes: edit.quotaBytes ?? current.quotaBytes,
    authsource: edit.authsource ?? current.authsource,
  };
}

/**
 * mailbox('edit','mailbox') as A.6 observed it: one UPDATE that re-writes active, name, quota
 * and authsource, sets the given attribute keys in place, resets attribute_hash to '' and
 * appends "recovery_email": null on the first edit; and the self-alias's active follows.
 * Returns true when the mailbox row changed.
 */
export async function editMailbox(db: Queryable, current: MailboxSnapshot, edit: MailboxEdit): Promise<boolean> {
  const after = editedColumns(current, edit);
  const active = after.active;
  const sets: string[] = [];
  const args: unknown[] = [];
  const jsonPairs: string[] = [];
  for (const [k, v] of Object.entries(edit.attributes ?? {})) {
    jsonPairs.push(`'$.${k}', ?`);
    args.push(v);
  }
  const json = `JSON_SET(attributes, ${[...jsonPairs, `'$.attribute_hash', ''`, `'$.recovery_email', JSON_EXTRACT(attributes, '$.recovery_email')`].join(', ')})`;
  sets.push('active = ?', 'name = ?', 'quota = ?', 'authsource = ?', `attributes = ${json}`);
  // Placeholders in statement order: the four columns, then the JSON_SET values, then the key.
  const ordered = [active, after.name, after.quotaBytes, after.authsource, ...args, current.username];
  const [res] = await db.execute<ResultSetHeader>(`UPDATE mailbox SET ${sets.join(', ')} WHERE username = ?`, ordered as never[]);
  await db.execute(`UPDATE alias SET active = ? WHERE address = ?`, [active, current.username]);
  return res.changedRows > 0;
}

/** Tables mailcow's delete cleans by username (§2.4 step 2), with the column to match. */
const DELETE_TARGETS: [table: string, where: string][] = [
  ['pushover', 'username = ?'],
  ['quarantine', 'rcpt = ?'],
  ['quota2', 'username = ?'],
  ['quota2replica', 'username = ?'],
  ['sender_acl', 'logged_in_as = ? OR send_as = ?'],
  ['user_acl', 'username = ?'],
  ['spamalias', 'goto = ?'],
  ['imapsync', 'user2 = ?'],
  ['filterconf', 'object = ?'],
  ['sogo_user_profile', 'c_uid = ?'],
  ['sogo_cache_folder', 'c_uid = ?'],
  ['sogo_acl', 'c_uid = ?'],
  ['bcc_maps', 'local_dest = ?'],
  ['oauth_access_tokens', 'user_id = ?'],
  ['oauth_refresh_tokens', 'user_id = ?'],
  ['oauth_authorization_codes', 'user_id = ?'],
  ['tfa', 'username = ?'],
  ['fido2', 'username = ?'],
];

async function existingTables(db: Queryable): Promise<Set<string>> {
  const [rows] = await db.query<RowDataPacket[]>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE()`);
  return new Set(rows.map((r) => String(r.t)));
}

/**
 * mailbox('delete','mailbox') rows (§2.4 steps 2–3; A.7). The maildir is not touched here:
 * mailcow moves it through dockerapi, which the sidecar cannot reach (docs/operations.md).
 */
export async function deleteMailboxRows(db: Queryable, username: string): Promise<void> {
  const tables = await existingTables(db);
  await db.execute(`DELETE FROM alias WHERE goto = ?`, [username]);
  for (const [table, where] of DELETE_TARGETS) {
    if (!tables.has(table)) continue;
    const params = where.split('?').length - 1;
    await db.execute(`DELETE FROM \`${table}\` WHERE ${where}`, Array(params).fill(username));
  }
  if (tables.has('sogo_folder_info')) {
    for (const t of ['sogo_store', 'sogo_quick_contact', 'sogo_quick_appointment']) {
      if (tables.has(t)) {
        await db.execute(`DELETE FROM \`${t}\` WHERE c_folder_id IN (SELECT c_folder_id FROM sogo_folder_info WHERE c_path2 = ?)`, [username]);
      }
    }
    await db.execute(`DELETE FROM sogo_folder_info WHERE c_path2 = ?`, [username]);
  }
  // Remove the user from multi-target goto lists (§2.4 step 3).
  const [lists] = await db.execute<RowDataPacket[]>(
    `SELECT id, goto FROM alias WHERE FIND_IN_SET(?, REPLACE(goto, ' ', '')) > 0 FOR UPDATE`,
    [username],
  );
  for (const row of lists) {
    const rest = String(row.goto)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s && s !== username);
    // Aliases whose only target was this user are gone already (the DELETE by goto above).
    await db.execute(`UPDATE alias SET goto = ? WHERE id = ?`, [rest.join(','), row.id]);
  }
  await db.execute(`DELETE FROM mailbox WHERE username = ?`, [username]);
}
