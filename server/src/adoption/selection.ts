/**
 * Which mailboxes a bulk adoption covers: named addresses (ADDRESS…, --from FILE), whole domains
 * (--domain), either narrowed by a SCIM filter (--filter) over the User each mailbox stands for.
 */
import { ScimError } from '../scim/index.js';
import type { TokenRecord } from '../tokens/index.js';

export interface AdoptionSelection {
  addresses: string[];
  domains: string[];
  /** A SCIM filter over the mailbox's User representation (adoption/mailbox-filter.ts), or ''. */
  filter: string;
  /**
   * Move mailboxes another token owns. Named addresses always may (naming one is the intent);
   * a domain or filter selection only with this set.
   */
  moveFromOtherTokens: boolean;
}

/** At most this many addresses in one selection: a larger move goes domain by domain. */
const MAX_SELECTED_ADDRESSES = 100_000;

/**
 * The addresses of a --from file: one per line; blank lines and `#` comments skipped; a CSV
 * line contributes its first field (an export from mailcow's mailbox list or a spreadsheet).
 */
export function parseAddressList(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const first = line.split(/[,;\t]/)[0]!.trim().replace(/^"(.*)"$/, '$1');
    if (first) out.push(first);
  }
  return out;
}

/** The selection checked against the token, addresses lower-cased and de-duplicated, domains defaulted. */
export function normalizeSelection(input: Partial<AdoptionSelection>, token: TokenRecord): AdoptionSelection {
  const addresses = [...new Set((input.addresses ?? []).map((a) => a.trim().toLowerCase()).filter(Boolean))].sort();
  const domains = [...new Set((input.domains ?? []).map((d) => d.trim().toLowerCase().replace(/\.$/, '')).filter(Boolean))].sort();
  const filter = (input.filter ?? '').trim();
  if (addresses.length && domains.length) throw ScimError.invalidValue('Select mailboxes either by address (ADDRESS, --from) or by domain (--domain), not both.');
  if (!addresses.length && !domains.length && !filter) {
    throw ScimError.invalidValue('Select the mailboxes to adopt: addresses, --from FILE, --domain D or --filter F.');
  }
  if (addresses.length > MAX_SELECTED_ADDRESSES) throw ScimError.invalidValue(`At most ${MAX_SELECTED_ADDRESSES} addresses at once; adopt by --domain instead.`);
  const bad = addresses.filter((a) => !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a));
  if (bad.length) throw ScimError.invalidValue(`Not mailbox addresses: ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''}`);
  const foreign = domains.filter((d) => !token.policy.domains.includes(d));
  if (foreign.length) {
    throw ScimError.invalidValue(`Token "${token.name}" does not manage ${foreign.join(', ')} (it manages ${token.policy.domains.join(', ') || 'no domains'}); add the domain to its policy first.`);
  }
  // A filter alone covers every domain the token manages.
  return { addresses, domains: addresses.length || domains.length ? domains : [...token.policy.domains].sort(), filter, moveFromOtherTokens: input.moveFromOtherTokens ?? false };
}
