/**
 * Group creates, updates and deletes inside their change. Every change locks the group row
 * first (a create's row is new), so concurrent membership PATCHes of a group are serialised
 * and none is lost; then its members' rows (the lock order of ports.ts).
 */
import { templateRulesReadGroups } from '../provisioning/index.js';
import { ScimError } from '../scim/scim-error.js';
import type { ChangeTx } from '../unit-of-work/index.js';
import type { Caller, GroupChange, GroupReadOptions, NewGroup, StoredGroup } from './ports.js';

/** Applies a member again inside the group's change (UserService.reapplyWithin). */
export interface MemberReapplier {
  reapplyWithin(tx: ChangeTx, caller: Caller, userId: string): Promise<void>;
}

/** Most member ids named in one error detail. */
const MAX_NAMED = 10;

export async function createGroup(tx: ChangeTx, caller: Caller, group: NewGroup, members: MemberReapplier): Promise<StoredGroup> {
  await assertMembers(tx, group.members);
  await tx.groups.insert(group);
  await tx.groups.addMembers(group.id, group.members);
  await tx.groups.syncAlias({
    groupId: group.id,
    tokenId: caller.token.id,
    address: group.address?.address ?? null,
    previous: null,
    senderAcl: caller.token.policy.groupSenderAcl,
    displayName: group.displayName,
  });
  if (group.address) await tx.groups.setAddress(group.id, group.address);
  await membersChanged(tx, caller, group.members, members);
  tx.audit({ resourceType: 'Group', operation: 'create', resourceId: group.id, mailbox: group.address?.address ?? null, status: 201, detail: `${group.members.length} members` });
  return (await tx.groups.read(group.id, { members: true }))!;
}

/** `compute` turns the locked group (with its members) into the change; throwing aborts everything. */
export async function updateGroup(
  tx: ChangeTx,
  caller: Caller,
  id: string,
  compute: (current: StoredGroup) => GroupChange,
  members: MemberReapplier,
  options: GroupReadOptions,
): Promise<StoredGroup> {
  const current = await tx.groups.lock(id);
  const next = compute(current);
  const before = new Set((current.members ?? []).map((m) => m.value));
  const after = new Set(next.members);
  const added = next.members.filter((m) => !before.has(m));
  const removed = [...before].filter((m) => !after.has(m));
  // A rename changes every member's `groups.display` (and what rules on it match).
  const renamed = next.displayName !== current.displayName;
  const touched = renamed ? [...new Set([...before, ...added])] : [...added, ...removed];
  // The members' rows before any membership row: a concurrent group create holds its members'
  // rows while it inserts memberships, and the other order deadlocked with it.
  await tx.users.lockRows(touched);
  await assertMembers(tx, added);
  await tx.groups.removeMembers(id, removed);
  await tx.groups.addMembers(id, added);
  const address = next.address?.address ?? null;
  await tx.groups.syncAlias({ groupId: id, tokenId: caller.token.id, address, previous: current.address, senderAcl: caller.token.policy.groupSenderAcl, displayName: next.displayName });
  await tx.groups.update(id, next);
  await membersChanged(tx, caller, touched, members);
  const detail = `members +${added.length} -${removed.length}${address !== current.address ? `; address ${current.address ?? 'none'} → ${address ?? 'none'}` : ''}`;
  tx.audit({ resourceType: 'Group', operation: 'update', resourceId: id, mailbox: address, status: 200, detail });
  return (await tx.groups.read(id, options))!;
}

export async function removeGroup(tx: ChangeTx, caller: Caller, id: string, check: (current: StoredGroup) => void, members: MemberReapplier): Promise<void> {
  const current = await tx.groups.lock(id);
  check(current);
  await tx.users.lockRows((current.members ?? []).map((m) => m.value));
  await tx.groups.removeAlias(id, current.address);
  await tx.groups.delete(id);
  await membersChanged(tx, caller, (current.members ?? []).map((m) => m.value), members);
  tx.audit({ resourceType: 'Group', operation: 'delete', resourceId: id, mailbox: current.address, status: 204, detail: current.address ? `alias ${current.address} removed` : null });
}

/** Members must be Users the token can see, locked (ports.ts lock order); invalidValue naming the others (nothing is applied). */
async function assertMembers(tx: ChangeTx, ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  const found = await tx.users.lockVisible(ids);
  const unknown = ids.filter((id) => !found.has(id));
  if (unknown.length) {
    const named = unknown.slice(0, MAX_NAMED).map((id) => `"${id}"`).join(', ');
    const more = unknown.length > MAX_NAMED ? ` and ${unknown.length - MAX_NAMED} more` : '';
    throw ScimError.invalidValue(`Unknown members: ${named}${more} ${unknown.length === 1 ? 'is' : 'are'} not the id of a User of this token; nothing was changed.`);
  }
}

/**
 * Members who joined or left: their `groups` attribute changed. With template rules on
 * `groups`, each is applied again like a PATCH without changes (a rule may now pick another
 * template); otherwise only their version moves (the representation changed), so a large
 * group's change stays one statement. Sorted: a fixed lock order.
 */
async function membersChanged(tx: ChangeTx, caller: Caller, userIds: readonly string[], members: MemberReapplier): Promise<void> {
  if (!userIds.length) return;
  const ids = [...userIds].sort();
  if (!templateRulesReadGroups(caller.token.policy)) {
    await tx.users.touch(ids);
    return;
  }
  const visible = await tx.users.visible(ids);
  for (const id of ids) if (visible.has(id)) await members.reapplyWithin(tx, caller, id);
  const others = ids.filter((id) => !visible.has(id));
  if (others.length) await tx.users.touch(others);
}
