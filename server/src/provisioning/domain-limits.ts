/**
 * mailcow's per-domain limits on mailboxes, as its `mailbox('add','mailbox')` checks them; the
 * data layer reads the numbers with the domain row locked, these rules judge them.
 */
import { ScimError } from '../scim/index.js';

/** A domain's limits; quotas in MiB, as mailcow stores them in `domain`. */
export interface DomainLimits {
  domain: string;
  active: number;
  /** Most user mailboxes the domain may have. */
  mailboxes: number;
  /** The quota mailcow's add form pre-fills. */
  defquotaMiB: number;
  /** The most one mailbox may have. */
  maxquotaMiB: number;
  /** What all its mailboxes together may have. */
  quotaMiB: number;
}

/** What the domain's user mailboxes hold now (mailcow counts `kind = ''` only). */
export interface DomainUsage {
  mailboxes: number;
  quotaBytes: number;
}

/** A create needs the domain to exist in mailcow and be active (mailcow's add checks existence only). */
export function assertDomainUsable(name: string, domain: DomainLimits | undefined): asserts domain is DomainLimits {
  if (!domain) throw ScimError.invalidValue(`Domain ${name} does not exist in mailcow.`);
  if (domain.active !== 1) throw ScimError.invalidValue(`Domain ${name} is inactive in mailcow; activate it before provisioning mailboxes into it.`);
}

/** `usage` counts the new mailbox already: more than the limit means it does not fit. */
export function assertMailboxRoom(domain: DomainLimits, usage: DomainUsage): void {
  if (usage.mailboxes > domain.mailboxes) {
    throw ScimError.invalidValue(`Domain ${domain.domain} allows ${domain.mailboxes} mailboxes and has ${usage.mailboxes - 1}; raise the limit in mailcow to add more.`);
  }
}
