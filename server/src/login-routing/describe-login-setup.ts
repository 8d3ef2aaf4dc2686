/**
 * How SCIM users can sign in with the current identity provider settings, for the admin
 * page's status panel and `doctor`: the same rules as routeLogin(), said once for everyone
 * (docs/mailcow-facts.md §3.7 "Which IdP supports which client path", §3.8 conflicts).
 */
import { isUsable, type IdentityProviderSettings } from './identity-provider-settings.js';
import { describeProvider, IDP_SETTINGS_PATH } from './login-messages.js';

export interface LoginSetup {
  identityProvider: string;
  complete: boolean;
  passwordLogin: boolean;
  ssoLogin: boolean;
  summary: string;
  /** Most important first. */
  warnings: string[];
}

export function describeLoginSetup(idp: IdentityProviderSettings, scimMailboxes: number): LoginSetup {
  const warnings: string[] = [];
  const usable = isUsable(idp);
  const passwordLogin = usable && (idp.kind === 'ldap' || (idp.kind === 'keycloak' && idp.mailpasswordFlow));
  const ssoLogin = usable && (idp.kind === 'keycloak' || idp.kind === 'generic-oidc');
  let summary: string;

  if (idp.kind === null) {
    summary = 'No identity provider is configured: SCIM users cannot sign in.';
    warnings.push(
      `SCIM users cannot log in until an identity provider is configured (${IDP_SETTINGS_PATH}). ` +
        'mailcow-scim provisions mailboxes; passwords and SSO come from Keycloak, a generic OIDC provider or LDAP.' +
        (idp.authsource ? ` The stored authsource "${idp.authsource}" is not one mailcow-scim knows.` : ''),
    );
  } else if (!usable) {
    summary = `${describeProvider(idp)} is configured but incomplete: SCIM users cannot sign in.`;
    warnings.push(`The ${describeProvider(idp)} settings lack ${idp.missing.join(', ')} (${IDP_SETTINGS_PATH}).`);
  } else if (idp.kind === 'ldap') {
    summary = 'SCIM users sign in with their LDAP password, in the web UI and in mail clients.';
  } else if (passwordLogin) {
    summary = "SCIM users sign in with SSO, or with their Keycloak mailcow_password in the web UI and in mail clients.";
  } else {
    summary = 'SCIM users sign in with SSO in the web UI; mail clients need app passwords.';
  }

  if (idp.kind !== null && idp.loginProvisioning) {
    warnings.push(
      'login_provisioning is on: mailcow creates a mailbox at first login for IdP users that SCIM has not provisioned, ' +
        'and a later SCIM create for that address then conflicts. Turn it off when SCIM is authoritative.',
    );
  }
  if ((idp.kind === 'keycloak' || idp.kind === 'ldap') && idp.importUsers) {
    warnings.push(
      "import_users is on: mailcow's sync job imports every IdP user as a mailbox, including users SCIM deliberately does not provision. " +
        'Turn it off when SCIM is authoritative.',
    );
  }
  if (scimMailboxes > 0 && idp.kind === null) {
    warnings.push(`${scimMailboxes} SCIM mailbox${scimMailboxes === 1 ? '' : 'es'} cannot sign in right now.`);
  }
  return { identityProvider: idp.kind ?? '', complete: usable, passwordLogin, ssoLogin, summary, warnings };
}
