/**
 * Users on mailcow's MariaDB (the UserReads port and the unit of work the Users use cases
 * change them through). A SCIM user is a row in mailcow_scim_users linked to a mailbox written
 * exactly as mailcow writes one (user-rows.ts, mailbox-rows.ts).
 */
import type { Caller, ListQuery, ListResult, StoredUser, UserReads } from '../users/ports.js';
import { parseUserGroups, UNCUT_AGGREGATES, USER_GROUPS_JSON, USER_GROUPS_SIDE_TABLE } from './group-members.js';
import { listResources, type PageRows } from './resource-list.js';
import { MailcowUnitOfWork } from './unit-of-work.js';
import { userListSource, userScope } from './user-query.js';
import { selectUsers, storedUser, USER_COLUMNS, USER_JOINS, type UserRow } from './user-rows.js';

/** A page of users with their mailboxes and groups, in the page's one statement. */
export const USER_PAGE_ROWS: PageRows<StoredUser> = {
  columns: `${USER_COLUMNS}, ${USER_GROUPS_JSON} AS groups_json`,
  joins: USER_JOINS,
  prefix: UNCUT_AGGREGATES,
  toItems: (_db, rows) => Promise.resolve(rows.map((r) => storedUser(r as UserRow, parseUserGroups(r.groups_json)))),
};

export class MailcowUserStore extends MailcowUnitOfWork implements UserReads {
  async get(caller: Caller, id: string): Promise<StoredUser | undefined> {
    const scope = userScope(caller);
    return (await selectUsers(this.deps.pool, `u.id = ? AND ${scope.sql}`, [id, ...scope.params]))[0];
  }

  list(caller: Caller, q: ListQuery): Promise<ListResult<StoredUser>> {
    return listResources(this.deps.pool, userListSource(caller, USER_GROUPS_SIDE_TABLE), q, USER_PAGE_ROWS);
  }
}
