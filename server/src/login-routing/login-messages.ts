/**
 * The texts a login decision carries. `user` goes to mailcow's login page (English; mailcow
 * shows an unknown message key verbatim, docs/mailcow-facts.md §4.3) and `log` to mailcow's
 * log. For password logins the user text never says whether a mailbox exists or what state it
 * is in: anyone can type any name, so those reasons keep mailcow's generic "login failed"
 * (an empty user text). After SSO the IdP has authenticated the person, so the text can be
 * specific.
 */
import type { IdentityProviderSettings } from './identity-provider-settings.js';

export const USER_MESSAGES = {
  noIdentityProvider:
    'Sign-in for this account goes through your organisation\'s identity provider, which is not set up on this mail server yet. Please contact your administrator.',
  identityProviderIncomplete:
    'Sign-in for this account goes through your organisation\'s identity provider, whose settings on this mail server are incomplete. Please contact your administrator.',
  ssoRequired:
    'Please sign in with single sign-on (the identity provider button on the login page). Mail and calendar apps need an app password, which you can create after signing in.',
  ssoMailboxInactive: 'Your mailbox is disabled. Please contact your administrator.',
  ssoLoginDisabled: 'Sign-in to your mailbox is turned off (mail is still delivered). Please contact your administrator.',
  ssoDomainInactive: 'The mail domain of your account is disabled. Please contact your administrator.',
  ssoNotAvailable: 'Single sign-on is not available for this account. Please sign in with your password.',
} as const;

export const IDP_SETTINGS_PATH = 'System > Configuration > Access > Identity Provider';

/** A short description of the provider for log lines, e.g. `Keycloak (mailpassword_flow off)`. */
export function describeProvider(idp: IdentityProviderSettings): string {
  switch (idp.kind) {
    case 'keycloak':
      return `Keycloak (mailpassword_flow ${idp.mailpasswordFlow ? 'on' : 'off'})`;
    case 'generic-oidc':
      return 'generic OIDC';
    case 'ldap':
      return 'LDAP';
    default:
      return idp.authsource ? `an identity provider mailcow-scim does not know ("${idp.authsource}")` : 'no identity provider';
  }
}
