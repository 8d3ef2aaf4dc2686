/**
 * The login decision for 'scim' mailboxes, case by case (docs/architecture.md §6; docs/mailcow-facts.md
 * §3.3, §3.7, §3.10). Each row is one situation an admin could be in.
 */
import { describe, expect, it } from 'vitest';
import {
  parseLoginRequest,
  routeLogin,
  USER_MESSAGES,
  type IdentityProviderSettings,
  type LoginFlow,
  type MailboxLoginFacts,
} from '../../../server/src/login-routing/index.js';
import { ScimError } from '../../../server/src/scim/index.js';

const idp = (over: Partial<IdentityProviderSettings> = {}): IdentityProviderSettings => ({
  kind: null,
  authsource: '',
  missing: [],
  mailpasswordFlow: false,
  loginProvisioning: false,
  importUsers: false,
  periodicSync: false,
  ...over,
  ...(over.kind && over.authsource === undefined ? { authsource: over.kind } : {}),
});
const LDAP = idp({ kind: 'ldap' });
const KEYCLOAK_PW = idp({ kind: 'keycloak', mailpasswordFlow: true });
const KEYCLOAK_SSO = idp({ kind: 'keycloak', mailpasswordFlow: false });
const OIDC = idp({ kind: 'generic-oidc' });
const NONE = idp();

const mailbox = (over: Partial<MailboxLoginFacts> = {}): MailboxLoginFacts => ({
  username: 'ada@example.org',
  authsource: 'scim',
  active: 1,
  domainActive: 1,
  attributes: { imap_access: '1', smtp_access: '1', pop3_access: '0', sieve_access: '1', sogo_access: '1' },
  ...over,
});
const req = (service = 'IMAP', flow: LoginFlow = 'password') => parseLoginRequest({ username: 'ada@example.org', service, flow });

describe('routeLogin: password logins of an active SCIM mailbox', () => {
  it.each([
    ['LDAP', LDAP, 'ldap', undefined],
    ['Keycloak with mailpassword_flow', KEYCLOAK_PW, 'keycloak-password', undefined],
    ['Keycloak without mailpassword_flow', KEYCLOAK_SSO, 'sso-only', 'sso-required'],
    ['generic OIDC', OIDC, 'sso-only', 'sso-required'],
    ['no identity provider', NONE, 'deny', 'no-identity-provider'],
  ] as const)('%s → %s', (_name, settings, route, reason) => {
    const d = routeLogin(req(), mailbox(), settings);
    expect(d.route).toBe(route);
    expect(d.denyReason).toBe(reason);
    expect(d.identityProvider).toBe(settings.kind ?? '');
    expect(d.mailbox).toBe('ada@example.org');
    expect(d.logMessage).toContain('ada@example.org');
  });

  it('points SSO-only users to SSO and app passwords', () => {
    expect(routeLogin(req('MAILCOWUI'), mailbox(), OIDC).userMessage).toBe(USER_MESSAGES.ssoRequired);
    expect(USER_MESSAGES.ssoRequired).toMatch(/single sign-on/);
    expect(USER_MESSAGES.ssoRequired).toMatch(/app password/);
  });

  it('tells the user and the log that no identity provider is configured', () => {
    const d = routeLogin(req('MAILCOWUI'), mailbox(), NONE);
    expect(d.userMessage).toBe(USER_MESSAGES.noIdentityProvider);
    expect(d.logMessage).toMatch(/no identity provider is configured.*Identity Provider/);
  });

  it('refuses an identity provider whose settings are incomplete, naming what is missing', () => {
    const d = routeLogin(req(), mailbox(), idp({ kind: 'ldap', missing: ['binddn', 'bindpass'] }));
    expect(d).toMatchObject({ route: 'deny', denyReason: 'identity-provider-incomplete' });
    expect(d.logMessage).toContain('binddn, bindpass');
    expect(d.userMessage).toBe(USER_MESSAGES.identityProviderIncomplete);
  });

  it('treats an authsource it does not know as no provider, and says which', () => {
    const d = routeLogin(req(), mailbox(), idp({ kind: null, authsource: 'saml' }));
    expect(d.denyReason).toBe('no-identity-provider');
    expect(d.logMessage).toContain('"saml"');
  });
});

describe('routeLogin: mailbox and domain state come before the provider', () => {
  it.each([
    ['active=0', { active: 0 }, 'mailbox-inactive'],
    ['active=2 (deactivated SCIM user)', { active: 2 }, 'login-disabled'],
    ['domain inactive', { domainActive: 0 }, 'domain-inactive'],
  ] as const)('%s is denied with every provider, with a generic user text', (_n, over, reason) => {
    for (const settings of [LDAP, KEYCLOAK_PW, OIDC, NONE]) {
      const d = routeLogin(req(), mailbox(over), settings);
      expect(d).toMatchObject({ route: 'deny', denyReason: reason, userMessage: '' });
    }
  });

  it('refuses a service whose access flag is off, as user_login() does before its switch', () => {
    expect(routeLogin(req('POP3'), mailbox(), LDAP)).toMatchObject({ route: 'deny', denyReason: 'service-disabled', userMessage: '' });
    expect(routeLogin(req('pop3'), mailbox(), LDAP).denyReason).toBe('service-disabled');
    // A flag that is absent does not refuse (isset() in mailcow), nor does service NONE.
    expect(routeLogin(req('EAS'), mailbox(), LDAP).route).toBe('ldap');
    expect(routeLogin(req('NONE'), mailbox(), LDAP).route).toBe('ldap');
    expect(routeLogin(req(''), mailbox(), LDAP).route).toBe('ldap');
  });

  it('accepts numeric access flags as well as strings', () => {
    expect(routeLogin(req('IMAP'), mailbox({ attributes: { imap_access: 1 } }), LDAP).route).toBe('ldap');
    expect(routeLogin(req('IMAP'), mailbox({ attributes: { imap_access: 0 } }), LDAP).denyReason).toBe('service-disabled');
  });

  it('refuses mailboxes that are unknown or not SCIM-managed', () => {
    expect(routeLogin(req(), undefined, LDAP)).toMatchObject({ route: 'deny', denyReason: 'unknown-mailbox', userMessage: '' });
    expect(routeLogin(req(), mailbox({ authsource: 'ldap' }), LDAP)).toMatchObject({ route: 'deny', denyReason: 'not-scim' });
    expect(routeLogin(req(), mailbox({ authsource: null }), LDAP).logMessage).toContain('NULL');
  });
});

describe('routeLogin: SSO (verify-sso)', () => {
  const sso = () => req('NONE', 'sso');
  it('accepts SSO for Keycloak (with or without the password flow) and generic OIDC', () => {
    for (const settings of [KEYCLOAK_PW, KEYCLOAK_SSO, OIDC]) expect(routeLogin(sso(), mailbox(), settings).route).toBe('sso');
  });
  it('refuses SSO when the provider is LDAP or missing', () => {
    expect(routeLogin(sso(), mailbox(), LDAP)).toMatchObject({ route: 'deny', denyReason: 'no-sso' });
    expect(routeLogin(sso(), mailbox(), NONE)).toMatchObject({ route: 'deny', denyReason: 'no-identity-provider' });
  });
  it('tells an authenticated SSO user exactly why the mailbox is refused', () => {
    expect(routeLogin(sso(), mailbox({ active: 2 }), OIDC).userMessage).toBe(USER_MESSAGES.ssoLoginDisabled);
    expect(routeLogin(sso(), mailbox({ active: 0 }), OIDC).userMessage).toBe(USER_MESSAGES.ssoMailboxInactive);
    expect(routeLogin(sso(), mailbox({ domainActive: 0 }), OIDC).userMessage).toBe(USER_MESSAGES.ssoDomainInactive);
  });
  it('ignores service access flags for SSO (the web UI has none)', () => {
    expect(routeLogin(parseLoginRequest({ username: 'ada@example.org', service: 'POP3', flow: 'sso' }), mailbox(), OIDC).route).toBe('sso');
  });
});

describe('parseLoginRequest', () => {
  it('normalises the service and keeps the username', () => {
    expect(parseLoginRequest({ username: ' Ada@Example.org ', service: 'imap', flow: 'password' })).toEqual({
      username: 'Ada@Example.org',
      service: 'IMAP',
      flow: 'password',
    });
  });
  it.each([[''], ['a b@example.org'], ['x'.repeat(256)], ['ada\u0000@example.org']])('refuses username %j', (username) => {
    expect(() => parseLoginRequest({ username, service: 'IMAP', flow: 'password' })).toThrow(ScimError);
  });
  it('refuses a service that is not a mailcow service name', () => {
    expect(() => parseLoginRequest({ username: 'a@b.org', service: 'imap;drop', flow: 'password' })).toThrowError(/service/);
  });
});
