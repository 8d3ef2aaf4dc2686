export type {
  AttributeDef,
  AttributeType,
  SchemaDef,
} from './attribute.js';
export { defineAttribute, findAttribute } from './attribute.js';
export {
  COMMON_ATTRIBUTES,
} from './common-attributes.js';
export { USER_SCHEMA_DEF } from './user-schema.js';
export { GROUP_SCHEMA_DEF } from './group-schema.js';
export {
  RESOURCE_TYPE_SCHEMA_DEF,
  SCHEMA_SCHEMA_DEF,
  SERVICE_PROVIDER_CONFIG_SCHEMA_DEF,
} from './discovery-schemas.js';
export {
  BULK_REQUEST_SCHEMA,
  BULK_RESPONSE_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  LIST_RESPONSE_SCHEMA,
  MAILCOW_GROUP_SCHEMA,
  MAILCOW_USER_SCHEMA,
  PATCH_OP_SCHEMA,
  SEARCH_REQUEST_SCHEMA,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
  USER_SCHEMA,
} from './urns.js';
export type { ResourceTypeDef } from './resource-types.js';
export {
  GROUP_RESOURCE_TYPE,
  PUBLISHED_SCHEMA_DEFS,
  RESOURCE_TYPES,
  SCHEMA_DEFS,
  USER_RESOURCE_TYPE,
  getPublishedSchemaDef,
  getSchemaDef,
} from './resource-types.js';
export type { ResolvedAttribute } from './resolve.js';
export {
  resolveAttribute,
  resolveSchemaUrn,
} from './resolve.js';
export {
  findKey,
  getIgnoringCase,
  isJsonObject,
  readTopLevelValue,
} from './resource-keys.js';
export {
  coerceAttributeValue,
  isDateTime,
  isUnassigned,
  parseDateTime,
  toBoolean,
} from './values.js';
export {
  toResourceTypeResource,
  toSchemaResource,
} from './representation.js';
