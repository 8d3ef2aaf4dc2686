/**
 * Where each Group attribute lives for filters and sorting (the FilterSqlMapping of
 * mailcow_scim_groups), as user-query.ts does it for Users: indexed columns for what IdPs look
 * groups up by (displayName: Entra's lookup, externalId), the membership table for
 * `members.value`, derived values computed as the representation (groups/group-service.ts
 * toGroupResource) shows them, and the stored resource JSON for everything else.
 */
import type { Caller } from '../groups/ports.js';
import { MAILCOW_GROUP_SCHEMA } from '../scim/schema/index.js';
import { commonColumns, FilterCompiler, unsupportedWithoutBaseUrl, type FilterSqlMapping, type SqlFragment } from './filter-sql.js';
import type { ListSource } from './resource-list.js';

export function groupFilterMapping(caller: Caller): FilterSqlMapping {
  const common = { alias: 'g', resourceType: 'Group', endpoint: '/Groups', baseUrl: caller.baseUrl };
  return {
    alias: 'g',
    idColumn: 'id',
    scope: caller.token.id,
    jsonColumn: 'resource',
    columns: {
      ...commonColumns(common),
      // display_name_lc holds the first 255 characters: only shorter values are certain matches.
      displayName: { column: 'display_name_lc', kind: 'lc', maxLength: 254 },
      externalId: { column: 'external_id', kind: 'exact' },
      // The representation shows the address the group owns (lower case), not what was sent.
      [`${MAILCOW_GROUP_SCHEMA}:address`]: { column: 'address', kind: 'ci' },
      [`${MAILCOW_GROUP_SCHEMA}:aliasActive`]: { sql: `(g.address IS NOT NULL AND COALESCE((SELECT a.active FROM alias a WHERE a.address = g.address), 0) = 1)`, kind: 'bool' },
    },
    sideTables: {
      members: {
        table: 'mailcow_scim_group_members',
        alias: 'gm',
        ownerColumn: 'group_id',
        scopeColumn: 'token_id',
        subColumns: { value: { column: 'user_id', kind: 'ci' } },
      },
    },
    // Every Group lists the mailcow extension in `schemas` (it always carries aliasActive).
    extraValues: { schemas: [MAILCOW_GROUP_SCHEMA] },
    unsupported: {
      ...unsupportedWithoutBaseUrl(common),
      // Also the answer to sortBy on them: say what the client can use, for either.
      'members.display': 'members.display is computed from each member and cannot be filtered or sorted on; filter on members.value.',
      'members.$ref': 'members.$ref is derived from members.value and cannot be filtered or sorted on; filter on members.value.',
      'members.type': 'members.type is always "User" and cannot be filtered or sorted on; filter on members.value.',
    },
  };
}

/** The Groups a caller may see: its token's own. */
function groupScope(caller: Caller): SqlFragment {
  return { sql: 'g.token_id = ?', params: [caller.token.id] };
}

export function groupListSource(caller: Caller): ListSource {
  return {
    table: 'mailcow_scim_groups',
    alias: 'g',
    idColumn: 'id',
    scope: groupScope(caller),
    compiler: new FilterCompiler(groupFilterMapping(caller)),
    defaultOrder: { sql: 'g.created_at', params: [] },
  };
}
