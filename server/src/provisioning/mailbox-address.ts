/**
 * Where a SCIM user's mailbox lives (docs/architecture.md §4): userName if it is an address in a
 * domain the token manages; else the primary, then the work e-mail in such a domain; else
 * `<userName>@<default domain>`. The address never changes afterwards: mailcow cannot rename a
 * mailbox across its data, so later changes become aliases instead.
 */
import { domainToASCII } from 'node:url';
import { ScimError } from '../scim/index.js';
import type { TokenPolicy } from '../tokens/index.js';

export interface MailAddress {
  localPart: string;
  domain: string;
  address: string;
}

/** mailcow's local-part rule (FILTER_VALIDATE_EMAIL on an ASCII local part, §2.1 #1), kept deliberately strict. */
const LOCAL_PART_RE = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/**
 * domainToASCII's answers for the domains seen lately: a create parses its userName and e-mails
 * several times (the address, then the aliases), and a change parses them again for the old and
 * the new resource, nearly always in the same few domains. The answer depends on the text alone.
 */
const asciiDomains = new Map<string, string>();
const ASCII_DOMAIN_CACHE_LIMIT = 1_000;

function asciiDomain(domain: string): string {
  let ascii = asciiDomains.get(domain);
  if (ascii === undefined) {
    ascii = domainToASCII(domain) || '';
    if (asciiDomains.size >= ASCII_DOMAIN_CACHE_LIMIT) asciiDomains.clear();
    asciiDomains.set(domain, ascii);
  }
  return ascii;
}

/** Splits, trims, lower-cases and punycodes an address as mailcow stores it; undefined when it is not one. */
export function parseAddress(text: string): MailAddress | undefined {
  const trimmed = text.trim().toLowerCase();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return undefined;
  const localPart = trimmed.slice(0, at);
  const domain = asciiDomain(trimmed.slice(at + 1));
  if (!domain || localPart.length > 64 || !LOCAL_PART_RE.test(localPart)) return undefined;
  return { localPart, domain, address: `${localPart}@${domain}` };
}

interface EmailValue {
  value?: unknown;
  type?: unknown;
  primary?: unknown;
}

/** The user's e-mail values in preference order: primary first, then work, then the rest. */
export function emailsByPreference(resource: Record<string, unknown>): string[] {
  const emails = Array.isArray(resource.emails) ? (resource.emails as EmailValue[]) : [];
  const rank = (e: EmailValue) => (e.primary === true ? 0 : String(e.type ?? '').toLowerCase() === 'work' ? 1 : 2);
  return [...emails]
    .filter((e) => typeof e.value === 'string')
    .sort((a, b) => rank(a) - rank(b))
    .map((e) => e.value as string);
}

/** A userName as an error detail shows it: a 100,000-character one would be echoed whole, twice (answer and log). */
function shown(userName: string): string {
  return userName.length > 80 ? `${userName.slice(0, 80)}… (${userName.length} characters)` : userName;
}

export function resolveMailboxAddress(resource: Record<string, unknown>, policy: TokenPolicy): MailAddress {
  const managed = (a: MailAddress | undefined) => (a && policy.domains.includes(a.domain) ? a : undefined);
  const userName = String(resource.userName ?? '');
  const fromUserName = managed(parseAddress(userName));
  if (fromUserName) return fromUserName;
  for (const email of emailsByPreference(resource)) {
    const a = managed(parseAddress(email));
    if (a) return a;
  }
  const allowed = policy.domains.join(', ') || 'none';
  if (policy.defaultDomain && !userName.includes('@')) {
    const a = parseAddress(`${userName}@${policy.defaultDomain}`);
    if (a) return a;
    // Say which domains would have worked too: the IdP admin can map an e-mail instead (docs/idp).
    throw ScimError.invalidValue(
      `userName "${shown(userName)}" cannot be a mailbox name (letters, digits and . _ - + only) at ${policy.defaultDomain}, ` +
        `and no e-mail is an address in a domain this token manages (${allowed}).`,
    );
  }
  throw ScimError.invalidValue(
    `No mailbox address for userName "${shown(userName)}": neither it nor an e-mail is an address in a domain this token manages (${allowed})` +
      (policy.defaultDomain ? '.' : ', and the token has no default domain for plain user names.'),
  );
}
