export type {
  AttributeDef,
  AttributeOptions,
  AttributeType,
  Mutability,
  Returned,
  SchemaDef,
  Uniqueness,
} from './attribute.js';
export { defineAttribute, findAttribute } from './attribute.js';
export {
  COMMON_ATTRIBUTES,
  EXTERNAL_ID_ATTRIBUTE,
  ID_ATTRIBUTE,
  META_ATTRIBUTE,
  SCHEMAS_ATTRIBUTE,
} from './common-attributes.js';
export { USER_SCHEMA_DEF } from './user-schema.js';
export { ENTERPRISE_USER_SCHEMA_DEF } from './enterprise-user-schema.js';
export { GROUP_SCHEMA_DEF } from './group-schema.js';
export { MAILCOW_GROUP_SCHEMA_DEF, MAILCOW_USER_SCHEMA_DEF } from './mailcow-schemas.js';
export {
  DISCOVERY_SCHEMA_DEFS,
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
  RESOURCE_TYPE_SCHEMA,
  SCHEMA_SCHEMA,
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
  schemasOfResourceType,
} from './resource-types.js';
export type { ResolvedAttribute } from './resolve.js';
export {
  isExtensionSchema,
  resolveAttribute,
  resolveSchemaUrn,
  resolveSubAttribute,
} from './resolve.js';
export {
  attributeContainer,
  findKey,
  getIgnoringCase,
  isJsonObject,
  readTopLevelValue,
} from './resource-keys.js';
export {
  coerceAttributeValue,
  coerceSingleValue,
  isDateTime,
  isUnassigned,
  parseDateTime,
  toBoolean,
} from './values.js';
export type { RepresentationOptions } from './representation.js';
export {
  toAttributeRepresentation,
  toResourceTypeResource,
  toSchemaResource,
} from './representation.js';
