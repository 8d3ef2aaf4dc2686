export { ScimError, SCIM_ERROR_CATALOGUE, SCIM_ERROR_CODES, SCIM_ERROR_SCHEMA, registerErrorRecognizer, toScimErrorBody } from './scim-error.js';
export type { ErrorRecognizer, ScimErrorCode, ScimType, ScimErrorStatus, ScimErrorOptions } from './scim-error.js';
export { buildServiceProviderConfig, SERVICE_PROVIDER_CONFIG_SCHEMA } from './service-provider-config.js';
export type { ServiceProviderFeatures } from './service-provider-config.js';
