/**
 * What a SCIM user means for its mailbox (docs/architecture.md §4), computed from the resource and the
 * token's policy: the display name, the active value, the template, explicit settings from our
 * extension, and the aliases the sidecar should own. Pure: the data layer turns it into rows.
 */
import { MAILCOW_USER_SCHEMA } from '../scim/schema/index.js';
import type { TokenPolicy } from '../tokens/index.js';
import { emailsByPreference, parseAddress } from './mailbox-address.js';

export type ProtocolName = 'imap' | 'pop3' | 'smtp' | 'sieve' | 'eas' | 'dav' | 'sogo';

export interface MailboxIntent {
  /** mailbox.name: displayName, else given + family name, else formatted, else the local part. */
  name: string;
  /** mailbox.active: 1, or the token's deactivate mode for active=false. */
  active: 0 | 1 | 2;
  /** The mailcow template to apply (null: mailcow's first mailbox template, "Default"). */
  template: string | null;
  /** Explicit quota in MiB from our extension (undefined: from template or domain default). */
  quotaMiB?: number;
  /** Explicit tags from our extension (undefined: from the template). */
  tags?: string[];
  /** Explicit protocol access from our extension, merged over the template. */
  protocolAccess?: Partial<Record<ProtocolName, boolean>>;
  /** Addresses that should be sidecar-owned aliases of the mailbox (never the mailbox address). */
  aliases: string[];
}

/** Picks the template: an explicit extension value, else the first matching rule, else the token default. */
export type TemplateRuleMatcher = (filter: string, resource: Record<string, unknown>) => boolean;

function displayNameOf(resource: Record<string, unknown>, localPart: string): string {
  const clean = (s: unknown) => (typeof s === 'string' ? s.trim().replace(/^<+/, '').replace(/>+$/, '').trim() : '');
  const display = clean(resource.displayName);
  if (display) return display.slice(0, 255);
  const name = (resource.name ?? {}) as Record<string, unknown>;
  const given = [clean(name.givenName), clean(name.familyName)].filter(Boolean).join(' ');
  if (given) return given.slice(0, 255);
  const formatted = clean(name.formatted);
  if (formatted) return formatted.slice(0, 255);
  return localPart;
}

export function buildMailboxIntent(
  resource: Record<string, unknown>,
  mailboxAddress: string,
  policy: TokenPolicy,
  matchRule: TemplateRuleMatcher,
): MailboxIntent {
  const ext = (resource[MAILCOW_USER_SCHEMA] ?? {}) as Record<string, unknown>;
  const localPart = mailboxAddress.split('@')[0]!;

  let template: string | null = typeof ext.template === 'string' && ext.template.trim() ? ext.template.trim() : null;
  if (!template) template = policy.templateRules.find((r) => matchRule(r.filter, resource))?.template ?? null;
  if (!template) template = policy.defaultTemplate;

  const intent: MailboxIntent = {
    name: displayNameOf(resource, localPart),
    active: resource.active === false ? policy.onDeactivate : 1,
    template,
    aliases: desiredAliases(resource, mailboxAddress, policy),
  };
  // quota 0 means "the domain default" (our schema), so only a positive value is explicit.
  if (typeof ext.quota === 'number' && ext.quota > 0) intent.quotaMiB = ext.quota;
  if (Array.isArray(ext.tags)) intent.tags = [...new Set((ext.tags as unknown[]).map(String).map((t) => t.trim()).filter(Boolean))];
  if (ext.protocolAccess && typeof ext.protocolAccess === 'object') {
    intent.protocolAccess = {};
    for (const [k, v] of Object.entries(ext.protocolAccess as Record<string, unknown>)) {
      if (typeof v === 'boolean') intent.protocolAccess[k as ProtocolName] = v;
    }
  }
  return intent;
}

/**
 * The aliases the sidecar should own for this user. A userName or primary e-mail that is an
 * address in a managed domain always becomes an alias (the mailbox cannot be renamed); other
 * e-mails in managed domains only when the token's alias sync is on (Entra proxyAddresses).
 */
function desiredAliases(resource: Record<string, unknown>, mailboxAddress: string, policy: TokenPolicy): string[] {
  const out = new Set<string>();
  const add = (text: unknown) => {
    if (typeof text !== 'string') return;
    const a = parseAddress(text);
    if (a && policy.domains.includes(a.domain) && a.address !== mailboxAddress) out.add(a.address);
  };
  add(resource.userName);
  const emails = emailsByPreference(resource);
  add(emails[0]);
  if (policy.aliasSync) for (const e of emails) add(e);
  return [...out].sort();
}

/**
 * Whether any of the token's template rules reads `groups` (in any spelling, URN-qualified or
 * not): only then can a membership change pick another template for a member.
 */
export function templateRulesReadGroups(policy: Pick<TokenPolicy, 'templateRules'>): boolean {
  return policy.templateRules.some((r) => /groups/i.test(r.filter));
}
