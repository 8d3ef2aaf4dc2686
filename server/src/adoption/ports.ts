/**
 * What bulk adoption needs from storage (implemented by mailcow/adopt.ts): existing mailboxes with
 * the facts a plan reports, and the one-transaction hand-over of one mailbox.
 */
import type { TokenRecord } from '../tokens/index.js';

/** An alias row, other than the mailbox's own, whose goto delivers to the mailbox. */
export interface DeliveringAlias {
  address: string;
  /** Every target of the alias (mailcow's comma-separated goto). */
  targets: string[];
  /** The sidecar made it (mailcow_scim_owned_aliases); otherwise an admin did. */
  ownedBySidecar: boolean;
}

/** One existing mailbox as adoption sees it. */
export interface AdoptionCandidate {
  /** mailbox.username, lower case. */
  address: string;
  domain: string;
  name: string;
  /** mailbox.kind: '' for a person's mailbox; location, thing, group for mailcow resources. */
  kind: string;
  active: number;
  domainActive: number;
  authsource: string | null;
  /** The decoded mailbox.attributes (protocol access flags among them). */
  attributes: Record<string, unknown>;
  quotaBytes: number;
  tags: string[];
  /** The SCIM user that owns it today, if any. */
  link: { userId: string; tokenId: string; tokenName: string } | null;
  aliases: DeliveringAlias[];
  /** A named address with no mailbox behind it (reported, never written). */
  missing?: boolean;
}

export interface AdoptOptions {
  /** Unlink the SCIM user of another token that owns the mailbox (it leaves its groups). */
  moveFromOtherToken: boolean;
}

export type AdoptOutcome =
  /** authsource set to 'scim' (and another token's user unlinked when asked). */
  | { outcome: 'adopted'; previousAuthsource: string | null; unlinkedUser: { id: string; tokenId: string } | null }
  /** Nothing to do: already a 'scim' mailbox nobody owns, or this token's user owns it. */
  | { outcome: 'unchanged'; reason: string };

export interface AdoptionStore {
  /** Mailboxes of these domains with usernames after `after`, in username order, at most `limit`. */
  listDomains(domains: string[], after: string, limit: number): Promise<AdoptionCandidate[]>;
  /** These mailboxes (usernames, lower case), in any order; unknown ones are left out. */
  listAddresses(addresses: string[]): Promise<AdoptionCandidate[]>;
  /**
   * Hands one mailbox to `token` in one transaction, re-checking under a row lock what the plan
   * saw; throws a ScimError when it may not (no mailbox, a resource, another token's without
   * moveFromOtherToken, a domain the token does not manage).
   */
  adopt(address: string, token: TokenRecord, options: AdoptOptions): Promise<AdoptOutcome>;
}
