/**
 * Group membership as the Users side sees it: a user's groups for the derived, read-only
 * `groups` attribute (RFC 7643 §4.1.2), the SQL behind filters on it (template rules such as
 * `groups[display eq "Staff"]`), and a user leaving all its groups outside a user change.
 */
import type { RowDataPacket } from 'mysql2';
import { nowIso, toDbTime } from './db-time.js';
import type { SideTableMapping } from './filter-sql.js';
import { removeMemberships, syncGroupAlias } from './group-aliases.js';
import type { Queryable } from './queryable.js';
import { refreshSogoViewRows } from './sogo-view.js';

/** A user's groups (same token), ordered by name; one query for a whole page of users. */
export async function groupLookup(db: Queryable, userIds: string[]): Promise<Map<string, { id: string; display: string }[]>> {
  const out = new Map<string, { id: string; display: string }[]>();
  if (!userIds.length) return out;
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT gm.user_id, g.id, g.display_name FROM mailcow_scim_group_members gm JOIN mailcow_scim_groups g ON g.id = gm.group_id
      WHERE gm.user_id IN (?) ORDER BY g.display_name_lc, g.id`,
    [userIds],
  );
  for (const r of rows) {
    const list = out.get(String(r.user_id)) ?? [];
    list.push({ id: String(r.id), display: String(r.display_name) });
    out.set(String(r.user_id), list);
  }
  return out;
}

/**
 * A user's groups as groupLookup gives them, as a column of a statement over users `u`: a JSON
 * array in the same order, so a page of users and their groups is one statement. JSON_ARRAYAGG
 * is cut at group_concat_max_len, so a statement with this column runs under UNCUT_AGGREGATES.
 */
export const USER_GROUPS_JSON = `(SELECT JSON_ARRAYAGG(JSON_OBJECT('id', g.id, 'display', g.display_name) ORDER BY g.display_name_lc, g.id)
  FROM mailcow_scim_group_members gm JOIN mailcow_scim_groups g ON g.id = gm.group_id WHERE gm.user_id = u.id)`;

/**
 * Prefix for a statement with a JSON_ARRAYAGG column (USER_GROUPS_JSON, the user lock's owned
 * aliases): MariaDB cuts an aggregate at group_concat_max_len (1 MiB by default) and still
 * returns valid JSON, so a cut list would pass for a whole one. No list reaches this length.
 */
export const UNCUT_AGGREGATES = 'SET STATEMENT group_concat_max_len = 4294967295 FOR';

/** A USER_GROUPS_JSON value (NULL for no groups) as groupLookup gives a user's groups. */
export function parseUserGroups(value: unknown): { id: string; display: string }[] {
  if (value === null || value === undefined) return [];
  const list = JSON.parse(Buffer.isBuffer(value) ? value.toString('utf8') : String(value)) as { id: unknown; display: unknown }[];
  return list.map((g) => ({ id: String(g.id), display: String(g.display) }));
}

/** `groups.value` / `groups.display` filters on Users, over the mailcow_scim_user_groups view (migration 2). */
export const USER_GROUPS_SIDE_TABLE: SideTableMapping = {
  table: 'mailcow_scim_user_groups',
  alias: 'ug',
  ownerColumn: 'user_id',
  scopeColumn: 'token_id',
  subColumns: {
    value: { column: 'group_id', kind: 'ci' },
    display: { column: 'display_name_lc', kind: 'lc' },
  },
};

/**
 * Takes a user out of all its groups for code that removes a SCIM user outside a user change
 * (`mailcow-scim adopt` hands its mailbox to another token): the member's sender ACL rows go,
 * the goto lists follow, the groups' versions move, and SOGo rows are refreshed in the
 * transaction (such callers have no post-commit step). Other members' sender ACLs stay as they
 * are, since the groups' token policy is not at hand.
 */
export async function leaveAllGroups(db: Queryable, userId: string): Promise<void> {
  const [groups] = await db.query<RowDataPacket[]>(
    `SELECT g.id, g.token_id, g.display_name, g.address FROM mailcow_scim_group_members gm JOIN mailcow_scim_groups g ON g.id = gm.group_id
      WHERE gm.user_id = ? ORDER BY g.id FOR UPDATE`,
    [userId],
  );
  const sogo = new Set<string>();
  for (const g of groups) {
    await removeMemberships(db, String(g.id), [userId]);
    const address = g.address === null ? null : String(g.address);
    const r = await syncGroupAlias(db, { groupId: String(g.id), tokenId: String(g.token_id), address, previous: address, senderAcl: 'keep', displayName: String(g.display_name) });
    r.sogo.forEach((m) => sogo.add(m));
    await db.execute(`UPDATE mailcow_scim_groups SET version = version + 1, last_modified = ? WHERE id = ?`, [toDbTime(nowIso()), g.id]);
  }
  if (sogo.size) await refreshSogoViewRows(db, [...sogo]);
}
