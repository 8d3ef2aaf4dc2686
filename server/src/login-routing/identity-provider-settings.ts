/**
 * mailcow's identity provider settings, as far as login routing needs them. The data layer
 * (mailcow/identity-provider.ts) reads them from the `identity_provider` key/value table the
 * way mailcow's `identity_provider('get')` does; this file only describes them.
 */

/** The providers mailcow knows (`identity_provider('edit')`'s `$available_authsources`). */
export type IdentityProviderKind = 'keycloak' | 'generic-oidc' | 'ldap';

export const IDENTITY_PROVIDER_KINDS: readonly IdentityProviderKind[] = ['keycloak', 'generic-oidc', 'ldap'];

export interface IdentityProviderSettings {
  /** The configured provider; null when mailcow has none (no `authsource` row) or one we do not know. */
  kind: IdentityProviderKind | null;
  /** The `authsource` value as stored ("" when absent), for messages about unknown providers. */
  authsource: string;
  /** Settings `identity_provider('init')` requires before it builds a provider, that are empty. */
  missing: string[];
  /** Keycloak's `mailpassword_flow` (mailcow tests `intval(...) == 1`). */
  mailpasswordFlow: boolean;
  /** `login_provisioning`; mailcow treats a missing row as on. */
  loginProvisioning: boolean;
  importUsers: boolean;
  periodicSync: boolean;
}

/**
 * The keys `identity_provider('init')` (data/web/inc/functions.inc.php) requires to be truthy
 * before it creates the provider object; without them `$iam_provider` stays null and every
 * IdP login fails (docs/mailcow-facts.md §3.1).
 */
export const REQUIRED_SETTINGS: Readonly<Record<IdentityProviderKind, readonly string[]>> = {
  keycloak: ['server_url', 'realm', 'client_id', 'client_secret', 'redirect_url', 'version'],
  'generic-oidc': ['client_id', 'client_secret', 'redirect_url', 'authorize_url', 'token_url', 'userinfo_url'],
  ldap: ['host', 'port', 'basedn', 'binddn', 'bindpass'],
};

/** True when the provider is configured and has every setting mailcow needs. */
export function isUsable(settings: IdentityProviderSettings): settings is IdentityProviderSettings & { kind: IdentityProviderKind } {
  return settings.kind !== null && settings.missing.length === 0;
}
