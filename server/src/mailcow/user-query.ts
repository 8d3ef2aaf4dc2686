/**
 * Where each User attribute lives for filters and sorting (the FilterSqlMapping of
 * mailcow_scim_users): indexed columns for what IdPs look users up by, the e-mail side table,
 * derived values computed as the representation (users/user-service.ts toUserResource) shows
 * them, and the stored resource JSON for everything else.
 */
import { MAILCOW_USER_SCHEMA } from '../scim/schema/index.js';
import type { Caller } from '../users/ports.js';
import { commonColumns, FilterCompiler, unsupportedWithoutBaseUrl, type FilterSqlMapping, type SideTableMapping, type SqlFragment } from './filter-sql.js';
import type { ListSource } from './resource-list.js';

export function userFilterMapping(caller: Caller, groupsSideTable?: SideTableMapping): FilterSqlMapping {
  const common = { alias: 'u', resourceType: 'User', endpoint: '/Users', baseUrl: caller.baseUrl };
  const quota = (column: string) => `COALESCE((SELECT q2.${column} FROM quota2 q2 WHERE q2.username = u.mailbox), 0)`;
  return {
    alias: 'u',
    idColumn: 'id',
    scope: caller.token.id,
    jsonColumn: 'resource',
    columns: {
      ...commonColumns(common),
      userName: { column: 'user_name_lc', kind: 'lc', notNull: true, orderColumn: 'user_name_sort' },
      externalId: { column: 'external_id', kind: 'exact' },
      // display_name_lc holds the first 255 characters: only shorter values are certain matches.
      displayName: { column: 'display_name_lc', kind: 'lc', maxLength: 254 },
      [`${MAILCOW_USER_SCHEMA}:mailboxAddress`]: { column: 'mailbox', kind: 'ci', notNull: true },
      [`${MAILCOW_USER_SCHEMA}:usedBytes`]: { sql: quota('bytes'), kind: 'int', notNull: true },
      [`${MAILCOW_USER_SCHEMA}:messageCount`]: { sql: quota('messages'), kind: 'int', notNull: true },
    },
    valueIndexes: {
      emails: { table: 'mailcow_scim_user_emails', alias: 'e', ownerColumn: 'user_id', scopeColumn: 'token_id', valueColumn: 'value_lc', maxLength: 255 },
    },
    sideTables: groupsSideTable ? { groups: groupsSideTable } : {},
    // Every User lists the mailcow extension in `schemas`, whether it stored values of it or not.
    extraValues: { schemas: [MAILCOW_USER_SCHEMA] },
    unsupported: {
      ...unsupportedWithoutBaseUrl(common),
      ...(groupsSideTable ? {} : { groups: 'Filtering on groups needs SCIM Groups, which this server does not have yet.' }),
    },
  };
}

/** The Users a caller may see: its token's own, in the domains it manages now (404 elsewhere). */
export function userScope(caller: Caller): SqlFragment {
  const domains = caller.token.policy.domains.length ? caller.token.policy.domains : [''];
  return { sql: `u.token_id = ? AND u.domain IN (${domains.map(() => '?').join(', ')})`, params: [caller.token.id, ...domains] };
}

/** The Users a caller may see, as a ListSource for listResourceIds. */
export function userListSource(caller: Caller, groupsSideTable?: SideTableMapping): ListSource {
  return {
    table: 'mailcow_scim_users',
    alias: 'u',
    idColumn: 'id',
    scope: userScope(caller),
    compiler: new FilterCompiler(userFilterMapping(caller, groupsSideTable)),
    defaultOrder: { sql: 'u.created_at', params: [], notNull: true },
  };
}
