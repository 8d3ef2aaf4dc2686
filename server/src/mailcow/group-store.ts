/**
 * The GroupStore port on mailcow's MariaDB: a SCIM group is a row in mailcow_scim_groups, its
 * members rows in mailcow_scim_group_members (Users of the same token), and, when it has an
 * address, a mailcow alias whose goto is the active members (group-aliases.ts). Every change is
 * one transaction that starts by locking the group row, so concurrent membership PATCHes of a
 * group are serialised and none is lost; SOGo view rows and the memcached flush follow commit.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { GroupAddressSource, GroupMember, GroupReadOptions, GroupStore, NewGroup, StoredGroup, GroupChange } from '../groups/index.js';
import type { Logger } from '../logging.js';
import { ScimError } from '../scim/index.js';
import { foldCase } from '../scim/case-fold.js';
import type { Caller, ListQuery, ListResult, StoredUser, UserChange } from '../users/index.js';
import type { WriteGuard } from './database-state.js';
import { fromDbTime, nowIso, toDbTime } from './db-time.js';
import { removeGroupAlias, removeMemberships, syncGroupAlias } from './group-aliases.js';
import { groupListSource } from './group-query.js';
import type { DatabasePool } from './queryable.js';
import { listResourceIds } from './resource-list.js';
import type { MailboxEffects, MailcowSideEffects } from './side-effects.js';
import type { MailcowUserStore } from './user-store.js';
import { runChange, type AuditSink } from './change.js';
import { assertFitsColumn } from './column-limits.js';

export interface GroupStoreDeps {
  pool: DatabasePool;
  guard: WriteGuard;
  effects: MailcowSideEffects;
  logger: Logger;
  mailcowUiLog: boolean;
  /** The users' store, to re-apply members inside a membership change's transaction. */
  users: Pick<MailcowUserStore, 'updateWithin'>;
  /** What a user means after its groups changed (UserService.reevaluate). */
  reevaluate: (caller: Caller, current: StoredUser) => UserChange;
}

interface GroupRow extends RowDataPacket {
  id: string;
  token_id: string;
  display_name: string;
  external_id: string | null;
  address: string | null;
  address_source: string | null;
  resource: string;
  version: number;
  created_at: string;
  last_modified: string;
  a_active: number | null;
}

// aliasActive is read from the alias row itself, so it is true only while mailcow has it active.
const SELECT_GROUP = `SELECT g.id, g.token_id, g.display_name, g.external_id, g.address, g.address_source, g.resource, g.version, g.created_at, g.last_modified,
  a.active AS a_active
  FROM mailcow_scim_groups g LEFT JOIN alias a ON a.address = g.address`;

/** Most member ids named in one error detail. */
const MAX_NAMED = 10;

function userScope(caller: Caller): { sql: string; params: unknown[] } {
  // Members are Users this token can see: its own, in the domains it manages now.
  const domains = caller.token.policy.domains.length ? caller.token.policy.domains : [''];
  return { sql: `u.token_id = ? AND u.domain IN (${domains.map(() => '?').join(', ')})`, params: [caller.token.id, ...domains] };
}

export class MailcowGroupStore implements GroupStore {
  constructor(private readonly deps: GroupStoreDeps) {}

  /** One change through runChange (guard, transaction, audit, side effects). */
  private change<T>(caller: Caller, fn: (conn: PoolConnection, effects: MailboxEffects, audit: AuditSink) => Promise<T>): Promise<T> {
    return runChange(this.deps, caller, 'Group', fn);
  }

  async get(caller: Caller, id: string, options: GroupReadOptions): Promise<StoredGroup | undefined> {
    return this.read(this.deps.pool, caller, id, options);
  }

  private async read(db: DatabasePool | PoolConnection, caller: Caller, id: string, options: GroupReadOptions): Promise<StoredGroup | undefined> {
    const [rows] = await db.query<GroupRow[]>(`${SELECT_GROUP} WHERE g.id = ? AND g.token_id = ?`, [id, caller.token.id]);
    if (!rows[0]) return undefined;
    return (await this.hydrate(db, rows, options))[0];
  }

  async list(caller: Caller, q: ListQuery, options: GroupReadOptions): Promise<ListResult<StoredGroup>> {
    const page = await listResourceIds(this.deps.pool, groupListSource(caller), q);
    if (!page.ids.length) return { total: page.total, items: [], positions: [], more: page.more };
    const [rows] = await this.deps.pool.query<GroupRow[]>(`${SELECT_GROUP} WHERE g.id IN (?)`, [page.ids]);
    const byId = new Map((await this.hydrate(this.deps.pool, rows, options)).map((g) => [g.id, g]));
    // A group deleted between the two reads is left out; its position goes with it.
    const kept = page.ids.map((id, i) => ({ group: byId.get(id), position: page.positions[i]! })).filter((e) => e.group);
    return { total: page.total, items: kept.map((e) => e.group!), positions: kept.map((e) => e.position), more: page.more };
  }

  private async hydrate(db: DatabasePool | PoolConnection, rows: GroupRow[], options: GroupReadOptions): Promise<StoredGroup[]> {
    const members = options.members ? await this.membersOf(db, rows.map((r) => r.id)) : undefined;
    return rows.map((r) => ({
      id: r.id,
      tokenId: r.token_id,
      displayName: r.display_name,
      externalId: r.external_id,
      resource: JSON.parse(r.resource) as Record<string, unknown>,
      version: Number(r.version),
      created: fromDbTime(r.created_at)!,
      lastModified: fromDbTime(r.last_modified)!,
      address: r.address,
      addressSource: r.address_source as GroupAddressSource | null,
      aliasActive: r.address !== null && Number(r.a_active) === 1,
      ...(members ? { members: members.get(r.id) ?? [] } : {}),
    }));
  }

  /** Members in the order they joined (and were listed); display is the user's displayName, else its userName. */
  private async membersOf(db: DatabasePool | PoolConnection, groupIds: string[]): Promise<Map<string, GroupMember[]>> {
    const out = new Map<string, GroupMember[]>();
    if (!groupIds.length) return out;
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

  /** Locks the group row first (every group change does, in the same order), then reads it with its members. */
  private async lockGroup(conn: PoolConnection, caller: Caller, id: string): Promise<StoredGroup> {
    const [locked] = await conn.query<RowDataPacket[]>(`SELECT id FROM mailcow_scim_groups WHERE id = ? AND token_id = ? FOR UPDATE`, [id, caller.token.id]);
    if (!locked[0]) throw ScimError.notFound(`No Group with id "${id}".`);
    const [rows] = await conn.query<GroupRow[]>(`${SELECT_GROUP} WHERE g.id = ?`, [id]);
    return (await this.hydrate(conn, rows, { members: true }))[0]!;
  }

  /**
   * Which of `ids` are Users this token can see; invalidValue naming the others (nothing is
   * applied). A locking read (group first, then its members, the lock order of every change):
   * a user deleted concurrently is either gone here (invalidValue) or waits for this change;
   * a plain read saw it, and the membership INSERT then failed its foreign key with a 500.
   * Exclusive, because membersChanged updates these rows later in the change anyway: with a
   * shared lock two group changes naming one member both held it and then deadlocked on the
   * update, often enough under concurrency to exhaust the retries. By primary key only: the
   * optimizer may pick the scope index, and a locking read then locks every user it scans.
   */
  private async assertMembers(conn: PoolConnection, caller: Caller, ids: string[]): Promise<void> {
    if (!ids.length) return;
    const scope = userScope(caller);
    const found = new Set<string>();
    for (let i = 0; i < ids.length; i += 1000) {
      const [rows] = await conn.query<RowDataPacket[]>(`SELECT u.id FROM mailcow_scim_users u FORCE INDEX (PRIMARY) WHERE u.id IN (?) AND ${scope.sql} ORDER BY u.id FOR UPDATE`, [ids.slice(i, i + 1000), ...scope.params]);
      for (const r of rows) found.add(String(r.id).toLowerCase());
    }
    const unknown = ids.filter((id) => !found.has(id));
    if (unknown.length) {
      const named = unknown.slice(0, MAX_NAMED).map((id) => `"${id}"`).join(', ');
      const more = unknown.length > MAX_NAMED ? ` and ${unknown.length - MAX_NAMED} more` : '';
      throw ScimError.invalidValue(`Unknown members: ${named}${more} ${unknown.length === 1 ? 'is' : 'are'} not the id of a User of this token; nothing was changed.`);
    }
  }

  /**
   * Locks the user rows a group change will update (membersChanged), before it touches any
   * membership row: a concurrent group create holds its members' rows while it inserts
   * memberships, so taking them the other way round (memberships first) deadlocked with it.
   * Sorted, by primary key: the same order for every change.
   */
  private async lockUsers(conn: PoolConnection, userIds: string[]): Promise<void> {
    const ids = [...new Set(userIds)].sort();
    for (let i = 0; i < ids.length; i += 1000) {
      await conn.query(`SELECT id FROM mailcow_scim_users FORCE INDEX (PRIMARY) WHERE id IN (?) ORDER BY id FOR UPDATE`, [ids.slice(i, i + 1000)]);
    }
  }

  private async addMemberships(conn: PoolConnection, caller: Caller, groupId: string, userIds: string[]): Promise<void> {
    const now = toDbTime(nowIso());
    for (let i = 0; i < userIds.length; i += 1000) {
      await conn.query(`INSERT INTO mailcow_scim_group_members (group_id, user_id, token_id, sender_acl_id, added_at) VALUES ?`, [
        userIds.slice(i, i + 1000).map((u) => [groupId, u, caller.token.id, null, now]),
      ]);
    }
  }

  /**
   * Members who joined or left: their `groups` attribute changed. With template rules on
   * `groups`, each is re-applied like a PATCH without changes (a rule may now pick another
   * template); otherwise only their version moves (the representation changed). A rule that
   * does not name `groups` (in any spelling, URN-qualified or not) cannot change its answer, so
   * a large group's change stays one statement. Sorted: a fixed lock order.
   */
  private async membersChanged(conn: PoolConnection, caller: Caller, userIds: string[], effects: MailboxEffects, audit: AuditSink): Promise<void> {
    if (!userIds.length) return;
    const ids = [...userIds].sort();
    if (!caller.token.policy.templateRules.some((r) => /groups/i.test(r.filter))) {
      await conn.query(`UPDATE mailcow_scim_users SET version = version + 1, last_modified = ? WHERE id IN (?)`, [toDbTime(nowIso()), ids]);
      return;
    }
    const scope = userScope(caller);
    const [visible] = await conn.query<RowDataPacket[]>(`SELECT u.id FROM mailcow_scim_users u WHERE u.id IN (?) AND ${scope.sql}`, [ids, ...scope.params]);
    const inScope = new Set(visible.map((r) => String(r.id)));
    const userAudit: AuditSink = (e) => audit({ resourceType: 'User', detail: 'group membership changed', ...e });
    for (const id of ids) {
      if (inScope.has(id)) await this.deps.users.updateWithin(conn, caller, id, (current) => this.deps.reevaluate(caller, current), effects, userAudit);
    }
    const others = ids.filter((id) => !inScope.has(id));
    if (others.length) await conn.query(`UPDATE mailcow_scim_users SET version = version + 1, last_modified = ? WHERE id IN (?)`, [toDbTime(nowIso()), others]);
  }

  async create(caller: Caller, group: NewGroup): Promise<StoredGroup> {
    // displayName is cut to its column (the resource keeps it whole); externalId is matched exactly, so it must fit.
    assertFitsColumn(group.externalId, 'externalId');
    return this.change(caller, async (conn, effects, audit) => {
      await this.assertMembers(conn, caller, group.members);
      const now = toDbTime(nowIso());
      await conn.execute(
        `INSERT INTO mailcow_scim_groups (id, token_id, display_name, display_name_lc, external_id, address, address_source, resource, version, created_at, last_modified)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
        [
          group.id,
          caller.token.id,
          group.displayName.slice(0, 255),
          foldCase(group.displayName).slice(0, 255),
          group.externalId,
          // The address is set once the alias is ours (below), so a taken one gets the 409 that names it.
          null,
          null,
          JSON.stringify(group.resource),
          now,
          now,
        ],
      );
      await this.addMemberships(conn, caller, group.id, group.members);
      const alias = await syncGroupAlias(conn, {
        groupId: group.id,
        tokenId: caller.token.id,
        address: group.address?.address ?? null,
        previous: null,
        senderAcl: caller.token.policy.groupSenderAcl,
        displayName: group.displayName,
      });
      effects.sogo.push(...alias.sogo);
      if (group.address) {
        await conn.execute(`UPDATE mailcow_scim_groups SET address = ?, address_source = ? WHERE id = ?`, [group.address.address, group.address.source, group.id]);
      }
      await this.membersChanged(conn, caller, group.members, effects, audit);
      audit({ operation: 'create', resourceId: group.id, mailbox: group.address?.address ?? null, status: 201, detail: `${group.members.length} members` });
      // Read before the commit, as in update().
      return (await this.read(conn, caller, group.id, { members: true }))!;
    });
  }

  async update(caller: Caller, id: string, compute: (current: StoredGroup) => GroupChange, options: GroupReadOptions): Promise<StoredGroup> {
    return this.change(caller, async (conn, effects, audit) => {
      const current = await this.lockGroup(conn, caller, id);
      const next = compute(current);
      assertFitsColumn(next.externalId, 'externalId');
      const before = new Set((current.members ?? []).map((m) => m.value));
      const after = new Set(next.members);
      const added = next.members.filter((m) => !before.has(m));
      const removed = [...before].filter((m) => !after.has(m));
      // A rename changes every member's `groups.display` (and what rules on it match).
      const renamed = next.displayName !== current.displayName;
      const touched = renamed ? [...new Set([...before, ...added])] : [...added, ...removed];
      await this.lockUsers(conn, touched);
      await this.assertMembers(conn, caller, added);
      await removeMemberships(conn, id, removed);
      await this.addMemberships(conn, caller, id, added);
      const address = next.address?.address ?? null;
      const alias = await syncGroupAlias(conn, {
        groupId: id,
        tokenId: caller.token.id,
        address,
        previous: current.address,
        senderAcl: caller.token.policy.groupSenderAcl,
        displayName: next.displayName,
      });
      effects.sogo.push(...alias.sogo);
      await conn.execute(
        `UPDATE mailcow_scim_groups SET display_name = ?, display_name_lc = ?, external_id = ?, address = ?, address_source = ?, resource = ?, version = version + 1, last_modified = ? WHERE id = ?`,
        [
          next.displayName.slice(0, 255),
          foldCase(next.displayName).slice(0, 255),
          next.externalId,
          address,
          next.address?.source ?? null,
          JSON.stringify(next.resource),
          toDbTime(nowIso()),
          id,
        ],
      );
      await this.membersChanged(conn, caller, touched, effects, audit);
      const detail = `members +${added.length} -${removed.length}${address !== current.address ? `; address ${current.address ?? 'none'} → ${address ?? 'none'}` : ''}`;
      audit({ operation: 'update', resourceId: id, mailbox: address, status: 200, detail });
      // The answer is read before the commit, while the group row is locked: read after it, a
      // DELETE committed in between left nothing to read and the PUT/PATCH answered 500.
      return (await this.read(conn, caller, id, options))!;
    });
  }

  async remove(caller: Caller, id: string, check: (current: StoredGroup) => void): Promise<void> {
    await this.change(caller, async (conn, effects, audit) => {
      const current = await this.lockGroup(conn, caller, id);
      check(current);
      await this.lockUsers(conn, (current.members ?? []).map((m) => m.value));
      effects.sogo.push(...(await removeGroupAlias(conn, id, current.address)));
      await conn.execute(`DELETE FROM mailcow_scim_groups WHERE id = ?`, [id]);
      await this.membersChanged(conn, caller, (current.members ?? []).map((m) => m.value), effects, audit);
      audit({ operation: 'delete', resourceId: id, mailbox: current.address, status: 204, detail: current.address ? `alias ${current.address} removed` : null });
    });
  }
}
