/**
 * mailcow_scim_users: a SCIM user is a row linked to a mailbox, with its e-mails in an index
 * table for filters. Read here for the reads and for a change (the UserRows port); written
 * only inside a change.
 */
import type { RowDataPacket } from 'mysql2';
import type { PoolConnection } from 'mysql2/promise';
import type { MailAddress } from '../provisioning/index.js';
import { foldCase } from '../scim/case-fold.js';
import { ScimError } from '../scim/index.js';
import type { Caller, CreateFacts, MailboxOwner, NewUserRecord, StoredUser, UserRecord, UserRows } from '../users/ports.js';
import { assertFitsColumn } from './column-limits.js';
import { fromDbTime, nowIso, toDbTime } from './db-time.js';
import { groupLookup, parseUserGroups, UNCUT_AGGREGATES, USER_GROUPS_JSON } from './group-members.js';
import type { Queryable } from './queryable.js';
import { writeLater } from './statement-batch.js';
import { resourceFields, type ResourceRow } from './resource-row.js';
import { insertVersionedRow, updateVersionedRow, type Columns } from './row-columns.js';
import type { TxReads, UserGroups } from './tx-reads.js';
import { readCreateFacts } from './user-create-facts.js';
import { keepLockReads, USER_LOCK_COLUMNS } from './user-lock.js';
import { userScope } from './user-query.js';

export interface UserRow extends ResourceRow {
  user_name: string;
  mailbox: string;
  applied_template: string | null;
  m_name: string | null;
  m_active: number;
  m_quota: number;
  q_bytes: number | null;
  q_messages: number | null;
}

/** A user's columns with its mailbox and quota usage, over USER_JOINS (also a list page's shape). */
export const USER_COLUMNS = `u.id, u.token_id, u.user_name, u.external_id, u.mailbox, u.applied_template, u.resource, u.version, u.created_at, u.last_modified,
  m.name AS m_name, m.active AS m_active, m.quota AS m_quota, q.bytes AS q_bytes, q.messages AS q_messages`;
export const USER_JOINS = 'JOIN mailbox m ON m.username = u.mailbox LEFT JOIN quota2 q ON q.username = u.mailbox';

/** A user with its mailbox and quota usage, in one statement. */
const USER_TABLES = `mailcow_scim_users u ${USER_JOINS}`;

const SELECT_USERS_WITH_GROUPS = `${UNCUT_AGGREGATES} SELECT ${USER_COLUMNS}, ${USER_GROUPS_JSON} AS groups_json FROM ${USER_TABLES}`;

/** Ids and scope checks run in batches of this many. */
const BATCH = 1000;

/**
 * Users matching `where` (over the aliases of USER_COLUMNS), with their groups, in one statement:
 * the groups come as the list page reads them (USER_GROUPS_JSON), not by a second query. A GET
 * by id was two round trips, and a request costs about what its statements cost (issue 14).
 */
export async function selectUsers(db: Queryable, where: string, params: unknown[]): Promise<StoredUser[]> {
  const [rows] = await db.query<UserRow[]>(`${SELECT_USERS_WITH_GROUPS} WHERE ${where}`, params);
  return rows.map((r) => storedUser(r, parseUserGroups(r.groups_json)));
}

/** A row of USER_COLUMNS as the use cases see it. */
export function storedUser(r: UserRow, groups: UserGroups): StoredUser {
  return {
    ...resourceFields(r),
    userName: r.user_name,
    appliedTemplate: r.applied_template,
    mailbox: {
      address: r.mailbox,
      active: Number(r.m_active),
      name: r.m_name ?? '',
      quotaBytes: Number(r.m_quota),
      usedBytes: Number(r.q_bytes ?? 0),
      messages: Number(r.q_messages ?? 0),
    },
    groups,
  };
}

/** The `_lc` columns hold values folded like the filters fold them (scim/case-fold.ts). */
function lowerOrNull(s: string | null): string | null {
  return s ? foldCase(s) : null;
}

function displayNameOf(resource: Record<string, unknown>): string | null {
  return typeof resource.displayName === 'string' ? resource.displayName.slice(0, 255) : null;
}

/** The columns a user's record sets: one list for the INSERT and the UPDATE. */
function recordColumns(r: UserRecord): Columns {
  // userName and externalId are matched exactly: they must fit their indexed columns (displayName is cut).
  assertFitsColumn(r.userName, 'userName');
  assertFitsColumn(r.externalId, 'externalId');
  const display = displayNameOf(r.resource);
  return [
    ['user_name', r.userName],
    ['user_name_lc', foldCase(r.userName)],
    ['external_id', r.externalId],
    ['display_name', display],
    ['display_name_lc', lowerOrNull(display)],
    ['active', r.resource.active === false ? 0 : 1],
    ['applied_template', r.appliedTemplate],
    ['resource', JSON.stringify(r.resource)],
  ];
}

interface EmailRow {
  value: string;
  type: string | null;
  primary: boolean;
}

function emailsOf(resource: Record<string, unknown>): EmailRow[] {
  const list = Array.isArray(resource.emails) ? (resource.emails as Record<string, unknown>[]) : [];
  return list
    // Every value that fits the column is indexed: filters on emails.value rely on it (filter-sql.ts).
    .filter((e) => typeof e.value === 'string' && foldCase(e.value as string).length <= 255)
    .slice(0, 65535)
    .map((e) => ({ value: String(e.value), type: typeof e.type === 'string' ? e.type.slice(0, 64) : null, primary: e.primary === true }));
}

export class SqlUserRows implements UserRows {
  constructor(
    private readonly conn: PoolConnection,
    private readonly caller: Caller,
    private readonly reads: TxReads,
  ) {}

  async createFacts(want: { userName: string; address: MailAddress; template: string | null }): Promise<CreateFacts> {
    return readCreateFacts(this.conn, {
      tokenId: this.caller.token.id,
      userNameLc: foldCase(want.userName),
      address: want.address.address,
      domain: want.address.domain,
      template: want.template,
    });
  }

  async lock(id: string): Promise<StoredUser> {
    const scope = userScope(this.caller);
    const [[r]] = await this.conn.query<UserRow[]>(`${UNCUT_AGGREGATES} SELECT ${USER_COLUMNS}, ${USER_LOCK_COLUMNS} FROM ${USER_TABLES} WHERE u.id = ? AND ${scope.sql} FOR UPDATE`, [
      id,
      ...scope.params,
    ]);
    if (!r) throw ScimError.notFound(`No User with id "${id}".`);
    keepLockReads(id, r, this.reads);
    // The groups locked first (lockGroupsOf) are the ones a read in this transaction would list.
    const groups = this.reads.takeGroups(id) ?? (await groupLookup(this.conn, [r.id])).get(r.id) ?? [];
    return storedUser(r, groups);
  }

  async read(id: string): Promise<StoredUser | undefined> {
    const scope = userScope(this.caller);
    return (await selectUsers(this.conn, `u.id = ? AND ${scope.sql}`, [id, ...scope.params]))[0];
  }

  async userNameOwner(userName: string, exceptId: string): Promise<string | null> {
    const [rows] = await this.conn.execute<RowDataPacket[]>(`SELECT id FROM mailcow_scim_users WHERE token_id = ? AND user_name_lc = ? AND id <> ?`, [
      this.caller.token.id,
      foldCase(userName),
      exceptId,
    ]);
    return rows[0] ? String(rows[0].id) : null;
  }

  async mailboxOwner(mailbox: string): Promise<MailboxOwner | undefined> {
    const [rows] = await this.conn.execute<RowDataPacket[]>(
      `SELECT u.id, u.token_id, u.user_name, t.name AS token_name FROM mailcow_scim_users u JOIN mailcow_scim_tokens t ON t.id = u.token_id WHERE u.mailbox = ? FOR UPDATE`,
      [mailbox],
    );
    const r = rows[0];
    return r ? { id: String(r.id), tokenId: String(r.token_id), userName: String(r.user_name), tokenName: String(r.token_name) } : undefined;
  }

  async insert(user: NewUserRecord): Promise<string> {
    const now = toDbTime(nowIso());
    await insertVersionedRow(this.conn, 'mailcow_scim_users', { id: user.id, tokenId: this.caller.token.id, now }, [
      ...recordColumns(user),
      ['mailbox', user.mailbox.address],
      ['domain', user.mailbox.domain],
    ]);
    // A new user has no index rows to remove: the DELETE would only take gap locks.
    await this.insertEmails(user.id, user.resource);
    return fromDbTime(now)!;
  }

  async update(id: string, next: UserRecord, previous: Record<string, unknown>): Promise<string> {
    const now = toDbTime(nowIso());
    await updateVersionedRow(this.conn, 'mailcow_scim_users', id, recordColumns(next), now);
    // Most changes (a deactivation, a new name) leave the e-mails alone: no index rows to rewrite.
    if (JSON.stringify(emailsOf(next.resource)) !== JSON.stringify(emailsOf(previous))) {
      await this.conn.execute(`DELETE FROM mailcow_scim_user_emails WHERE user_id = ?`, [id]);
      await this.insertEmails(id, next.resource);
    }
    return fromDbTime(now)!;
  }

  async delete(id: string): Promise<void> {
    await this.conn.execute(`DELETE FROM mailcow_scim_users WHERE id = ?`, [id]);
  }

  async visible(ids: readonly string[]): Promise<Set<string>> {
    const scope = userScope(this.caller);
    const found = new Set<string>();
    for (let i = 0; i < ids.length; i += BATCH) {
      const [rows] = await this.conn.query<RowDataPacket[]>(`SELECT u.id FROM mailcow_scim_users u WHERE u.id IN (?) AND ${scope.sql}`, [ids.slice(i, i + BATCH), ...scope.params]);
      for (const r of rows) found.add(String(r.id).toLowerCase());
    }
    return found;
  }

  async lockVisible(ids: readonly string[]): Promise<Set<string>> {
    // Exclusive: the change updates these rows later anyway (their version), and two changes
    // that both held a shared lock deadlocked on that update. By primary key only: with the
    // scope index a locking read locks every user it scans.
    const scope = userScope(this.caller);
    const found = new Set<string>();
    for (let i = 0; i < ids.length; i += BATCH) {
      const [rows] = await this.conn.query<RowDataPacket[]>(`SELECT u.id FROM mailcow_scim_users u FORCE INDEX (PRIMARY) WHERE u.id IN (?) AND ${scope.sql} ORDER BY u.id FOR UPDATE`, [
        ids.slice(i, i + BATCH),
        ...scope.params,
      ]);
      for (const r of rows) found.add(String(r.id).toLowerCase());
    }
    return found;
  }

  async lockRows(ids: readonly string[]): Promise<void> {
    const sorted = [...new Set(ids)].sort();
    for (let i = 0; i < sorted.length; i += BATCH) {
      await this.conn.query(`SELECT id FROM mailcow_scim_users FORCE INDEX (PRIMARY) WHERE id IN (?) ORDER BY id FOR UPDATE`, [sorted.slice(i, i + BATCH)]);
    }
  }

  async touch(ids: readonly string[]): Promise<void> {
    await this.conn.query(`UPDATE mailcow_scim_users SET version = version + 1, last_modified = ? WHERE id IN (?)`, [toDbTime(nowIso()), ids]);
  }

  private async insertEmails(userId: string, resource: Record<string, unknown>): Promise<void> {
    const emails = emailsOf(resource);
    if (!emails.length) return;
    await writeLater(
      this.conn,
      `INSERT INTO mailcow_scim_user_emails (user_id, token_id, position, value_lc, type, is_primary) VALUES ?`,
      [emails.map((e, i) => [userId, this.caller.token.id, i, foldCase(e.value), e.type, e.primary ? 1 : 0])],
      'query',
    );
  }
}
