export { ScimError, SCIM_ERROR_SCHEMA, toScimErrorBody } from './scim-error.js';
export type { ScimType, ScimErrorStatus, ScimErrorOptions } from './scim-error.js';
export { buildServiceProviderConfig, SERVICE_PROVIDER_CONFIG_SCHEMA } from './service-provider-config.js';
export type { ServiceProviderFeatures } from './service-provider-config.js';
