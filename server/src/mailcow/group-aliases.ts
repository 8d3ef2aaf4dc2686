/**
 * A SCIM group's distribution list in mailcow: one `alias` row whose goto is the active
 * members' mailboxes, recorded in mailcow_scim_owned_aliases (kind 'group'), and, when the
 * token's policy allows it, one `sender_acl` row per active member so members may send as the
 * group address. Written the way mailcow's alias add/edit writes them
 * (functions.mailbox.inc.php `mailbox('add'|'edit','alias')`, docs/mailcow-facts.md §1.3):
 *
 * - goto is a comma-separated list without spaces, each address once; mailcow refuses an
 *   empty goto, so a group with no active member keeps its row (the address stays reserved)
 *   with `active` 0, which Postfix ignores (virtual alias maps read active 1 or 2 only);
 * - `sender_allowed` is 0: mailcow's "If disabled, this alias can only receive mail. Use
 *   sender ACL to override and grant specific mailboxes permission to send" (lang
 *   `sender_allowed_info`). The token's `groupSenderAcl` decides whether members get such
 *   sender_acl rows (`external` 0, as mailcow's mailbox edit inserts them);
 * - `sogo_visible` 1, so members see the list address in SOGo: it lands in the `aliases`
 *   column of each member's _sogo_static_view row (grouped_mail_aliases joins goto lists).
 *
 * Only rows the sidecar made are ever changed or removed: an alias an admin made at the
 * address is a 409 naming it, and a sender_acl row an admin made is left alone.
 */
import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import { ScimError } from '../scim/index.js';
import { nowIso, toDbTime } from './db-time.js';
import { aliasConflict, checkAliasRoom } from './owned-aliases.js';
import type { Queryable } from './queryable.js';

/** mailcow refuses alias comments longer than this (`comment_too_long`). */
const MAX_COMMENT = 160;
/** Rows per statement for sender_acl and membership batches. */
const BATCH = 500;
/** alias.goto is TEXT: at most 65,535 bytes of comma-separated addresses. */
const MAX_GOTO_BYTES = 65_535;

export interface GroupAliasTarget {
  groupId: string;
  tokenId: string;
  /** The address the group owns after this change, or null. */
  address: string | null;
  /** The address it owned before this change, or null. */
  previous: string | null;
  /**
   * The token's `groupSenderAcl`: active members may send as the address. `keep` leaves the
   * members' sender ACL rows as they are (for callers that do not know the group's policy).
   */
  senderAcl: boolean | 'keep';
  displayName: string;
}

export interface GroupAliasResult {
  /** Whether the alias exists and is active now. */
  aliasActive: boolean;
  /** Whether aliasActive differs from before the change (the group's representation changed). */
  flipped: boolean;
  /** Mailboxes whose _sogo_static_view `aliases` column may have changed. */
  sogo: string[];
}

interface MemberState {
  userId: string;
  mailbox: string;
  active: number;
  senderAclId: number | null;
}

interface AliasRow {
  id: number;
  goto: string;
  active: number;
  privateComment: string | null;
}

function groupAliasComment(displayName: string): string {
  return `mailcow-scim: SCIM group ${displayName}`.slice(0, MAX_COMMENT);
}

/**
 * The members with their mailbox state, read with shared locks: under REPEATABLE READ a plain
 * read could return an older snapshot, and a member's concurrent deactivation would be lost.
 */
async function memberStates(db: Queryable, groupId: string): Promise<MemberState[]> {
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT gm.user_id, gm.sender_acl_id, u.mailbox, m.active
       FROM mailcow_scim_group_members gm
       JOIN mailcow_scim_users u ON u.id = gm.user_id
       JOIN mailbox m ON m.username = u.mailbox
      WHERE gm.group_id = ?
      LOCK IN SHARE MODE`,
    [groupId],
  );
  return rows.map((r) => ({ userId: String(r.user_id), mailbox: String(r.mailbox), active: Number(r.active), senderAclId: r.sender_acl_id === null ? null : Number(r.sender_acl_id) }));
}

async function lockAlias(db: Queryable, address: string): Promise<AliasRow | undefined> {
  const [rows] = await db.execute<RowDataPacket[]>(`SELECT id, goto, active, private_comment FROM alias WHERE address = ? FOR UPDATE`, [address]);
  const r = rows[0];
  return r ? { id: Number(r.id), goto: String(r.goto), active: Number(r.active), privateComment: r.private_comment === null ? null : String(r.private_comment) } : undefined;
}

/**
 * Which group owns `address` (undefined: none, or not a group). Every read in this file locks
 * what it reads: the transactions that call it may hold an older REPEATABLE READ snapshot than
 * the rows a concurrent change just committed, and a plain read would miss them.
 */
async function owningGroup(db: Queryable, address: string): Promise<string | undefined> {
  const [rows] = await db.execute<RowDataPacket[]>(`SELECT group_id FROM mailcow_scim_owned_aliases WHERE address = ? LOCK IN SHARE MODE`, [address]);
  return rows[0]?.group_id === null || rows[0] === undefined ? undefined : String(rows[0].group_id);
}

function gotoList(goto: string): string[] {
  return goto
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The goto of a group's alias: active members' mailboxes (mailbox.active 1), each once, sorted. */
function gotoOf(members: readonly { mailbox: string; active: number }[]): string[] {
  return [...new Set(members.filter((m) => m.active === 1).map((m) => m.mailbox))].sort();
}

/** Removes the alias row and its ownership record when (and only when) `groupId` owns it. */
async function dropOwnedAlias(db: Queryable, groupId: string, address: string): Promise<string[]> {
  if ((await owningGroup(db, address)) !== groupId) return [];
  const row = await lockAlias(db, address);
  await db.execute(`DELETE FROM alias WHERE address = ?`, [address]);
  await db.execute(`DELETE FROM mailcow_scim_owned_aliases WHERE address = ?`, [address]);
  return row && row.active === 1 ? gotoList(row.goto) : [];
}

/**
 * Brings the group's alias, goto and sender ACL rows in line with its members and `target`.
 * Call it inside the transaction that changed the group or a member, with the group row
 * locked. Throws 409 uniqueness when the address belongs to anything but this group.
 */
export async function syncGroupAlias(db: Queryable, target: GroupAliasTarget): Promise<GroupAliasResult> {
  const members = await memberStates(db, target.groupId);
  const goto = gotoOf(members);
  const gotoBytes = Buffer.byteLength(goto.join(','));
  if (target.address && gotoBytes > MAX_GOTO_BYTES) {
    throw ScimError.invalidValue(
      `The alias ${target.address} would list ${goto.length} active members (${gotoBytes} bytes); mailcow's alias.goto holds at most ${MAX_GOTO_BYTES} bytes. Split the group.`,
    );
  }
  const sogo = new Set<string>();
  const wasActive = target.previous !== null && (await owningGroup(db, target.previous)) === target.groupId && (await lockAlias(db, target.previous))?.active === 1;

  if (target.previous && target.previous !== target.address) {
    for (const m of await dropOwnedAlias(db, target.groupId, target.previous)) sogo.add(m);
  }

  let aliasActive = false;
  if (target.address) {
    const address = target.address;
    const active = goto.length > 0 ? 1 : 0;
    const comment = groupAliasComment(target.displayName);
    const row = await lockAlias(db, address);
    const owner = row ? await owningGroup(db, address) : undefined;
    if (row && owner === target.groupId) {
      const before = row.active === 1 ? gotoList(row.goto) : [];
      if (row.goto !== goto.join(',') || row.active !== active || row.privateComment !== comment) {
        await db.execute(`UPDATE alias SET goto = ?, active = ?, private_comment = ? WHERE id = ?`, [goto.join(','), active, comment, row.id]);
      }
      const after = active === 1 ? goto : [];
      // Only mailboxes that joined or left the visible list see their SOGo row change.
      for (const m of before) if (!after.includes(m)) sogo.add(m);
      for (const m of after) if (!before.includes(m)) sogo.add(m);
    } else {
      const why = await aliasConflict(db, address, { groupId: target.groupId });
      if (why || row) throw ScimError.uniqueness(`The group cannot own the alias ${address}: ${why ?? `${address} is an existing alias`}.`);
      const domain = address.split('@')[1]!;
      await checkAliasRoom(db, domain, 1);
      // mailbox('add','alias') column list; public_comment stays NULL as for user aliases.
      await db.execute(
        `INSERT INTO alias (address, goto, domain, private_comment, sogo_visible, internal, sender_allowed, active) VALUES (?, ?, ?, ?, 1, 0, 0, ?)`,
        [address, goto.join(','), domain, comment, active],
      );
      // An ownership record can outlive its alias (an admin deleted the row in mailcow's UI):
      // the alias is made again, and the record follows.
      await db.execute(
        `INSERT INTO mailcow_scim_owned_aliases (address, token_id, kind, user_id, group_id, created_at) VALUES (?, ?, 'group', NULL, ?, ?)
         ON DUPLICATE KEY UPDATE token_id = VALUES(token_id), kind = VALUES(kind), user_id = NULL, group_id = VALUES(group_id)`,
        [address, target.tokenId, target.groupId, toDbTime(nowIso())],
      );
      if (active === 1) for (const m of goto) sogo.add(m);
    }
    aliasActive = active === 1;
  }

  if (target.senderAcl !== 'keep') await syncSenderAcl(db, { ...target, senderAcl: target.senderAcl }, members);
  return { aliasActive, flipped: aliasActive !== wasActive, sogo: [...sogo] };
}

/**
 * One sender_acl row (send_as = group address, logged_in_as = member mailbox) per active
 * member when the policy allows it; rows the sidecar made that are no longer wanted go.
 */
async function syncSenderAcl(db: Queryable, target: GroupAliasTarget & { senderAcl: boolean }, members: MemberState[]): Promise<void> {
  const address = target.address;
  const ids = members.map((m) => m.senderAclId).filter((id): id is number => id !== null);
  const existing = new Map<number, { loggedInAs: string; sendAs: string; external: number }>();
  if (ids.length) {
    const [rows] = await db.query<RowDataPacket[]>(`SELECT id, logged_in_as, send_as, external FROM sender_acl WHERE id IN (?) FOR UPDATE`, [ids]);
    for (const r of rows) existing.set(Number(r.id), { loggedInAs: String(r.logged_in_as), sendAs: String(r.send_as), external: Number(r.external) });
  }
  const adminRows = new Set<string>();
  if (address && target.senderAcl) {
    const [rows] = await db.execute<RowDataPacket[]>(`SELECT id, logged_in_as FROM sender_acl WHERE send_as = ? AND external = 0 LOCK IN SHARE MODE`, [address]);
    const ours = new Set(ids);
    for (const r of rows) if (!ours.has(Number(r.id))) adminRows.add(String(r.logged_in_as));
  }
  const drop: number[] = [];
  const release: string[] = [];
  const grant: MemberState[] = [];
  for (const m of members) {
    const want = address !== null && target.senderAcl && m.active === 1;
    const row = m.senderAclId === null ? undefined : existing.get(m.senderAclId);
    const valid = row !== undefined && row.loggedInAs === m.mailbox && row.sendAs === address && row.external === 0;
    if (want && valid) continue;
    if (m.senderAclId !== null) {
      // Ours only while it still says what we wrote (an admin may have edited or removed it).
      if (row && row.loggedInAs === m.mailbox && (row.sendAs === address || row.sendAs === target.previous)) drop.push(m.senderAclId);
      release.push(m.userId);
    }
    if (want && !adminRows.has(m.mailbox)) grant.push(m);
  }
  // In batches: a list of thousands must not cost thousands of round trips.
  for (let i = 0; i < drop.length; i += BATCH) await db.query(`DELETE FROM sender_acl WHERE id IN (?)`, [drop.slice(i, i + BATCH)]);
  for (let i = 0; i < release.length; i += BATCH) {
    await db.query(`UPDATE mailcow_scim_group_members SET sender_acl_id = NULL WHERE group_id = ? AND user_id IN (?)`, [target.groupId, release.slice(i, i + BATCH)]);
  }
  for (let i = 0; i < grant.length; i += BATCH) {
    const batch = grant.slice(i, i + BATCH);
    // mailcow's mailbox edit inserts (send_as, logged_in_as); external keeps its default 0.
    const [res] = await db.query<ResultSetHeader>(`INSERT INTO sender_acl (send_as, logged_in_as) VALUES ?`, [batch.map((m) => [address, m.mailbox])]);
    // The new rows' ids are at least the first one the statement got; each member's row is
    // found by its mailbox (admins' rows for these mailboxes were excluded above).
    await db.query(
      `UPDATE mailcow_scim_group_members gm JOIN mailcow_scim_users u ON u.id = gm.user_id
          JOIN sender_acl s ON s.logged_in_as = u.mailbox AND s.send_as = ? AND s.external = 0 AND s.id >= ?
          SET gm.sender_acl_id = s.id
        WHERE gm.group_id = ? AND gm.user_id IN (?)`,
      [address, res.insertId, target.groupId, batch.map((m) => m.userId)],
    );
  }
}

/**
 * Takes members out of a group: the sender_acl rows made for them first (by id, only while
 * they still grant what we wrote), then the membership rows.
 */
export async function removeMemberships(db: Queryable, groupId: string, userIds: readonly string[]): Promise<void> {
  for (let i = 0; i < userIds.length; i += BATCH) {
    const batch = userIds.slice(i, i + BATCH);
    await db.query(
      `DELETE s FROM sender_acl s
         JOIN mailcow_scim_group_members gm ON gm.sender_acl_id = s.id
         JOIN mailcow_scim_users u ON u.id = gm.user_id
         JOIN mailcow_scim_groups g ON g.id = gm.group_id
        WHERE gm.group_id = ? AND gm.user_id IN (?) AND s.logged_in_as = u.mailbox AND s.send_as = g.address`,
      [groupId, batch],
    );
    await db.query(`DELETE FROM mailcow_scim_group_members WHERE group_id = ? AND user_id IN (?)`, [groupId, batch]);
  }
}

/** Deleting a group: its sender_acl rows and its alias go, nothing else. Returns SOGo rows to refresh. */
export async function removeGroupAlias(db: Queryable, groupId: string, address: string | null): Promise<string[]> {
  const [rows] = await db.execute<RowDataPacket[]>(`SELECT user_id FROM mailcow_scim_group_members WHERE group_id = ? FOR UPDATE`, [groupId]);
  await removeMemberships(db, groupId, rows.map((r) => String(r.user_id)));
  return address ? dropOwnedAlias(db, groupId, address) : [];
}
