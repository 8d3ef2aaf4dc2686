import { describe, expect, it } from 'vitest';
import { describeLoginSetup, type IdentityProviderSettings } from '../../../server/src/login-routing/index.js';
import { toIdentityProviderSettings } from '../../../server/src/mailcow/identity-provider.js';

const settings = (rows: Record<string, string>): IdentityProviderSettings => toIdentityProviderSettings(new Map(Object.entries(rows)));

// The rows mailcow's identity_provider('edit') writes (docs/mailcow-facts.md A.3).
const LDAP_ROWS = {
  authsource: 'ldap',
  host: '127.0.0.1',
  port: '389',
  basedn: 'dc=example,dc=org',
  binddn: 'cn=admin,dc=example,dc=org',
  bindpass: 'x',
  username_field: 'mail',
  periodic_sync: '0',
  import_users: '0',
  login_provisioning: '',
};
const KEYCLOAK_ROWS = {
  authsource: 'keycloak',
  server_url: 'https://kc.example.org',
  realm: 'mail',
  client_id: 'mailcow',
  client_secret: 's',
  redirect_url: 'https://mail.example.org',
  version: '26.0.0',
  mailpassword_flow: '1',
  login_provisioning: '0',
};

describe('identity_provider rows → settings (as identity_provider get/init read them)', () => {
  it('reads a complete LDAP provider', () => {
    expect(settings(LDAP_ROWS)).toEqual({
      kind: 'ldap',
      authsource: 'ldap',
      missing: [],
      mailpasswordFlow: false,
      loginProvisioning: false,
      importUsers: false,
      periodicSync: false,
    });
  });
  it('treats a missing login_provisioning row as on, like mailcow', () => {
    const { login_provisioning: _omit, ...rows } = LDAP_ROWS;
    expect(settings(rows).loginProvisioning).toBe(true);
  });
  it('lists required settings that are empty or "0" (PHP falsy)', () => {
    expect(settings({ ...KEYCLOAK_ROWS, realm: '', version: '0' }).missing).toEqual(['realm', 'version']);
  });
  it('reads mailpassword_flow as intval() == 1', () => {
    expect(settings({ ...KEYCLOAK_ROWS, mailpassword_flow: '0' }).mailpasswordFlow).toBe(false);
    expect(settings({ ...KEYCLOAK_ROWS, mailpassword_flow: '1' }).mailpasswordFlow).toBe(true);
  });
  it('has no provider without rows, or with one it does not know', () => {
    expect(settings({}).kind).toBeNull();
    expect(settings({ authsource: 'saml' })).toMatchObject({ kind: null, authsource: 'saml' });
  });
});

describe('describeLoginSetup', () => {
  it('warns first that SCIM users cannot log in without a provider', () => {
    const s = describeLoginSetup(settings({}), 3);
    expect(s).toMatchObject({ identityProvider: '', complete: false, passwordLogin: false, ssoLogin: false });
    expect(s.warnings[0]).toMatch(/SCIM users cannot log in until an identity provider is configured/);
    expect(s.warnings).toContainEqual('3 SCIM mailboxes cannot sign in right now.');
  });
  it('describes LDAP as password login', () => {
    const s = describeLoginSetup(settings(LDAP_ROWS), 0);
    expect(s).toMatchObject({ identityProvider: 'ldap', complete: true, passwordLogin: true, ssoLogin: false, warnings: [] });
  });
  it('describes Keycloak with and without the password flow', () => {
    expect(describeLoginSetup(settings(KEYCLOAK_ROWS), 0)).toMatchObject({ passwordLogin: true, ssoLogin: true });
    const sso = describeLoginSetup(settings({ ...KEYCLOAK_ROWS, mailpassword_flow: '0' }), 0);
    expect(sso).toMatchObject({ passwordLogin: false, ssoLogin: true });
    expect(sso.summary).toMatch(/app passwords/);
  });
  it('warns about incomplete settings and about mailcow auto-creating mailboxes', () => {
    const s = describeLoginSetup(settings({ ...KEYCLOAK_ROWS, client_secret: '', login_provisioning: '1', import_users: '1' }), 0);
    expect(s.complete).toBe(false);
    expect(s.warnings[0]).toMatch(/lack client_secret/);
    expect(s.warnings.join('\n')).toMatch(/login_provisioning is on/);
    expect(s.warnings.join('\n')).toMatch(/import_users is on/);
  });
});
