/**
 * mailcow_scim_groups and mailcow_scim_group_members: a SCIM group is a row, its members rows
 * (Users of the same token), and, when it has an address, a mailcow alias whose goto is the
 * active members (group-aliases.ts). Read here for the reads and for a change (the GroupRows
 * port); written only inside a change.
 */
import type { RowDataPacket } from 'mysql2';
import type { PoolConnection } from 'mysql2/promise';
import type { GroupAddress, GroupAddressSource, GroupAliasTarget, GroupChange, GroupMember, GroupReadOptions, GroupRows, MemberGroup, NewGroup, StoredGroup } from '../groups/ports.js';
import { foldCase } from '../scim/case-fold.js';
import { ScimError } from '../scim/index.js';
import type { Caller } from '../users/ports.js';
import { assertFitsColumn } from './column-limits.js';
import { nowIso, toDbTime } from './db-time.js';
import { removeGroupAlias, removeMemberships, syncGroupAlias } from './group-aliases.js';
import type { Queryable } from './queryable.js';
import { resourceFields, type ResourceRow } from './resource-row.js';
import { insertVersionedRow, updateVersionedRow, type Columns } from './row-columns.js';
import { groupLookup } from './group-members.js';
import type { PendingEffects } from './side-effects.js';
import type { TxReads } from './tx-reads.js';

export interface GroupRow extends ResourceRow {
  display_name: string;
  address: string | null;
  address_source: string | null;
  a_active: number | null;
}

// aliasActive is read from the alias row itself, so it is true only while mailcow has it active.
/** A group's columns with its alias's state, over GROUP_JOINS (also a list page's shape). */
export const GROUP_COLUMNS = `g.id, g.token_id, g.display_name, g.external_id, g.address, g.address_source, g.resource, g.version, g.created_at, g.last_modified,
  a.active AS a_active`;
export const GROUP_JOINS = 'LEFT JOIN alias a ON a.address = g.address';
const SELECT_GROUP = `SELECT ${GROUP_COLUMNS} FROM mailcow_scim_groups g ${GROUP_JOINS}`;

/** Rows per membership INSERT. */
const BATCH = 1000;

/** Groups matching `where` (over SELECT_GROUP's aliases), with their members when asked. */
export async function selectGroups(db: Queryable, where: string, params: unknown[], options: GroupReadOptions): Promise<StoredGroup[]> {
  const [rows] = await db.query<GroupRow[]>(`${SELECT_GROUP} WHERE ${where}`, params);
  return storedGroups(db, rows, options);
}

/** Rows of GROUP_COLUMNS as the use cases see them, with their members (one more statement) when asked. */
export async function storedGroups(db: Queryable, rows: GroupRow[], options: GroupReadOptions): Promise<StoredGroup[]> {
  if (!rows.length) return [];
  const members = options.members ? await membersOf(db, rows.map((r) => r.id)) : undefined;
  return rows.map((r) => ({
    ...resourceFields(r),
    displayName: r.display_name,
    address: r.address,
    addressSource: r.address_source as GroupAddressSource | null,
    aliasActive: r.address !== null && Number(r.a_active) === 1,
    ...(members ? { members: members.get(r.id) ?? [] } : {}),
  }));
}

/** Members in the order they joined (and were listed); display is the user's displayName, else its userName. */
async function membersOf(db: Queryable, groupIds: string[]): Promise<Map<string, GroupMember[]>> {
  const out = new Map<string, GroupMember[]>();
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT gm.group_id, gm.user_id, u.display_name, u.user_name FROM mailcow_scim_group_members gm JOIN mailcow_scim_users u ON u.id = gm.user_id
      WHERE gm.group_id IN (?) ORDER BY gm.seq`,
    [groupIds],
  );
  for (const r of rows) {
    const list = out.get(String(r.group_id)) ?? [];
    list.push({ value: String(r.user_id), display: String(r.display_name ?? r.user_name) });
    out.set(String(r.group_id), list);
  }
  return out;
}

/** The columns a group's change sets: one list for the INSERT and the UPDATE. */
function changeColumns(g: Pick<GroupChange, 'displayName' | 'externalId' | 'resource'>): Columns {
  // displayName is cut to its column (the resource keeps it whole); externalId is matched exactly, so it must fit.
  assertFitsColumn(g.externalId, 'externalId');
  return [
    ['display_name', g.displayName.slice(0, 255)],
    ['display_name_lc', foldCase(g.displayName).slice(0, 255)],
    ['external_id', g.externalId],
    ['resource', JSON.stringify(g.resource)],
  ];
}

export class SqlGroupRows implements GroupRows {
  constructor(
    private readonly conn: PoolConnection,
    private readonly caller: Caller,
    private readonly effects: PendingEffects,
    private readonly reads: TxReads,
  ) {}

  async lock(id: string): Promise<StoredGroup> {
    const [locked] = await this.conn.query<RowDataPacket[]>(`SELECT id FROM mailcow_scim_groups WHERE id = ? AND token_id = ? FOR UPDATE`, [id, this.caller.token.id]);
    if (!locked[0]) throw ScimError.notFound(`No Group with id "${id}".`);
    return (await selectGroups(this.conn, 'g.id = ?', [id], { members: true }))[0]!;
  }

  async read(id: string, options: GroupReadOptions): Promise<StoredGroup | undefined> {
    return (await selectGroups(this.conn, 'g.id = ? AND g.token_id = ?', [id, this.caller.token.id], options))[0];
  }

  async insert(group: NewGroup): Promise<void> {
    const now = toDbTime(nowIso());
    await insertVersionedRow(this.conn, 'mailcow_scim_groups', { id: group.id, tokenId: this.caller.token.id, now }, [
      ...changeColumns(group),
      // The address is set once the alias is the group's (setAddress), so a taken one gets the 409 that names it.
      ['address', null],
      ['address_source', null],
    ]);
  }

  async setAddress(id: string, address: GroupAddress): Promise<void> {
    await this.conn.execute(`UPDATE mailcow_scim_groups SET address = ?, address_source = ? WHERE id = ?`, [address.address, address.source, id]);
  }

  async update(id: string, change: GroupChange): Promise<void> {
    const columns: Columns = [...changeColumns(change), ['address', change.address?.address ?? null], ['address_source', change.address?.source ?? null]];
    await updateVersionedRow(this.conn, 'mailcow_scim_groups', id, columns, toDbTime(nowIso()));
  }

  async delete(id: string): Promise<void> {
    await this.conn.execute(`DELETE FROM mailcow_scim_groups WHERE id = ?`, [id]);
  }

  async addMembers(groupId: string, userIds: readonly string[]): Promise<void> {
    this.reads.dropGroups();
    const now = toDbTime(nowIso());
    for (let i = 0; i < userIds.length; i += BATCH) {
      await this.conn.query(`INSERT INTO mailcow_scim_group_members (group_id, user_id, token_id, sender_acl_id, added_at) VALUES ?`, [
        userIds.slice(i, i + BATCH).map((u) => [groupId, u, this.caller.token.id, null, now]),
      ]);
    }
  }

  removeMembers(groupId: string, userIds: readonly string[]): Promise<void> {
    this.reads.dropGroups();
    return removeMemberships(this.conn, groupId, userIds);
  }

  async syncAlias(target: GroupAliasTarget): Promise<{ flipped: boolean }> {
    const r = await syncGroupAlias(this.conn, target);
    this.effects.refreshSogo(r.sogo);
    return { flipped: r.flipped };
  }

  async removeAlias(groupId: string, address: string | null): Promise<void> {
    this.effects.refreshSogo(await removeGroupAlias(this.conn, groupId, address));
  }

  async lockGroupsOf(userId: string): Promise<void> {
    // A plain read: a locking read of the membership rows would wait on a group change that
    // holds the group and, through the foreign key, waits on this user's row. It is the read
    // the user's representation lists its groups from, so the user's lock reads them no more.
    const groups = (await groupLookup(this.conn, [userId])).get(userId) ?? [];
    this.reads.putGroups(userId, groups);
    if (groups.length) await this.conn.query(`SELECT id FROM mailcow_scim_groups WHERE id IN (?) ORDER BY id FOR UPDATE`, [groups.map((g) => g.id)]);
  }

  async groupsOf(userId: string): Promise<string[]> {
    const [rows] = await this.conn.query<RowDataPacket[]>(
      // Locking: a membership a group change committed after this transaction's snapshot counts too.
      `SELECT gm.group_id AS id FROM mailcow_scim_group_members gm WHERE gm.user_id = ? ORDER BY gm.group_id LOCK IN SHARE MODE`,
      [userId],
    );
    return rows.map((r) => String(r.id));
  }

  async lockForMember(id: string): Promise<MemberGroup | undefined> {
    const [[g]] = await this.conn.query<RowDataPacket[]>(`SELECT id, token_id, display_name, address FROM mailcow_scim_groups WHERE id = ? FOR UPDATE`, [id]);
    return g ? { id: String(g.id), tokenId: String(g.token_id), displayName: String(g.display_name), address: g.address === null ? null : String(g.address) } : undefined;
  }

  async touch(id: string): Promise<void> {
    await this.conn.execute(`UPDATE mailcow_scim_groups SET version = version + 1, last_modified = ? WHERE id = ?`, [toDbTime(nowIso()), id]);
  }
}
