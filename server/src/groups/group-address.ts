/**
 * The mailcow alias address a SCIM group stands for (docs/architecture.md §4, issue 5): our extension's
 * `address`, else the group's first e-mail in a managed domain, else (when the token's policy
 * says so) a slug of displayName at the token's default domain; otherwise none, and the group
 * is policy-only. Pure: the data layer checks collisions and writes the alias.
 */
import { emailsByPreference, parseAddress } from '../provisioning/index.js';
import { ScimError } from '../scim/index.js';
import { MAILCOW_GROUP_SCHEMA } from '../scim/schema/index.js';
import type { TokenPolicy } from '../tokens/index.js';
import type { GroupAddress } from './ports.js';

/** The longest local part mailcow accepts (RFC 5321 §4.5.3.1.1). */
const MAX_LOCAL_PART = 64;

/**
 * "Sales & Marketing (EMEA)" → "sales-marketing-emea": ASCII letters and digits, accents
 * folded, every other run of characters one hyphen. Empty when nothing usable is left.
 */
export function slugOf(displayName: string): string {
  return displayName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, MAX_LOCAL_PART)
    .replace(/-+$/, '');
}

function extensionOf(resource: Record<string, unknown>): Record<string, unknown> {
  const ext = resource[MAILCOW_GROUP_SCHEMA];
  return ext && typeof ext === 'object' && !Array.isArray(ext) ? (ext as Record<string, unknown>) : {};
}

/**
 * The address for `resource` under `policy`. `current` is the group's address before this
 * change: a name-derived address stays when the group is renamed (mail to the list keeps
 * working; a client that wants another address sets it explicitly).
 * Throws invalidValue when the explicit `address` is not an address in a managed domain.
 */
export function resolveGroupAddress(
  resource: Record<string, unknown>,
  policy: TokenPolicy,
  current: GroupAddress | null,
): GroupAddress | null {
  const managed = (domain: string) => policy.domains.includes(domain);
  const ext = extensionOf(resource);
  if (typeof ext.address === 'string' && ext.address.trim() !== '') {
    const parsed = parseAddress(ext.address);
    if (!parsed) throw ScimError.invalidValue(`"${MAILCOW_GROUP_SCHEMA}:address" is not an e-mail address mailcow accepts: "${ext.address}".`);
    if (!managed(parsed.domain)) {
      throw ScimError.invalidValue(
        `The group address ${parsed.address} is not in a domain this token manages (${policy.domains.join(', ') || 'none'}).`,
      );
    }
    return { address: parsed.address, source: 'attribute' };
  }
  for (const email of emailsByPreference(ext)) {
    const parsed = parseAddress(email);
    if (parsed && managed(parsed.domain)) return { address: parsed.address, source: 'emails' };
  }
  if (policy.groupAddressFromName && policy.defaultDomain) {
    if (current?.source === 'name' && managed(current.address.split('@')[1]!)) return current;
    const slug = slugOf(String(resource.displayName ?? ''));
    const parsed = slug ? parseAddress(`${slug}@${policy.defaultDomain}`) : undefined;
    if (parsed) return { address: parsed.address, source: 'name' };
  }
  return null;
}
