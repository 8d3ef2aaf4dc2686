/**
 * Users on mailcow's MariaDB (the UserReads port and the unit of work the Users use cases
 * change them through). A SCIM user is a row in mailcow_scim_users linked to a mailbox written
 * exactly as mailcow writes one (user-rows.ts, mailbox-rows.ts).
 */
import type { Caller, ListQuery, ListResult, StoredUser, UserReads } from '../users/ports.js';
import { USER_GROUPS_SIDE_TABLE } from './group-members.js';
import { listResources } from './resource-list.js';
import { MailcowUnitOfWork } from './unit-of-work.js';
import { userListSource, userScope } from './user-query.js';
import { selectUsers } from './user-rows.js';

export class MailcowUserStore extends MailcowUnitOfWork implements UserReads {
  async get(caller: Caller, id: string): Promise<StoredUser | undefined> {
    const scope = userScope(caller);
    return (await selectUsers(this.deps.pool, `u.id = ? AND ${scope.sql}`, [id, ...scope.params]))[0];
  }

  list(caller: Caller, q: ListQuery): Promise<ListResult<StoredUser>> {
    return listResources(this.deps.pool, userListSource(caller, USER_GROUPS_SIDE_TABLE), q, (ids) => selectUsers(this.deps.pool, 'u.id IN (?)', [ids]));
  }
}
