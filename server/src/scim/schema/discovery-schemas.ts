import { defineAttribute, freezeDeep, type AttributeDef, type AttributeOptions, type AttributeType, type SchemaDef } from './attribute.js';
import { RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA, SERVICE_PROVIDER_CONFIG_SCHEMA } from './urns.js';

/**
 * The schemas of the discovery documents themselves (RFC 7643 §5–§7, representation §8.7.2),
 * stated as what /ServiceProviderConfig, /ResourceTypes and /Schemas return here. Every
 * attribute of a discovery document is set by the server: all are readOnly.
 *
 * Where §8.7.2 and the documents disagree, the documents win, because a client validating our
 * answers against these schemas must succeed:
 * - ServiceProviderConfig: `etag` (defined in §5, missing from §8.7.2), the `type` and `primary`
 *   of `authenticationSchemes` (§5 and the §8.5 example), and RFC 9865's `pagination`;
 * - ResourceType: `schemaExtensions` is a list (§6; §8.7.2 says multiValued false);
 * - Schema: `canonicalValues` holds strings (§8.7.2 says complex); `type` may be `binary`
 *   (§2.3.6; missing from the §8.7.2 list); `subAttributes` nests one level, as §8.7.2 shows.
 */

/** A readOnly attribute (RFC 7643 §5: "All attributes have a mutability of readOnly"). */
function ro(name: string, type: AttributeType, description: string, options: AttributeOptions = {}): AttributeDef {
  return defineAttribute(name, type, { description, mutability: 'readOnly', ...options });
}

/** `{ supported }`, the shape of patch, changePassword, sort and etag (RFC 7643 §5). */
function supportFlag(name: string, description: string, extra: AttributeDef[] = []): AttributeDef {
  return ro(name, 'complex', description, {
    required: true,
    subAttributes: [ro('supported', 'boolean', 'A Boolean value specifying whether or not the operation is supported.', { required: true }), ...extra],
  });
}

/** RFC 7643 §5 plus RFC 9865 §4 (`pagination`), as service-provider-config.ts builds the document. */
export const SERVICE_PROVIDER_CONFIG_SCHEMA_DEF: SchemaDef = freezeDeep({
  id: SERVICE_PROVIDER_CONFIG_SCHEMA,
  name: 'Service Provider Configuration',
  description: "Schema for representing the service provider's configuration",
  attributes: [
    ro('documentationUri', 'reference', "An HTTP-addressable URL pointing to the service provider's human-consumable help documentation.", {
      referenceTypes: ['external'],
    }),
    supportFlag('patch', 'A complex type that specifies PATCH configuration options.'),
    supportFlag('bulk', 'A complex type that specifies bulk configuration options.', [
      ro('maxOperations', 'integer', 'An integer value specifying the maximum number of operations (0 when bulk is not supported).', { required: true }),
      ro('maxPayloadSize', 'integer', 'An integer value specifying the maximum payload size in bytes (0 when bulk is not supported).', { required: true }),
    ]),
    supportFlag('filter', 'A complex type that specifies FILTER options.', [
      ro('maxResults', 'integer', 'An integer value specifying the maximum number of resources returned in a response.', { required: true }),
    ]),
    supportFlag('changePassword', 'A complex type that specifies configuration options related to changing a password.'),
    supportFlag('sort', 'A complex type that specifies sort result options.'),
    supportFlag('etag', 'A complex type that specifies ETag configuration options.'),
    ro('authenticationSchemes', 'complex', 'A complex type that specifies supported authentication scheme properties.', {
      multiValued: true,
      required: true,
      subAttributes: [
        ro('type', 'string', 'The authentication scheme.', {
          required: true,
          canonicalValues: ['oauth', 'oauth2', 'oauthbearertoken', 'httpbasic', 'httpdigest'],
        }),
        ro('name', 'string', 'The common authentication scheme name, e.g., HTTP Basic.', { required: true }),
        ro('description', 'string', 'A description of the authentication scheme.', { required: true }),
        ro('specUri', 'reference', "An HTTP-addressable URL pointing to the authentication scheme's specification.", { referenceTypes: ['external'] }),
        ro('documentationUri', 'reference', "An HTTP-addressable URL pointing to the authentication scheme's usage documentation.", { referenceTypes: ['external'] }),
        ro('primary', 'boolean', 'Whether this is the preferred authentication scheme.'),
      ],
    }),
    ro('pagination', 'complex', 'Pagination configuration options (RFC 9865); present when cursor pagination is available.', {
      subAttributes: [
        ro('cursor', 'boolean', 'Whether cursor-based pagination is supported.', { required: true }),
        ro('index', 'boolean', 'Whether index-based pagination is supported.', { required: true }),
        ro('defaultPaginationMethod', 'string', 'The method used when a client asks for none.', { canonicalValues: ['cursor', 'index'] }),
        ro('defaultPageSize', 'integer', 'The number of resources in a page when a client gives no count.'),
        ro('maxPageSize', 'integer', 'The largest number of resources a page holds.'),
        ro('cursorTimeout', 'integer', 'Seconds a cursor stays valid; absent when cursors do not expire.'),
      ],
    }),
  ],
});

/** RFC 7643 §6, as representation.ts renders a resource type. */
export const RESOURCE_TYPE_SCHEMA_DEF: SchemaDef = freezeDeep({
  id: RESOURCE_TYPE_SCHEMA,
  name: 'ResourceType',
  description: 'Specifies the schema that describes a SCIM resource type',
  attributes: [
    ro('id', 'string', "The resource type's server unique id; the same as its name."),
    ro('name', 'string', "The resource type name, e.g., 'User'.", { required: true }),
    ro('description', 'string', "The resource type's human-readable description."),
    ro('endpoint', 'reference', "The resource type's HTTP-addressable endpoint relative to the Base URL, e.g., '/Users'.", {
      required: true,
      referenceTypes: ['uri'],
    }),
    ro('schema', 'reference', "The resource type's primary/base schema URI.", { required: true, caseExact: true, referenceTypes: ['uri'] }),
    ro('schemaExtensions', 'complex', "A list of URIs of the resource type's schema extensions.", {
      multiValued: true,
      subAttributes: [
        ro('schema', 'reference', 'The URI of a schema extension.', { required: true, caseExact: true, referenceTypes: ['uri'] }),
        ro('required', 'boolean', 'Whether resources of this type must include this schema extension.', { required: true }),
      ],
    }),
  ],
});

/** The characteristics of one attribute definition (RFC 7643 §7), without `subAttributes`. */
function attributeCharacteristics(): AttributeDef[] {
  return [
    ro('name', 'string', "The attribute's name.", { required: true, caseExact: true }),
    ro('type', 'string', "The attribute's data type.", {
      required: true,
      canonicalValues: ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'binary', 'complex'],
    }),
    ro('multiValued', 'boolean', "A Boolean value indicating the attribute's plurality.", { required: true }),
    ro('description', 'string', 'A human-readable description of the attribute.'),
    ro('required', 'boolean', 'A Boolean value indicating whether or not the attribute is required.'),
    ro('canonicalValues', 'string', "A collection of suggested canonical values that MAY be used, e.g., 'work' and 'home'.", {
      multiValued: true,
      caseExact: true,
    }),
    ro('caseExact', 'boolean', 'A Boolean value indicating whether or not a string attribute is case sensitive.'),
    ro('mutability', 'string', 'Whether and when an attribute may be written.', {
      caseExact: true,
      canonicalValues: ['readOnly', 'readWrite', 'immutable', 'writeOnly'],
    }),
    ro('returned', 'string', 'When an attribute and its values are returned in a response.', {
      caseExact: true,
      canonicalValues: ['always', 'never', 'default', 'request'],
    }),
    ro('uniqueness', 'string', 'How the service provider enforces uniqueness of attribute values.', {
      caseExact: true,
      canonicalValues: ['none', 'server', 'global'],
    }),
    ro('referenceTypes', 'string', 'The resource types a reference attribute may refer to, or external or uri.', {
      multiValued: true,
      caseExact: true,
      canonicalValues: ['User', 'Group', 'external', 'uri'],
    }),
  ];
}

/** RFC 7643 §7, as representation.ts renders a schema. */
export const SCHEMA_SCHEMA_DEF: SchemaDef = freezeDeep({
  id: SCHEMA_SCHEMA,
  name: 'Schema',
  description: 'Specifies the Schema attribute',
  attributes: [
    ro('id', 'string', 'The unique URI of the schema (looked up ignoring case, as every schema URN here).'),
    ro('name', 'string', "The schema's human-readable name, e.g., 'User'.", { required: true }),
    ro('description', 'string', "The schema's human-readable description."),
    ro('attributes', 'complex', "A complex attribute that includes the attributes of a schema.", {
      multiValued: true,
      required: true,
      subAttributes: [
        ...attributeCharacteristics(),
        ro('subAttributes', 'complex', 'Used to define the sub-attributes of a complex attribute.', {
          multiValued: true,
          subAttributes: attributeCharacteristics(),
        }),
      ],
    }),
  ],
});

/** The discovery schemas, in /Schemas order after the resource schemas. */
export const DISCOVERY_SCHEMA_DEFS: readonly SchemaDef[] = Object.freeze([
  SERVICE_PROVIDER_CONFIG_SCHEMA_DEF,
  RESOURCE_TYPE_SCHEMA_DEF,
  SCHEMA_SCHEMA_DEF,
]);
