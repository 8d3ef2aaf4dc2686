/**
 * How a mailbox will sign in once it is handed to SCIM (`mailcow-scim adopt`, the PR 7148
 * import): its authsource becomes 'scim', so mailcow's own password check (authsource 'mailcow')
 * no longer runs and routeLogin() decides instead (docs/mailcow-facts.md §3.3, §3.7). Only app
 * passwords are checked before that switch (Dovecot and DAV try them first), so they keep working
 * whatever the identity provider. Said before the change, per mailbox (issue 13).
 */
import { describeProvider } from './login-messages.js';
import type { IdentityProviderSettings } from './identity-provider-settings.js';
import type { MailboxLoginFacts } from './mailbox-login-facts.js';
import { routeLogin, SCIM_AUTHSOURCE, type LoginRoute } from './route-login.js';

export interface AdoptedLogin {
  /** The route a password login (web form, IMAP, SMTP, DAV with the account password) takes afterwards. */
  passwordRoute: LoginRoute;
  /** The route of an SSO login in mailcow's web UI afterwards. */
  ssoRoute: LoginRoute;
  /** How the mailbox signs in today, in words. */
  before: string;
  /** How it will sign in afterwards, in words. */
  after: string;
  /** It can sign in with a password today and will not be able to afterwards. */
  losesPasswordLogin: boolean;
  /** No sign-in at all afterwards except app passwords (no usable identity provider). */
  onlyAppPasswords: boolean;
  /** Set when the mailbox or its domain is inactive: nobody signs in until that changes. */
  inactive?: string;
}

function describeBefore(facts: MailboxLoginFacts, idp: IdentityProviderSettings): { text: string; password: boolean } {
  switch (facts.authsource ?? 'mailcow') {
    case 'mailcow':
      return { text: "its mailcow password (web UI, IMAP, SMTP, DAV)", password: true };
    case 'ldap':
      return idp.kind === 'ldap'
        ? { text: 'its LDAP password (mailcow authsource ldap)', password: true }
        : { text: "no sign-in (authsource ldap, but mailcow's identity provider is not LDAP)", password: false };
    case 'keycloak':
      if (idp.kind !== 'keycloak') return { text: "no sign-in (authsource keycloak, but mailcow's identity provider is not Keycloak)", password: false };
      return idp.mailpasswordFlow
        ? { text: 'SSO or its Keycloak mailcow_password (mailcow authsource keycloak)', password: true }
        : { text: 'SSO through Keycloak (mailcow authsource keycloak)', password: false };
    case 'generic-oidc':
      return idp.kind === 'generic-oidc'
        ? { text: 'SSO through generic OIDC (mailcow authsource generic-oidc)', password: false }
        : { text: "no sign-in (authsource generic-oidc, but mailcow's identity provider is not generic OIDC)", password: false };
    case SCIM_AUTHSOURCE:
      return { text: 'as a SCIM mailbox already', password: false };
    default:
      return { text: `authsource "${facts.authsource}"`, password: false };
  }
}

/**
 * The login of `facts` after adoption under `idp`, before and after in words. The route is the
 * one the mailbox takes once active (the IdP's next create activates it); an inactive mailbox
 * or domain is said separately.
 */
export function describeAdoptedLogin(facts: MailboxLoginFacts, idp: IdentityProviderSettings): AdoptedLogin {
  const adopted: MailboxLoginFacts = { ...facts, authsource: SCIM_AUTHSOURCE, active: 1, domainActive: 1 };
  const password = routeLogin({ username: facts.username, service: 'NONE', flow: 'password' }, adopted, idp);
  const sso = routeLogin({ username: facts.username, service: 'NONE', flow: 'sso' }, adopted, idp);
  const before = describeBefore(facts, idp);
  const provider = describeProvider(idp);
  let after: string;
  let onlyAppPasswords = false;
  if (password.route === 'deny') {
    onlyAppPasswords = true;
    switch (password.denyReason) {
      case 'no-identity-provider':
        after = 'no sign-in at all: mailcow has no identity provider; only app passwords keep working';
        break;
      case 'identity-provider-incomplete':
        after = `no sign-in at all: the ${provider} settings are incomplete (${idp.missing.join(', ')}); only app passwords keep working`;
        break;
      default:
        after = `no sign-in (${password.logMessage}); only app passwords keep working`;
    }
  } else if (password.route === 'ldap') {
    after = 'its LDAP password (web UI, IMAP, SMTP, DAV), checked by mailcow against LDAP';
  } else if (password.route === 'keycloak-password') {
    after = "SSO in the web UI, or its Keycloak mailcow_password (web UI, IMAP, SMTP, DAV)";
  } else {
    after = `SSO through ${provider} in the web UI only: no password logins in mail clients, app passwords keep working`;
  }
  const passwordAfter = password.route === 'ldap' || password.route === 'keycloak-password';
  const inactive =
    Number(facts.domainActive) !== 1
      ? 'its domain is inactive: nobody signs in until it is active again'
      : Number(facts.active) !== 1
        ? `the mailbox is inactive (active=${facts.active}): nobody signs in until the IdP's create or an admin activates it`
        : undefined;
  return {
    passwordRoute: password.route,
    ssoRoute: sso.route,
    before: before.text,
    after,
    losesPasswordLogin: before.password && !passwordAfter,
    onlyAppPasswords,
    ...(inactive ? { inactive } : {}),
  };
}
