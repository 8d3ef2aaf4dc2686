/**
 * What a mailcow mailbox template (`templates`, type 'mailbox') gives a new mailbox, derived the
 * way mailcow's `mailbox('add','mailbox')` derives it: the template's attributes over
 * `$MAILBOX_DEFAULT_ATTRIBUTES`, with strval() for the attribute strings. Pure: the data layer
 * reads the template row and writes what these functions return.
 */
import type { ProtocolName } from './mailbox-intent.js';

export interface MailboxTemplate {
  name: string;
  /** The template row's `attributes` JSON (empty for an unreadable one: mailcow's defaults apply). */
  attributes: Record<string, unknown>;
}

const MIB = 1024 * 1024;

/**
 * `$MAILBOX_DEFAULT_ATTRIBUTES` of mailcow's vars.inc.php: the fallback for keys a template
 * lacks. The template wins wherever it has a key.
 */
const MAILBOX_DEFAULT_ATTRIBUTES: Readonly<Record<string, unknown>> = Object.freeze({
  tls_enforce_in: 0,
  tls_enforce_out: 0,
  force_pw_update: 0,
  force_tfa: 0,
  sogo_access: 1,
  quarantine_notification: 'hourly',
  imap_access: 1,
  pop3_access: 1,
  smtp_access: 1,
  sieve_access: 1,
  eas_access: 1,
  dav_access: 1,
  quarantine_category: 'reject',
  mailbox_format: 'maildir:',
});

/** The 15 user_acl flags, in mailcow's column order. */
export const USER_ACL_FLAGS = [
  'spam_alias',
  'tls_policy',
  'spam_score',
  'spam_policy',
  'delimiter_action',
  'syncjobs',
  'eas_reset',
  'sogo_profile_reset',
  'pushover',
  'quarantine',
  'quarantine_attachments',
  'quarantine_notification',
  'quarantine_category',
  'app_passwds',
  'pw_reset',
] as const;

export type UserAcl = Record<(typeof USER_ACL_FLAGS)[number], 0 | 1>;

/** mailcow's `$TAGGING_LIMIT`: tags beyond this many are not stored. */
export const TAGGING_LIMIT = 25;

/** Our extension's protocol names → mailcow attribute keys. */
const PROTOCOL_KEYS: Record<ProtocolName, string> = {
  imap: 'imap_access',
  pop3: 'pop3_access',
  smtp: 'smtp_access',
  sieve: 'sieve_access',
  eas: 'eas_access',
  dav: 'dav_access',
  sogo: 'sogo_access',
};

const QUARANTINE_CATEGORIES = new Set(['add_header', 'reject', 'all']);
const QUARANTINE_NOTIFICATIONS = new Set(['never', 'hourly', 'daily', 'weekly']);

/** A template value as mailcow's strval() would store it ("1", "0", "hourly"). */
function strval(value: unknown): string {
  if (value === true) return '1';
  if (value === false || value === null || value === undefined) return '0';
  return String(value);
}

/** Template value for `key` with the defaults underneath (the template wins). */
function templateValue(t: MailboxTemplate, key: string): unknown {
  return key in t.attributes ? t.attributes[key] : MAILBOX_DEFAULT_ATTRIBUTES[key];
}

/** user_acl flags from a template's `acl_*` keys; a missing key counts as 0 (pw_reset 0 for an old template). */
export function aclFromTemplate(t: MailboxTemplate): UserAcl {
  const out = {} as UserAcl;
  for (const flag of USER_ACL_FLAGS) out[flag] = Number(t.attributes[`acl_${flag}`] ?? 0) ? 1 : 0;
  return out;
}

/** Template tags, capped as mailcow caps them. */
export function tagsFromTemplate(t: MailboxTemplate): string[] {
  const tags = Array.isArray(t.attributes.tags) ? (t.attributes.tags as unknown[]).map(String) : [];
  return [...new Set(tags.map((x) => x.trim()).filter(Boolean))].slice(0, TAGGING_LIMIT);
}

/** The Redis RL_VALUE entry a template asks for, or null for none (empty or 0: no limit). */
export function rateLimitFromTemplate(t: MailboxTemplate): string | null {
  const value = String(t.attributes.rl_value ?? '').trim();
  const frame = String(t.attributes.rl_frame ?? 's').trim();
  if (value === '' || !/^\d+$/.test(value) || Number(value) === 0 || !/^[smhd]$/.test(frame)) return null;
  return `${Number(value)} / 1${frame}`;
}

export type TaggedMailHandler = 'none' | 'subject' | 'subfolder';

/** The template's tagged-mail handler, when it names one (only then does mailcow touch Redis). */
export function taggedMailHandlerFromTemplate(t: MailboxTemplate): TaggedMailHandler | null {
  const v = t.attributes.tagged_mail_handler;
  return v === 'none' || v === 'subject' || v === 'subfolder' ? v : null;
}

/**
 * The template's quota in whole MiB, as mailcow's add form shows it (`template.quota / 1048576`)
 * and its API uses it when no quota is sent; 0 is unlimited (mailcow's Default template).
 */
export function templateQuotaMiB(t: MailboxTemplate): number {
  const bytes = Number(t.attributes.quota ?? 0);
  return Number.isFinite(bytes) && bytes > 0 ? Math.floor(bytes / MIB) : 0;
}

interface AccessInputs {
  template: MailboxTemplate;
  /** Explicit protocol access from our extension, over the template. */
  protocolAccess?: Partial<Record<ProtocolName, boolean>>;
  /** The configured IdP's authsource: generic-oidc forces force_tfa "0", as mailcow's add does. */
  idpAuthsource: string | null;
}

/** The access-related mailbox attributes a template (plus explicit protocol access) gives, as strings. */
export function accessAttributes(inputs: AccessInputs): Record<string, string> {
  const t = inputs.template;
  const out: Record<string, string> = {
    force_tfa: inputs.idpAuthsource === 'generic-oidc' ? '0' : strval(templateValue(t, 'force_tfa')),
    tls_enforce_in: strval(templateValue(t, 'tls_enforce_in')),
    tls_enforce_out: strval(templateValue(t, 'tls_enforce_out')),
    sogo_access: strval(templateValue(t, 'sogo_access')),
  };
  for (const key of ['imap_access', 'pop3_access', 'smtp_access', 'sieve_access', 'eas_access', 'dav_access']) out[key] = strval(templateValue(t, key));
  for (const [proto, allowed] of Object.entries(inputs.protocolAccess ?? {})) {
    const key = PROTOCOL_KEYS[proto as ProtocolName];
    if (key && allowed !== undefined) out[key] = allowed ? '1' : '0';
  }
  const qn = String(templateValue(t, 'quarantine_notification'));
  out.quarantine_notification = QUARANTINE_NOTIFICATIONS.has(qn) ? qn : 'hourly';
  const qc = String(templateValue(t, 'quarantine_category'));
  out.quarantine_category = QUARANTINE_CATEGORIES.has(qc) ? qc : 'reject';
  return out;
}
