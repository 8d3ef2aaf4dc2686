export { TokenService, AmbiguousTokenError } from './token-service.js';
export type { TokenRecord, TokenStore, TokenUpdate, IssuedToken, TokenServiceDeps, RuleFilterValidator } from './token-service.js';
export { buildPolicy, normalizeDomain, DEFAULT_POLICY, DEFAULT_EVENT_RETENTION_DAYS, MAX_EVENT_RETENTION_DAYS } from './policy.js';
export type { TokenPolicy, TemplateRule, DeactivateMode, DeleteMode, QuotaSource } from './policy.js';
export { PolicyError, describeProblem } from './policy-error.js';
export type { PolicyProblem } from './policy-error.js';
export { isAllowedByList, isAddressInCidr, isValidCidr } from './ip-allow-list.js';
export { hashSecret, issueSecret, TOKEN_MARKER } from './token-secret.js';
