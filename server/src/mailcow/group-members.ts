/**
 * Group membership as the Users side sees it: a user's groups for the derived, read-only
 * `groups` attribute (RFC 7643 §4.1.2), the SQL behind filters on it (template rules such as
 * `groups[display eq "Staff"]`), and the hook that keeps group aliases in step when a member's
 * mailbox is (de)activated or the user goes.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { nowIso, toDbTime } from './db-time.js';
import type { SideTableMapping } from './filter-sql.js';
import { removeMemberships, syncGroupAlias } from './group-aliases.js';
import type { DatabasePool } from './queryable.js';
import type { GroupLookup, MemberHook } from './user-store.js';

/** A user's groups (same token), ordered by name; one query for a whole page of users. */
export const groupLookup: GroupLookup = async (db: DatabasePool | PoolConnection, userIds: string[]) => {
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
};

/** `groups.value` / `groups.display` filters on Users, over the mailcow_scim_user_groups view (migration 2). */
export const USER_GROUPS_SIDE_TABLE: SideTableMapping = {
  table: 'mailcow_scim_user_groups',
  alias: 'ug',
  ownerColumn: 'user_id',
  scopeColumn: 'token_id',
  subColumns: {
    value: { column: 'group_id', kind: 'exact' },
    display: { column: 'display_name_lc', kind: 'lc' },
  },
};

/**
 * Runs inside a user change: after the mailbox's active value changed, every group of the user
 * recomputes its goto and sender ACLs; when the user is about to go, it leaves each group
 * first (so mailcow's own goto clean-up finds nothing of ours) and the groups' versions move.
 * Groups are locked in id order, the same order everywhere, so two such hooks never deadlock.
 */
export const groupMemberHook: MemberHook = async (conn, caller, userId, effects, leaving) => {
  const [groups] = await conn.query<RowDataPacket[]>(
    `SELECT g.id FROM mailcow_scim_group_members gm JOIN mailcow_scim_groups g ON g.id = gm.group_id WHERE gm.user_id = ? ORDER BY g.id`,
    [userId],
  );
  for (const { id } of groups) {
    const [[g]] = await conn.query<RowDataPacket[]>(`SELECT id, token_id, display_name, address FROM mailcow_scim_groups WHERE id = ? FOR UPDATE`, [id]);
    if (!g) continue;
    if (leaving) await removeMemberships(conn, String(g.id), [userId]);
    const address = g.address === null ? null : String(g.address);
    const r = await syncGroupAlias(conn, {
      groupId: String(g.id),
      tokenId: String(g.token_id),
      address,
      previous: address,
      senderAcl: caller.token.policy.groupSenderAcl,
      displayName: String(g.display_name),
    });
    effects.sogo.push(...r.sogo);
    if (leaving || r.flipped) {
      await conn.execute(`UPDATE mailcow_scim_groups SET version = version + 1, last_modified = ? WHERE id = ?`, [toDbTime(nowIso()), g.id]);
    }
  }
};
