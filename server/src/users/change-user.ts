/**
 * User updates and removals inside their change, and what a user's groups do when the user
 * changes. Lock order (groups/ports.ts): a user change locks the user's groups first, then the
 * user, then its mailbox and, only when the quota may change, its domain: otherwise every
 * change in a domain would wait for the one before it (docs/performance.md).
 */
import { foldCase } from '../scim/case-fold.js';
import { quotaOrigin, quotaResettles, type QuotaRequest } from '../provisioning/index.js';
import { cloneJson } from '../scim/json-clone.js';
import { ScimError } from '../scim/scim-error.js';
import type { ChangeAudit, ChangeTx } from '../unit-of-work/index.js';
import { aliasNote, syncMailbox, unknownTemplate } from './mailbox-sync.js';
import type { Caller, StoredUser, UserChange } from './ports.js';

/** PUT or PATCH: `compute` turns the locked user into the change (throwing aborts everything). */
export async function updateUser(tx: ChangeTx, caller: Caller, id: string, compute: (current: StoredUser) => UserChange): Promise<StoredUser> {
  await tx.groups.lockGroupsOf(id);
  return changeUser(tx, caller, id, compute);
}

/**
 * A user change whose groups are locked already: by updateUser, or by a group change that
 * applies its members again (`audit` then says why). Returns the user as the change leaves it,
 * built from what was locked and written rather than read back (a GET afterwards answers the
 * same: tests/integration/users/update-response.test.ts).
 */
export async function changeUser(
  tx: ChangeTx,
  caller: Caller,
  id: string,
  compute: (current: StoredUser) => UserChange,
  audit: Partial<ChangeAudit> = {},
): Promise<StoredUser> {
  const current = await tx.users.lock(id);
  const next = compute(current);
  if (foldCase(next.userName) !== foldCase(current.userName)) {
    const owner = await tx.users.userNameOwner(next.userName, id);
    if (owner) throw ScimError.uniqueness(`userName "${next.userName}" is already used by SCIM user ${owner}.`);
  }
  const mailbox = (await tx.mailboxes.lock(current.mailbox.address))!;
  const wanted = { explicitMiB: next.intent.quotaMiB, origin: quotaOrigin(caller.token.policy.quotaSource, next.intent.template !== null) };
  // Before the template is read its name is not known for null (mailcow's first template): lock when it may differ.
  const templateMayChange = next.intent.template === null || next.intent.template !== current.appliedTemplate;
  const early = quotaResettles(wanted, mailbox.quotaBytes, templateMayChange) ? (await tx.domains.lock(mailbox.domain))! : undefined;
  const template = (await tx.settings.template(next.intent.template)) ?? unknownTemplate(next.intent.template);
  const quota: QuotaRequest = { ...wanted, template };
  const written = await syncMailbox(tx, {
    mailbox,
    domain: async () => early ?? (await tx.domains.lock(mailbox.domain))!,
    intent: next.intent,
    previous: { intent: next.previousIntent, template: current.appliedTemplate },
    template,
    claim: false,
    quota,
  });
  if (next.intent.active !== mailbox.active) await followGroups(tx, caller, id, false);
  await tx.aliases.sync(id, mailbox.username, next.intent.aliases, aliasNote(next.userName));
  const lastModified = await tx.users.update(
    id,
    { userName: next.userName, externalId: next.externalId, resource: next.resource, appliedTemplate: template.name },
    current.resource,
  );
  const operation = next.intent.active !== 1 && mailbox.active === 1 ? 'deactivate' : next.intent.active === 1 && mailbox.active !== 1 ? 'reactivate' : 'update';
  tx.audit({ resourceType: 'User', operation, resourceId: id, mailbox: mailbox.username, status: 200, ...audit });
  // The user row is locked, so its version moved by exactly one; the groups are those the lock
  // read, as a read in this transaction would give them; mail usage is untouched by a change.
  return {
    ...current,
    userName: next.userName,
    externalId: next.externalId,
    resource: cloneJson(next.resource),
    version: current.version + 1,
    lastModified,
    appliedTemplate: template.name,
    mailbox: { ...current.mailbox, ...written },
  };
}

/** DELETE: the token's delete mode decides what happens to the mailbox; `check` sees the locked user first. */
export async function removeUser(tx: ChangeTx, caller: Caller, id: string, check: (current: StoredUser) => void): Promise<void> {
  await tx.groups.lockGroupsOf(id);
  const current = await tx.users.lock(id);
  check(current);
  // The user leaves its groups first, so that mailcow's own goto clean-up finds nothing of ours.
  await followGroups(tx, caller, id, true);
  const mailbox = (await tx.mailboxes.lock(current.mailbox.address))!;
  const { onDelete, onDeactivate } = caller.token.policy;
  if (onDelete === 'delete') {
    await tx.aliases.remove(id);
    await tx.mailboxes.delete(mailbox.username);
    tx.audit({ resourceType: 'User', operation: 'delete', resourceId: id, mailbox: mailbox.username, status: 204, detail: 'mailbox deleted (maildir left for mailcow to clean up)' });
    return;
  }
  if (mailbox.active === 1 || (mailbox.active === 2 && onDeactivate === 0)) await tx.mailboxes.update(mailbox, { edit: { active: onDeactivate } });
  // Owned aliases stay (mail to them is handled like mail to the mailbox); a re-hire relinks them.
  await tx.aliases.release(id);
  await tx.users.delete(id);
  tx.audit({ resourceType: 'User', operation: 'unlink', resourceId: id, mailbox: mailbox.username, status: 204, detail: `mailbox kept with active=${onDeactivate}` });
}

/**
 * After the member's mailbox turned (in)active, each of its groups recomputes its goto and
 * sender ACLs; when the member is about to go (`leaving`), it leaves each group first and the
 * groups' versions move.
 */
async function followGroups(tx: ChangeTx, caller: Caller, userId: string, leaving: boolean): Promise<void> {
  for (const id of await tx.groups.groupsOf(userId)) {
    const group = await tx.groups.lockForMember(id);
    if (!group) continue;
    if (leaving) await tx.groups.removeMembers(group.id, [userId]);
    const alias = await tx.groups.syncAlias({
      groupId: group.id,
      tokenId: group.tokenId,
      address: group.address,
      previous: group.address,
      senderAcl: caller.token.policy.groupSenderAcl,
      displayName: group.displayName,
    });
    if (leaving || alias.flipped) await tx.groups.touch(group.id);
  }
}
