/**
 * The quota of a mailbox, chosen as mailcow's add form chooses it and checked as its
 * `mailbox('add','mailbox')` checks it:
 *
 * - a quota the IdP sends (our extension's `quota`) always wins, within the domain's limits;
 * - else, with a template chosen, the template's quota: the form fills the quota field from the
 *   template picked in its list. Above the domain's per-mailbox maximum or the room left it is
 *   refused, as the form and the API refuse it; 0 is unlimited;
 * - else the domain's default, capped by the room left (the form's `def_new_mailbox_quota`).
 *
 * A token's `quotaSource` can force one of the two for every mailbox.
 */
import { ScimError } from '../scim/index.js';
import type { QuotaSource } from '../tokens/index.js';
import type { DomainLimits } from './domain-limits.js';
import { templateQuotaMiB, type MailboxTemplate } from './mailbox-template.js';

const MIB = 1024 * 1024;

/** Where a mailbox's quota comes from when the IdP sends none. */
export type QuotaOrigin = 'domain' | 'template';

/** The origin for one mailbox: `templateChosen` when its template was named (extension, rule or token default). */
export function quotaOrigin(source: QuotaSource, templateChosen: boolean): QuotaOrigin {
  if (source === 'domain' || source === 'template') return source;
  return templateChosen ? 'template' : 'domain';
}

export interface QuotaRequest {
  /** The IdP's quota in MiB (our extension), when it sent one. */
  explicitMiB?: number;
  origin: QuotaOrigin;
  template: MailboxTemplate;
}

/** The quota asked for, before the domain's room is known. */
export function requestedQuotaMiB(request: QuotaRequest, domain: DomainLimits): number {
  if (request.explicitMiB !== undefined) return request.explicitMiB;
  if (request.origin === 'template') return templateQuotaMiB(request.template);
  return Math.min(domain.defquotaMiB, domain.maxquotaMiB);
}

/**
 * The quota in MiB within the domain's limits; `othersBytes` is what the domain's other
 * mailboxes hold. Only the domain default is capped by the room left (what the form pre-fills);
 * anything asked for explicitly either fits or is refused with the limit it breaks.
 */
export function settleQuotaMiB(request: QuotaRequest, domain: DomainLimits, othersBytes: number): number {
  const roomMiB = domain.quotaMiB - othersBytes / MIB;
  let quotaMiB = requestedQuotaMiB(request, domain);
  if (request.explicitMiB === undefined && request.origin === 'domain') {
    quotaMiB = Math.min(quotaMiB, Math.max(0, Math.floor(roomMiB)));
    if (quotaMiB <= 0) throw ScimError.invalidValue(`Domain ${domain.domain} has no quota left (${domain.quotaMiB} MiB, all assigned).`);
  }
  if (quotaMiB > domain.maxquotaMiB) throw ScimError.invalidValue(`A mailbox in ${domain.domain} may have at most ${domain.maxquotaMiB} MiB; ${quotaMiB} MiB was asked for.`);
  if (quotaMiB > 0 && quotaMiB > roomMiB) {
    throw ScimError.invalidValue(`Domain ${domain.domain} has ${Math.max(0, Math.floor(roomMiB))} MiB of its ${domain.quotaMiB} MiB quota left; ${quotaMiB} MiB was asked for.`);
  }
  return quotaMiB;
}

/**
 * Whether a change of an existing mailbox sets its quota again: a new explicit quota, or a
 * (possibly) new template whose quota applies. A mailbox otherwise keeps its quota: it may hold
 * mail already, and an admin may have changed it in mailcow.
 */
export function quotaResettles(request: Pick<QuotaRequest, 'explicitMiB' | 'origin'>, currentBytes: number, templateChanged: boolean): boolean {
  if (request.explicitMiB !== undefined && request.explicitMiB * MIB !== currentBytes) return true;
  return templateChanged && request.origin === 'template';
}
