export { routeLogin, parseLoginRequest, decideLogin, SCIM_AUTHSOURCE } from './route-login.js';
export type { LoginDecision, LoginDenyReason, LoginFacts, LoginFactsSource, LoginFlow, LoginRoute } from './route-login.js';
export { describeLoginSetup } from './describe-login-setup.js';
export { IDENTITY_PROVIDER_KINDS, REQUIRED_SETTINGS } from './identity-provider-settings.js';
export type { IdentityProviderKind, IdentityProviderSettings } from './identity-provider-settings.js';
export type { MailboxLoginFacts } from './mailbox-login-facts.js';
export { USER_MESSAGES } from './login-messages.js';
export { describeAdoptedLogin } from './adopted-login.js';
export type { AdoptedLogin } from './adopted-login.js';
