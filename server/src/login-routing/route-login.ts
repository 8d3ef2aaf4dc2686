/**
 * The login decision for a mailbox whose authsource is 'scim' (docs/architecture.md §6). mailcow's
 * `user_login()` switches on the mailbox's authsource and handles only keycloak, ldap and
 * mailcow; the bridge's `case 'scim'` asks for this decision and then runs mailcow's own
 * credential check for the chosen route (docs/mailcow-facts.md §3.3, §3.7, §3.10).
 */
import { ScimError } from '../scim/index.js';
import { isUsable, type IdentityProviderSettings } from './identity-provider-settings.js';
import { describeProvider, IDP_SETTINGS_PATH, USER_MESSAGES } from './login-messages.js';
import type { MailboxLoginFacts } from './mailbox-login-facts.js';

/** mailbox.authsource of SCIM-managed mailboxes (docs/architecture.md §3). */
export const SCIM_AUTHSOURCE = 'scim';

export type LoginFlow = 'password' | 'sso';

export interface LoginRequest {
  username: string;
  /** mailcow's `$extra['service']` upper-cased; 'NONE' when no service applies. */
  service: string;
  flow: LoginFlow;
}

export type LoginRoute = 'ldap' | 'keycloak-password' | 'sso-only' | 'sso' | 'deny';

export type LoginDenyReason =
  | 'no-identity-provider'
  | 'identity-provider-incomplete'
  | 'unknown-mailbox'
  | 'not-scim'
  | 'mailbox-inactive'
  | 'login-disabled'
  | 'domain-inactive'
  | 'service-disabled'
  | 'no-sso'
  | 'sso-required';

export interface LoginDecision {
  route: LoginRoute;
  /** Set for 'deny' and 'sso-only'. */
  denyReason?: LoginDenyReason;
  /** For the login page; "" means mailcow's generic login_failed. */
  userMessage: string;
  /** The exact reason, for mailcow's log. */
  logMessage: string;
  /** The configured provider's authsource value ("" for none). */
  identityProvider: string;
  /** mailbox.username as stored, when found. */
  mailbox?: string;
}

const USERNAME_MAX = 255;
const SERVICE_RE = /^[A-Za-z0-9_]{1,32}$/;

/**
 * Validates and normalises a request. mailcow has already checked the username's shape
 * (`user_login()` step 1) before it gets here, so anything odd is a caller bug: invalidValue.
 */
export function parseLoginRequest(input: { username: string; service: string; flow: LoginFlow }): LoginRequest {
  const username = input.username.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (!username || username.length > USERNAME_MAX || /[\s\u0000-\u001f\u007f]/.test(username)) {
    throw ScimError.invalidValue(`username must be 1 to ${USERNAME_MAX} characters without spaces or control characters`);
  }
  const service = input.service.trim() === '' ? 'NONE' : input.service.trim();
  if (!SERVICE_RE.test(service)) throw ScimError.invalidValue('service must be a mailcow service name such as IMAP, SMTP or MAILCOWUI');
  return { username, service: service.toUpperCase(), flow: input.flow };
}

/**
 * Decides how `request` may sign in to `mailbox` under `idp`. The checks follow mailcow's order
 * for a mailbox it knows: the row's kind and authsource, then the asking service's access flag
 * (checked before the authsource switch in `user_login()`), then the row's and domain's active
 * flags (mailcow re-reads them after an IdP check and requires both to be 1; we refuse before
 * asking the IdP so a deactivated user never reaches LDAP or Keycloak), then the provider.
 */
export function routeLogin(request: LoginRequest, mailbox: MailboxLoginFacts | undefined, idp: IdentityProviderSettings): LoginDecision {
  const identityProvider = idp.kind ?? '';
  const sso = request.flow === 'sso';
  const deny = (denyReason: LoginDenyReason, logMessage: string, userMessage = ''): LoginDecision => ({
    route: 'deny',
    denyReason,
    userMessage,
    logMessage,
    identityProvider,
    ...(mailbox ? { mailbox: mailbox.username } : {}),
  });

  if (!mailbox) return deny('unknown-mailbox', `no user mailbox "${request.username}"`);
  const who = `SCIM mailbox ${mailbox.username}`;
  if (mailbox.authsource !== SCIM_AUTHSOURCE) {
    return deny('not-scim', `mailbox ${mailbox.username} has authsource "${mailbox.authsource ?? 'NULL'}", not "${SCIM_AUTHSOURCE}"`);
  }
  if (!sso && request.service !== 'NONE') {
    const key = `${request.service.toLowerCase()}_access`;
    // user_login(): `isset($row['attributes'][$key]) && $row['attributes'][$key] != '1'` refuses.
    const value = mailbox.attributes[key];
    if (value !== undefined && value !== null && String(value) !== '1') {
      return deny('service-disabled', `${who}: ${key} is off`);
    }
  }
  if (Number(mailbox.domainActive) !== 1) {
    return deny('domain-inactive', `${who}: its domain is inactive`, sso ? USER_MESSAGES.ssoDomainInactive : '');
  }
  if (Number(mailbox.active) === 2) {
    return deny('login-disabled', `${who}: login is disabled (active=2, the SCIM user is deactivated)`, sso ? USER_MESSAGES.ssoLoginDisabled : '');
  }
  if (Number(mailbox.active) !== 1) {
    return deny('mailbox-inactive', `${who}: the mailbox is inactive (active=${mailbox.active})`, sso ? USER_MESSAGES.ssoMailboxInactive : '');
  }
  if (idp.kind === null) {
    return deny(
      'no-identity-provider',
      `${who}: SCIM users sign in through mailcow's identity provider, and ${describeProvider(idp)} is configured (${IDP_SETTINGS_PATH})`,
      USER_MESSAGES.noIdentityProvider,
    );
  }
  if (!isUsable(idp)) {
    return deny(
      'identity-provider-incomplete',
      `${who}: the ${describeProvider(idp)} settings lack ${idp.missing.join(', ')}, so mailcow cannot use the provider (${IDP_SETTINGS_PATH})`,
      USER_MESSAGES.identityProviderIncomplete,
    );
  }

  const route = (r: 'ldap' | 'keycloak-password' | 'sso', logMessage: string): LoginDecision => ({
    route: r,
    userMessage: '',
    logMessage,
    identityProvider,
    mailbox: mailbox.username,
  });
  if (sso) {
    if (idp.kind === 'ldap') return deny('no-sso', `${who}: SSO login while the identity provider is LDAP, which has no SSO`, USER_MESSAGES.ssoNotAvailable);
    return route('sso', `${who}: SSO through ${describeProvider(idp)}`);
  }
  switch (idp.kind) {
    case 'ldap':
      return route('ldap', `${who}: password checked by LDAP bind`);
    case 'keycloak':
      if (idp.mailpasswordFlow) return route('keycloak-password', `${who}: password checked against Keycloak's mailcow_password`);
      break;
    case 'generic-oidc':
      break;
  }
  return {
    route: 'sso-only',
    denyReason: 'sso-required',
    userMessage: USER_MESSAGES.ssoRequired,
    logMessage: `${who}: password login refused, ${describeProvider(idp)} signs users in by SSO only (app passwords still work)`,
    identityProvider,
    mailbox: mailbox.username,
  };
}

/** What one attempt is decided on: the provider settings and the mailbox row, when there is one. */
export interface LoginFacts {
  identityProvider: IdentityProviderSettings;
  mailbox: MailboxLoginFacts | undefined;
}

/** Where a decision's facts come from (implemented by mailcow/login-facts.ts). */
export interface LoginFactsSource {
  identityProvider(): Promise<IdentityProviderSettings>;
  /** Both facts of one attempt, read together (one statement: logins are the hot path). */
  loginFacts(username: string): Promise<LoginFacts>;
}

/** Reads the facts for one attempt and decides. */
export async function decideLogin(source: LoginFactsSource, input: { username: string; service: string; flow: LoginFlow }): Promise<LoginDecision> {
  const request = parseLoginRequest(input);
  const facts = await source.loginFacts(request.username);
  return routeLogin(request, facts.mailbox, facts.identityProvider);
}
