/**
 * mailcow mailbox templates (`templates`, type 'mailbox'), and the values mailcow derives
 * from one when it adds a mailbox (mailcow-integration.md §1.3 `templates`, §1.4, A.1, A.4).
 */
import type { RowDataPacket } from 'mysql2';
import { ScimError } from '../scim/index.js';
import type { Queryable } from './queryable.js';

export interface MailboxTemplate {
  name: string;
  attributes: Record<string, unknown>;
}

/**
 * `$MAILBOX_DEFAULT_ATTRIBUTES` of mailcow's vars.inc.php: the fallback for keys a template
 * lacks (§1.4). The template wins wherever it has a key (A.4).
 */
export const MAILBOX_DEFAULT_ATTRIBUTES: Readonly<Record<string, unknown>> = Object.freeze({
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

/** The 15 user_acl flags, in mailcow's column order (§1.3 `user_acl`). */
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

/** mailcow's `$TAGGING_LIMIT`: tags beyond this many are not stored (§1.3 `tags_mailbox`). */
export const TAGGING_LIMIT = 25;

/**
 * The named mailbox template, or, for null, the first one (what `mailbox('add')` uses when no
 * template id is given: §2.1 "Defaults"). A named template that does not exist is a 400: the
 * token policy or the IdP asked for something this mailcow does not have.
 */
export async function loadMailboxTemplate(db: Queryable, name: string | null): Promise<MailboxTemplate> {
  const q = mailboxTemplateQuery(name);
  const [rows] = await db.query<RowDataPacket[]>(q.sql, q.params);
  return mailboxTemplateFrom(name, rows[0]);
}

/** The SELECT loadMailboxTemplate runs (columns `template`, `attributes`; at most one row). */
export function mailboxTemplateQuery(name: string | null): { sql: string; params: string[] } {
  return name === null
    ? { sql: `SELECT template, attributes FROM templates WHERE type = 'mailbox' ORDER BY id LIMIT 1`, params: [] }
    : { sql: `SELECT template, attributes FROM templates WHERE type = 'mailbox' AND template = ? ORDER BY id LIMIT 1`, params: [name] };
}

/** The template mailboxTemplateQuery found (a row whose `template` is null when it found none). */
export function mailboxTemplateFrom(name: string | null, row: RowDataPacket | undefined): MailboxTemplate {
  if (!row || row.template === null) {
    if (name === null) return { name: 'Default', attributes: {} };
    throw ScimError.invalidValue(`mailcow has no mailbox template named "${name}".`);
  }
  let attributes: Record<string, unknown> = {};
  try {
    attributes = JSON.parse(String(row.attributes)) as Record<string, unknown>;
  } catch {
    /* an unreadable template behaves like an empty one: mailcow's defaults apply */
  }
  return { name: String(row.template), attributes };
}

/** A template value as mailcow's strval() would store it ("1", "0", "hourly"). */
export function strval(value: unknown): string {
  if (value === true) return '1';
  if (value === false || value === null || value === undefined) return '0';
  return String(value);
}

/** Template value for `key` with the defaults underneath (template wins, §A.4). */
export function templateValue(t: MailboxTemplate, key: string): unknown {
  return key in t.attributes ? t.attributes[key] : MAILBOX_DEFAULT_ATTRIBUTES[key];
}

/** user_acl flags from a template's `acl_*` keys; a missing key counts as 0 (A.4: pw_reset 0). */
export function aclFromTemplate(t: MailboxTemplate): Record<(typeof USER_ACL_FLAGS)[number], 0 | 1> {
  const out = {} as Record<(typeof USER_ACL_FLAGS)[number], 0 | 1>;
  for (const flag of USER_ACL_FLAGS) out[flag] = Number(t.attributes[`acl_${flag}`] ?? 0) ? 1 : 0;
  return out;
}

/** Template tags, capped as mailcow caps them. */
export function tagsFromTemplate(t: MailboxTemplate): string[] {
  const tags = Array.isArray(t.attributes.tags) ? (t.attributes.tags as unknown[]).map(String) : [];
  return [...new Set(tags.map((x) => x.trim()).filter(Boolean))].slice(0, TAGGING_LIMIT);
}

/** The Redis RL_VALUE entry a template asks for, or null for none (§2.6: empty or 0 → no limit). */
export function rateLimitFromTemplate(t: MailboxTemplate): string | null {
  const value = String(t.attributes.rl_value ?? '').trim();
  const frame = String(t.attributes.rl_frame ?? 's').trim();
  if (value === '' || !/^\d+$/.test(value) || Number(value) === 0 || !/^[smhd]$/.test(frame)) return null;
  return `${Number(value)} / 1${frame}`;
}

/** The template's tagged-mail handler, when it names one (only then does mailcow touch Redis). */
export function taggedMailHandlerFromTemplate(t: MailboxTemplate): 'none' | 'subject' | 'subfolder' | null {
  const v = t.attributes.tagged_mail_handler;
  return v === 'none' || v === 'subject' || v === 'subfolder' ? v : null;
}
