/** How a mailbox signs in after adoption, per identity provider (docs/mailcow-facts.md §3.7). */
import { describe, expect, it } from 'vitest';
import { describeAdoptedLogin, type IdentityProviderSettings, type MailboxLoginFacts } from '../../../server/src/login-routing/index.js';

const idp = (kind: IdentityProviderSettings['kind'], extra: Partial<IdentityProviderSettings> = {}): IdentityProviderSettings => ({
  kind,
  authsource: kind ?? '',
  missing: [],
  mailpasswordFlow: false,
  loginProvisioning: false,
  importUsers: false,
  periodicSync: false,
  ...extra,
});
const mailbox = (authsource: string, active = 1): MailboxLoginFacts => ({ username: 'a@example.org', authsource, active, domainActive: 1, attributes: {} });

describe('describeAdoptedLogin', () => {
  it.each([
    ['LDAP', idp('ldap'), 'ldap', false, false],
    ['Keycloak with mailpassword_flow', idp('keycloak', { mailpasswordFlow: true }), 'keycloak-password', false, false],
    ['Keycloak without it', idp('keycloak'), 'sso-only', true, false],
    ['generic OIDC', idp('generic-oidc'), 'sso-only', true, false],
    ['no identity provider', idp(null), 'deny', true, true],
    ['an incomplete one', idp('ldap', { missing: ['host'] }), 'deny', true, true],
  ])('a mailcow mailbox under %s', (_name, settings, route, loses, onlyApp) => {
    const d = describeAdoptedLogin(mailbox('mailcow'), settings);
    expect(d.passwordRoute).toBe(route);
    expect(d.losesPasswordLogin).toBe(loses);
    expect(d.onlyAppPasswords).toBe(onlyApp);
    expect(d.before).toBe('its mailcow password (web UI, IMAP, SMTP, DAV)');
  });

  it('an LDAP mailbox under LDAP keeps its password login', () => {
    const d = describeAdoptedLogin(mailbox('ldap'), idp('ldap'));
    expect(d).toMatchObject({ passwordRoute: 'ldap', losesPasswordLogin: false });
  });

  it('gives the route an inactive mailbox takes once active, and says it is inactive', () => {
    const d = describeAdoptedLogin(mailbox('mailcow', 2), idp('generic-oidc'));
    expect(d.passwordRoute).toBe('sso-only');
    expect(d.ssoRoute).toBe('sso');
    expect(d.inactive).toContain('the mailbox is inactive (active=2)');
  });
});
