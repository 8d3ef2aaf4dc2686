/**
 * mailbox.attributes exactly as mailcow's `mailbox('add')` writes them: 17 string-valued keys
 * in a fixed order (docs/mailcow-facts.md §1.4 "Verified layout and order", A.4). The values
 * of the access keys come from provisioning/ (accessAttributes).
 */

const MAILBOX_ATTRIBUTE_KEYS = [
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

/**
 * The compact JSON text mailcow's INSERT carries, with passwd_update as the Unix time number;
 * the `JSON_SET(…, NOW())` that follows turns it into MariaDB's layout (§1.4).
 */
export function initialAttributesJson(access: Readonly<Record<string, string>>, unixTime: number): string {
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
