/**
 * `--filter`: a SCIM filter (RFC 7644 §3.4.2.2, the same language as template rules) over the User
 * each existing mailbox stands for before any IdP has sent one: userName and the primary e-mail
 * are the address, displayName and name.formatted the mailbox name, active is mailbox.active = 1,
 * and the mailcow extension carries quota (MiB), tags and protocol access. For example
 * `userName ew "@sales.example.org"` or `urn:ietf:params:scim:schemas:extension:mailcow:2.0:User:tags eq "staff"`.
 */
import { checkFilter, evaluateFilter, parseFilter } from '../scim/filter/index.js';
import { MAILCOW_USER_SCHEMA, USER_RESOURCE_TYPE, USER_SCHEMA } from '../scim/schema/index.js';
import type { AdoptionCandidate } from './ports.js';

const MIB = 1024 * 1024;
const PROTOCOLS = ['imap', 'pop3', 'smtp', 'sieve', 'eas', 'dav', 'sogo'] as const;

/** The User representation a filter sees for `c`. */
function mailboxAsUser(c: AdoptionCandidate): Record<string, unknown> {
  const protocolAccess: Record<string, boolean> = {};
  for (const p of PROTOCOLS) {
    const v = c.attributes[`${p}_access`];
    if (v !== undefined && v !== null) protocolAccess[p] = String(v) === '1';
  }
  return {
    schemas: [USER_SCHEMA, MAILCOW_USER_SCHEMA],
    userName: c.address,
    displayName: c.name,
    name: { formatted: c.name },
    active: c.active === 1,
    emails: [{ value: c.address, type: 'work', primary: true }],
    [MAILCOW_USER_SCHEMA]: { mailboxAddress: c.address, quota: Math.floor(c.quotaBytes / MIB), tags: c.tags, protocolAccess },
  };
}

/** The filter as a predicate; a bad filter throws its invalidFilter error (with the position). */
export function compileMailboxFilter(text: string): (c: AdoptionCandidate) => boolean {
  if (!text.trim()) return () => true;
  const checked = checkFilter(parseFilter(text), USER_RESOURCE_TYPE);
  return (c) => evaluateFilter(checked, mailboxAsUser(c));
}
