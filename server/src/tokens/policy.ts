/**
 * The provisioning policy a SCIM token carries (docs/architecture.md §3–§4): which domains it may
 * touch, where users without an address go, which mailcow template applies, and what
 * deactivation and deletion do to a mailbox.
 */
import { domainToASCII } from 'node:url';
import { isValidCidr } from './ip-allow-list.js';
import { PolicyError, type PolicyProblem } from './policy-error.js';

interface TemplateRule {
  /** A SCIM filter over the User (RFC 7644 §3.4.2.2), e.g. `groups[display eq "Staff"]`. */
  filter: string;
  /** A mailcow mailbox template name. */
  template: string;
}

/** mailbox.active for a deactivated user: 2 = login off, mail still delivered; 0 = mailbox off. */
type DeactivateMode = 2 | 0;
type DeleteMode = 'deactivate' | 'delete';
/**
 * Where a mailbox's quota comes from when the IdP sends none: `form` as mailcow's add form
 * (the chosen template's quota, else the domain default), or always one of the two.
 */
export type QuotaSource = 'form' | 'domain' | 'template';

export interface TokenPolicy {
  domains: string[];
  defaultDomain: string | null;
  defaultTemplate: string | null;
  templateRules: TemplateRule[];
  onDeactivate: DeactivateMode;
  onDelete: DeleteMode;
  aliasSync: boolean;
  ipAllowList: string[];
  groupAddressFromName: boolean;
  groupSenderAcl: boolean;
  quotaSource: QuotaSource;
  /** Days this token's audit events (mailcow_scim_events) are kept before the sidecar prunes them. */
  eventRetentionDays: number;
}

/** How long audit events are kept when a policy does not say (issue 13: the table grew forever). */
export const DEFAULT_EVENT_RETENTION_DAYS = 90;
/** Ten years: longer is a typo, and keeping everything forever is what retention is there to stop. */
const MAX_EVENT_RETENTION_DAYS = 3650;

export const DEFAULT_POLICY: Readonly<TokenPolicy> = Object.freeze({
  domains: [],
  defaultDomain: null,
  defaultTemplate: null,
  templateRules: [],
  onDeactivate: 2,
  onDelete: 'deactivate',
  aliasSync: true,
  ipAllowList: [],
  groupAddressFromName: false,
  groupSenderAcl: false,
  quotaSource: 'form',
  eventRetentionDays: DEFAULT_EVENT_RETENTION_DAYS,
});

/** Lower-cases and punycodes a domain as mailcow stores it (docs/mailcow-facts.md §2.1 #1). */
export function normalizeDomain(domain: string): string {
  const trimmed = domain.trim().toLowerCase().replace(/\.$/, '');
  return domainToASCII(trimmed) || trimmed;
}

const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

/**
 * Merges `input` over `base` and validates the result; every problem is named, with its field,
 * in one invalidValue PolicyError. Unknown keys are refused so a typo never silently does nothing.
 */
export function buildPolicy(input: unknown, base: TokenPolicy = DEFAULT_POLICY): TokenPolicy {
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) throw new PolicyError([{ field: 'policy', message: 'policy must be an object' }]);
  const problems: PolicyProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ field, message });
  const raw = input as Record<string, unknown>;
  const known = new Set(Object.keys(DEFAULT_POLICY));
  for (const key of Object.keys(raw)) if (!known.has(key)) problem(key, 'unknown policy field');

  const p: TokenPolicy = { ...base, domains: [...base.domains], templateRules: [...base.templateRules], ipAllowList: [...base.ipAllowList] };
  if ('domains' in raw) {
    if (!Array.isArray(raw.domains) || raw.domains.some((d) => typeof d !== 'string')) problem('domains', 'must be a list of domain names');
    else p.domains = [...new Set(raw.domains.map((d: string) => normalizeDomain(d)))];
  }
  if ('defaultDomain' in raw) {
    if (raw.defaultDomain !== null && typeof raw.defaultDomain !== 'string') problem('defaultDomain', 'must be a domain name or null');
    else p.defaultDomain = raw.defaultDomain ? normalizeDomain(raw.defaultDomain as string) : null;
  }
  if ('defaultTemplate' in raw) {
    if (raw.defaultTemplate !== null && typeof raw.defaultTemplate !== 'string') problem('defaultTemplate', 'must be a template name or null');
    else p.defaultTemplate = (raw.defaultTemplate as string | null) || null;
  }
  if ('templateRules' in raw) {
    const rules = raw.templateRules;
    if (!Array.isArray(rules)) problem('templateRules', 'must be a list of {filter, template}');
    else {
      p.templateRules = [];
      rules.forEach((r, i) => {
        if (typeof r !== 'object' || r === null || typeof r.filter !== 'string' || typeof r.template !== 'string' || !r.filter.trim() || !r.template.trim()) {
          problems.push({ field: `templateRules[${i}]`, ruleIndex: i, message: 'needs a non-empty filter and template' });
        } else p.templateRules.push({ filter: r.filter.trim(), template: r.template.trim() });
      });
    }
  }
  if ('onDeactivate' in raw) {
    const v = raw.onDeactivate;
    if (v === 2 || v === '2' || v === 'disallow_login') p.onDeactivate = 2;
    else if (v === 0 || v === '0' || v === 'inactive') p.onDeactivate = 0;
    else problem('onDeactivate', 'must be 2 (login off, mail still delivered) or 0 (mailbox off)');
  }
  if ('onDelete' in raw) {
    if (raw.onDelete === 'deactivate' || raw.onDelete === 'delete') p.onDelete = raw.onDelete;
    else problem('onDelete', 'must be "deactivate" or "delete"');
  }
  for (const key of ['aliasSync', 'groupAddressFromName', 'groupSenderAcl'] as const) {
    if (key in raw) {
      if (typeof raw[key] !== 'boolean') problem(key, 'must be true or false');
      else p[key] = raw[key] as boolean;
    }
  }
  if ('ipAllowList' in raw) {
    const list = raw.ipAllowList;
    if (!Array.isArray(list) || list.some((c) => typeof c !== 'string')) problem('ipAllowList', 'must be a list of CIDRs');
    else {
      const bad = list.filter((c: string) => !isValidCidr(c));
      if (bad.length) problem('ipAllowList', `has invalid CIDRs: ${bad.join(', ')}`);
      else p.ipAllowList = list.map((c: string) => c.trim());
    }
  }
  if ('quotaSource' in raw) {
    if (raw.quotaSource === 'form' || raw.quotaSource === 'domain' || raw.quotaSource === 'template') p.quotaSource = raw.quotaSource;
    else problem('quotaSource', 'must be "form" (as mailcow\'s add form: the chosen template\'s quota, else the domain default), "domain" or "template"');
  }

  if ('eventRetentionDays' in raw) {
    const v = raw.eventRetentionDays;
    const days = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_EVENT_RETENTION_DAYS) {
      problem('eventRetentionDays', `must be a whole number of days from 1 to ${MAX_EVENT_RETENTION_DAYS}`);
    } else p.eventRetentionDays = days;
  }

  for (const d of p.domains) if (!DOMAIN_RE.test(d)) problem('domains', `"${d}" is not a domain name`);
  if (p.defaultDomain && !p.domains.includes(p.defaultDomain)) {
    problem('defaultDomain', `"${p.defaultDomain}" must be one of the token's domains (${p.domains.join(', ') || 'none'})`);
  }
  if (problems.length) throw new PolicyError(problems);
  return p;
}
