export { TokenService, AmbiguousTokenError } from './token-service.js';
export type { TokenRecord, TokenStore } from './token-service.js';
export { buildPolicy, normalizeDomain, DEFAULT_EVENT_RETENTION_DAYS } from './policy.js';
export type { TokenPolicy, QuotaSource } from './policy.js';
export { PolicyError, describeProblem } from './policy-error.js';
export { isAllowedByList, isAddressInCidr, isValidCidr } from './ip-allow-list.js';
export { hashSecret, issueSecret } from './token-secret.js';
