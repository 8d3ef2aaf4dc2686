export { ScimError, SCIM_ERROR_CATALOGUE, SCIM_ERROR_CODES, registerErrorRecognizer, toScimErrorBody } from './scim-error.js';
export type { ErrorRecognizer, ScimErrorCode, ScimType } from './scim-error.js';
export { buildServiceProviderConfig } from './service-provider-config.js';
export type { ServiceProviderFeatures } from './service-provider-config.js';
