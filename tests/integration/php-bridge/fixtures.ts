/** Rows the login and admin tests set up: identity provider settings and mailboxes, as mailcow stores them. */
import type { Pool } from 'mysql2/promise';

/** identity_provider rows as mailcow's identity_provider('edit') writes them (docs/mailcow-facts.md A.3). */
export const IDP_ROWS = {
  ldap: {
    authsource: 'ldap',
    host: '127.0.0.1',
    port: '389',
    basedn: 'dc=example,dc=org',
    binddn: 'cn=admin,dc=example,dc=org',
    bindpass: 'x',
    username_field: 'mail',
    attribute_field: '',
    filter: '',
    periodic_sync: '0',
    import_users: '0',
    sync_interval: '15',
    login_provisioning: '',
  },
  keycloak: {
    authsource: 'keycloak',
    server_url: 'https://kc.example.org',
    realm: 'mail',
    client_id: 'mailcow',
    client_secret: 'secret',
    redirect_url: 'https://mail.example.org',
    version: '26.0.0',
    mailpassword_flow: '1',
    periodic_sync: '0',
    import_users: '0',
    sync_interval: '15',
    login_provisioning: '',
  },
  'generic-oidc': {
    authsource: 'generic-oidc',
    authorize_url: 'https://idp.example.org/authorize',
    token_url: 'https://idp.example.org/token',
    userinfo_url: 'https://idp.example.org/userinfo',
    client_id: 'mailcow',
    client_secret: 'secret',
    redirect_url: 'https://mail.example.org',
    client_scopes: 'openid profile email',
    login_provisioning: '',
  },
} as const satisfies Record<string, Record<string, string>>;

export async function setIdentityProvider(pool: Pool, rows: Record<string, string> | null): Promise<void> {
  await pool.query('DELETE FROM identity_provider');
  for (const [key, value] of Object.entries(rows ?? {})) {
    await pool.execute('INSERT INTO identity_provider (`key`, `value`) VALUES (?, ?)', [key, value]);
  }
}

const ATTRIBUTES = {
  force_pw_update: '0',
  tls_enforce_in: '0',
  tls_enforce_out: '0',
  sogo_access: '1',
  imap_access: '1',
  pop3_access: '0',
  smtp_access: '1',
  sieve_access: '1',
  eas_access: '1',
  dav_access: '1',
  quarantine_notification: 'hourly',
  quarantine_category: 'reject',
  mailbox_format: 'maildir:',
};

/** A mailbox row with mailcow's attribute keys; enough for login decisions. */
export async function insertMailbox(
  pool: Pool,
  m: { username: string; authsource?: string; active?: number; attributes?: Record<string, string> },
): Promise<void> {
  const [localPart, domain] = m.username.split('@') as [string, string];
  await pool.execute(
    `INSERT INTO mailbox (username, password, name, local_part, domain, attributes, authsource, active)
     VALUES (?, '', ?, ?, ?, ?, ?, ?)`,
    [m.username, localPart, localPart, domain, JSON.stringify({ ...ATTRIBUTES, ...m.attributes }), m.authsource ?? 'scim', m.active ?? 1],
  );
}
