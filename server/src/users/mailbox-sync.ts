/**
 * Bringing an existing mailbox in line with a user's intent, inside the change that locked it:
 * the quota when it is set again (provisioning/quota.ts), then only what differs
 * (provisioning/mailbox-plan.ts).
 */
import {
  planMailboxUpdate,
  quotaResettles,
  settleQuotaMiB,
  templateChanged,
  type DomainLimits,
  type MailboxIntent,
  type MailboxSnapshot,
  type MailboxTemplate,
  type QuotaRequest,
} from '../provisioning/index.js';
import { ScimError } from '../scim/scim-error.js';
import type { ChangeTx } from '../unit-of-work/index.js';
import type { WrittenMailbox } from './ports.js';

const MIB = 1024 * 1024;

export interface MailboxSync {
  mailbox: MailboxSnapshot;
  /** The mailbox's domain, locked: asked for only when the quota is set again. */
  domain: () => Promise<DomainLimits>;
  intent: MailboxIntent;
  previous: { intent: MailboxIntent | null; template: string | null } | null;
  template: MailboxTemplate;
  claim: boolean;
  quota: QuotaRequest;
}

/** Returns the mailbox row's columns as the change leaves them. */
export async function syncMailbox(tx: ChangeTx, s: MailboxSync): Promise<WrittenMailbox> {
  let quotaBytes: number | undefined;
  if (quotaResettles(s.quota, s.mailbox.quotaBytes, templateChanged(s.claim, s.previous?.template, s.template))) {
    const domain = await s.domain();
    const usage = await tx.domains.usage(domain.domain);
    quotaBytes = settleQuotaMiB(s.quota, domain, usage.quotaBytes - s.mailbox.quotaBytes) * MIB;
  }
  const idpAuthsource = await tx.settings.idpAuthsource();
  return tx.mailboxes.update(s.mailbox, planMailboxUpdate({ ...s, idpAuthsource, quotaBytes }));
}

/** A template the token policy or the IdP names that this mailcow does not have: a 400, not a silent default. */
export function unknownTemplate(name: string | null): never {
  throw ScimError.invalidValue(`mailcow has no mailbox template named "${name}".`);
}

/** The private comment of the aliases a user owns. */
export function aliasNote(userName: string): string {
  return `mailcow-scim: SCIM user ${userName}`;
}
