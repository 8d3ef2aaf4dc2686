/**
 * mailbox.attributes exactly as mailcow's `mailbox('add')` writes them: 17 string-valued keys
 * in a fixed order (mailcow-integration.md §1.4 "Verified layout and order", A.4).
 */
import type { ProtocolName } from '../provisioning/index.js';
import { strval, templateValue, type MailboxTemplate } from './templates.js';

export const MAILBOX_ATTRIBUTE_KEYS = [
  'force_pw_update',
  'force_tfa',
  'tls_enforce_in',
  'tls_enforce_out',
  'sogo_access',
  'imap_access',
  'pop3_access',
  'smtp_access',
  'sieve_access',
  'eas_access',
  'dav_access',
  'relayhost',
  'passwd_update',
  'mailbox_format',
  'quarantine_notification',
  'quarantine_category',
  'attribute_hash',
] as const;

/** Our extension's protocol names → mailcow attribute keys. */
export const PROTOCOL_KEYS: Record<ProtocolName, string> = {
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

export interface AttributeInputs {
  template: MailboxTemplate;
  protocolAccess?: Partial<Record<ProtocolName, boolean>>;
  /** The configured IdP's authsource: generic-oidc forces force_tfa "0" (A.4, "For a SCIM row"). */
  idpAuthsource: string | null;
}

/** The access-related keys a template (plus explicit protocol access) gives, as strings. */
export function accessAttributes(inputs: AttributeInputs): Record<string, string> {
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

/**
 * The compact JSON text mailcow's INSERT carries, with passwd_update as the Unix time number;
 * the `JSON_SET(…, NOW())` that follows turns it into MariaDB's layout (§1.4).
 */
export function initialAttributesJson(inputs: AttributeInputs, unixTime: number): string {
  const access = accessAttributes(inputs);
  const values: Record<string, string | number> = {
    // IdP-managed rows never force a password change: there is no mailcow password (A.4 #1).
    force_pw_update: '0',
    ...access,
    relayhost: '0',
    passwd_update: unixTime,
    mailbox_format: 'maildir:',
    attribute_hash: '',
  };
  const ordered: Record<string, string | number> = {};
  for (const key of MAILBOX_ATTRIBUTE_KEYS) ordered[key] = values[key]!;
  return JSON.stringify(ordered);
}
