/**
 * Groups on mailcow's MariaDB (the GroupReads port and the unit of work the Groups use cases
 * change them through). A SCIM group is a row in mailcow_scim_groups, its members rows in
 * mailcow_scim_group_members, and, with an address, a mailcow alias (group-rows.ts).
 */
import type { GroupReadOptions, GroupReads, StoredGroup } from '../groups/ports.js';
import type { Caller, ListQuery, ListResult } from '../users/ports.js';
import { groupListSource } from './group-query.js';
import { GROUP_COLUMNS, GROUP_JOINS, selectGroups, storedGroups, type GroupRow } from './group-rows.js';
import { listResources } from './resource-list.js';
import { MailcowUnitOfWork } from './unit-of-work.js';

export class MailcowGroupStore extends MailcowUnitOfWork implements GroupReads {
  async get(caller: Caller, id: string, options: GroupReadOptions): Promise<StoredGroup | undefined> {
    return (await selectGroups(this.deps.pool, 'g.id = ? AND g.token_id = ?', [id, caller.token.id], options))[0];
  }

  list(caller: Caller, q: ListQuery, options: GroupReadOptions): Promise<ListResult<StoredGroup>> {
    // The page's groups come with it; their members (when asked) in one more statement.
    return listResources(this.deps.pool, groupListSource(caller), q, {
      columns: GROUP_COLUMNS,
      joins: GROUP_JOINS,
      toItems: (db, rows) => storedGroups(db, rows as GroupRow[], options),
    });
  }
}
