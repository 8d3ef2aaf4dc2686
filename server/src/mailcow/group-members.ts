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
import type { DatabasePool, Queryable } from './queryable.js';
import { refreshSogoViewRows } from './sogo-view.js';
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
    value: { column: 'group_id', kind: 'ci' },
    display: { column: 'display_name_lc', kind: 'lc' },
  },
};

/**
 * The Groups side of a user change (user-store.ts MemberHook). Lock order everywhere is:
 * group rows (by id), then user rows, then mailbox and domain rows. A user change therefore
 * locks its groups before its own row; a group change locks the group, then its members.
 */
export const groupMemberHook: MemberHook = {
  async lockGroups(conn, userId) {
    // A plain read: a locking read of the membership rows would wait on a group change that
    // holds the group and, through the foreign key, waits on this user's row.
    const [rows] = await conn.query<RowDataPacket[]>(`SELECT group_id FROM mailcow_scim_group_members WHERE user_id = ? ORDER BY group_id`, [userId]);
    if (rows.length) await conn.query(`SELECT id FROM mailcow_scim_groups WHERE id IN (?) ORDER BY id FOR UPDATE`, [rows.map((r) => String(r.group_id))]);
  },

  /**
   * After the mailbox's active value changed, every group of the user recomputes its goto and
   * sender ACLs; when the user is about to go, it leaves each group first (so mailcow's own
   * goto clean-up finds nothing of ours) and the groups' versions move.
   */
  async changed(conn, caller, userId, effects, leaving) {
    const [groups] = await conn.query<RowDataPacket[]>(
      // Locking: a membership a group change committed after this transaction's snapshot counts too.
      `SELECT gm.group_id AS id FROM mailcow_scim_group_members gm WHERE gm.user_id = ? ORDER BY gm.group_id LOCK IN SHARE MODE`,
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
