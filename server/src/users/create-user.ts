/**
 * A user create inside its change: a new mailbox written exactly as mailcow's add writes one,
 * or the claim of a kept 'scim' mailbox (a re-hire, a hand-over), and the SCIM user linked to
 * it. The change runs under READ COMMITTED and takes the domain row last, with mailcow's limit
 * count in the same statement, so creates in one domain hold that lock for the count and the
 * commit only (docs/performance.md). A new mailbox's SOGo row is written inside the change.
 */
import {
  assertDomainUsable,
  assertMailboxRoom,
  planNewMailbox,
  quotaOrigin,
  requestedQuotaMiB,
  settleQuotaMiB,
  type MailAddress,
  type MailboxSnapshot,
  type QuotaRequest,
} from '../provisioning/index.js';
import { cloneJson } from '../scim/json-clone.js';
import { ScimError } from '../scim/scim-error.js';
import type { ChangeTx } from '../unit-of-work/index.js';
import { aliasNote, syncMailbox, unknownTemplate } from './mailbox-sync.js';
import type { Caller, NewUser, StoredUser } from './ports.js';

const MIB = 1024 * 1024;

/** The new user: as written (what a read would return, without the reads), or read back after a claim. */
export async function createUser(tx: ChangeTx, caller: Caller, user: NewUser): Promise<StoredUser> {
  const { address, intent } = user;
  const facts = await tx.users.createFacts({ userName: user.userName, address, template: intent.template });
  assertDomainUsable(address.domain, facts.domain);
  if (facts.takenBy) throw ScimError.uniqueness(`userName "${user.userName}" is already used by SCIM user ${facts.takenBy}.`);

  // Locked only when it exists: a locking read of an absent row takes a gap lock, which creates
  // in other domains share and then deadlock on with their INSERTs. Two creates of one address
  // meet at the primary key instead (409).
  const claimed = facts.address.mailbox ? await tx.mailboxes.lock(address.address) : undefined;
  if (claimed) await assertClaimable(tx, caller, claimed);
  else {
    if (facts.address.aliasGoto !== null) throw ScimError.uniqueness(`${address.address} is an existing mailcow alias (goto ${facts.address.aliasGoto}); a mailbox cannot have the same address.`);
    if (facts.address.spamAlias) throw ScimError.uniqueness(`${address.address} is a mailcow spam alias; a mailbox cannot have the same address.`);
  }

  const template = facts.template ?? unknownTemplate(intent.template);
  const quota: QuotaRequest = { explicitMiB: intent.quotaMiB, origin: quotaOrigin(caller.token.policy.quotaSource, intent.template !== null), template };
  let quotaBytes = 0;
  if (claimed) {
    const domain = (await tx.domains.lock(address.domain))!;
    await syncMailbox(tx, { mailbox: claimed, domain: async () => domain, intent, previous: null, template, claim: true, quota });
  } else {
    // Written with the quota it asks for; settleNewMailbox corrects it once the domain's room is known.
    quotaBytes = requestedQuotaMiB(quota, facts.domain) * MIB;
    await tx.mailboxes.insert(planNewMailbox({ address, intent, template, idpAuthsource: facts.idpAuthsource, quotaBytes }));
  }
  const created = await tx.users.insert({
    id: user.id,
    userName: user.userName,
    externalId: user.externalId,
    resource: user.resource,
    mailbox: address,
    appliedTemplate: template.name,
  });
  if (claimed) await tx.aliases.relink(address.address, user.id);
  // A user made in this change owns no aliases yet: with none wanted there is nothing to sync.
  if (claimed || intent.aliases.length) await tx.aliases.sync(user.id, address.address, intent.aliases, aliasNote(user.userName));
  if (!claimed) {
    // SOGo's row reads the mailbox and its aliases, all written by now; it goes before the domain
    // lock, which is held from the count to the commit and nothing more.
    await tx.mailboxes.publish(address.address);
    quotaBytes = await settleNewMailbox(tx, address, quota, quotaBytes);
  }
  tx.audit({ resourceType: 'User', operation: claimed ? 'claim' : 'create', resourceId: user.id, mailbox: address.address, status: 201 });
  // A claimed mailbox brings what it has (mail, quota, groups).
  if (claimed) return (await tx.users.read(user.id))!;
  // No mail used yet, no groups.
  const mailbox = { address: address.address, active: intent.active, name: intent.name, quotaBytes, usedBytes: 0, messages: 0 };
  const resource = cloneJson(user.resource);
  return { id: user.id, tokenId: caller.token.id, userName: user.userName, externalId: user.externalId, resource, version: 1, created, lastModified: created, appliedTemplate: template.name, mailbox, groups: [] };
}

/**
 * A mailbox that already exists may be claimed only if it is a 'scim' mailbox that no live
 * SCIM user owns (a re-hire, or a mailbox handed over with `mailcow-scim adopt`).
 */
async function assertClaimable(tx: ChangeTx, caller: Caller, mailbox: MailboxSnapshot): Promise<void> {
  const handOver = `To hand it over to this token, run \`mailcow-scim adopt ${mailbox.username} --token ${caller.token.id}\` (or use the SCIM page in mailcow's admin area).`;
  if (mailbox.kind !== '') throw ScimError.uniqueness(`${mailbox.username} is a mailcow resource (${mailbox.kind}), not a user mailbox.`);
  if (!mailbox.scimManaged) {
    throw ScimError.uniqueness(`Mailbox ${mailbox.username} already exists and is managed by mailcow (authsource '${mailbox.authsource ?? 'mailcow'}'). ${handOver}`);
  }
  const owner = await tx.users.mailboxOwner(mailbox.username);
  if (!owner) return;
  if (owner.tokenId === caller.token.id) throw ScimError.uniqueness(`Mailbox ${mailbox.username} already belongs to SCIM user ${owner.id} (userName "${owner.userName}").`);
  throw ScimError.uniqueness(`Mailbox ${mailbox.username} is provisioned by another SCIM token ("${owner.tokenName}", ${owner.tokenId}). ${handOver}`);
}

/**
 * mailcow's limits for the mailbox this change inserted (mailboxes per domain, quota per
 * mailbox and per domain), checked as the last step before commit with the domain row locked:
 * under READ COMMITTED the count then sees every create that held the lock before, and this
 * one. Returns the mailbox's settled quota.
 */
async function settleNewMailbox(tx: ChangeTx, address: MailAddress, quota: QuotaRequest, writtenBytes: number): Promise<number> {
  const locked = await tx.domains.lockWithUsage(address.domain);
  assertDomainUsable(address.domain, locked?.domain);
  const { domain, usage } = locked!;
  assertMailboxRoom(domain, usage);
  const quotaBytes = settleQuotaMiB(quota, domain, usage.quotaBytes - writtenBytes) * MIB;
  if (quotaBytes !== writtenBytes) await tx.mailboxes.setQuota(address.address, quotaBytes);
  return quotaBytes;
}
