import { defineAttribute, freezeDeep, type AttributeDef } from './attribute.js';

/**
 * The common attributes of RFC 7643 §3.1 that every resource carries, defined once and shared by
 * User and Group. RFC 7643 §7 leaves them out of the /Schemas representation, and so do we.
 */

/** `id`: server-assigned, readOnly, returned always, caseExact (RFC 7643 §3.1). */
const ID_ATTRIBUTE: AttributeDef = freezeDeep(
  defineAttribute('id', 'string', {
    description: 'A unique identifier for a SCIM resource as defined by the service provider.',
    required: false,
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
);

/** `externalId`: set by the provisioning client, caseExact, readWrite (RFC 7643 §3.1). */
const EXTERNAL_ID_ATTRIBUTE: AttributeDef = freezeDeep(
  defineAttribute('externalId', 'string', {
    description: 'A String that is an identifier for the resource as defined by the provisioning client.',
    caseExact: true,
  }),
);

/** `meta`: readOnly complex attribute maintained by the service provider (RFC 7643 §3.1). */
const META_ATTRIBUTE: AttributeDef = freezeDeep(
  defineAttribute('meta', 'complex', {
    description: 'A complex attribute containing resource metadata.',
    mutability: 'readOnly',
    subAttributes: [
      defineAttribute('resourceType', 'string', {
        description: 'The name of the resource type of the resource.',
        caseExact: true,
        mutability: 'readOnly',
      }),
      defineAttribute('created', 'dateTime', {
        description: 'The DateTime that the resource was added to the service provider.',
        mutability: 'readOnly',
      }),
      defineAttribute('lastModified', 'dateTime', {
        description: 'The most recent DateTime that the details of this resource were updated.',
        mutability: 'readOnly',
      }),
      defineAttribute('location', 'reference', {
        description: 'The URI of the resource being returned.',
        caseExact: true,
        mutability: 'readOnly',
        referenceTypes: ['uri'],
      }),
      defineAttribute('version', 'string', {
        description: 'The version of the resource being returned (the ETag, RFC 7644 §3.14).',
        caseExact: true,
        mutability: 'readOnly',
      }),
    ],
  }),
);

/**
 * `schemas` (RFC 7643 §3): not a common attribute in §3.1, but present on every resource,
 * filterable (RFC 7644 §3.4.2.2 shows `schemas eq "urn:…:enterprise:2.0:User"`) and always
 * returned. URNs compare case-insensitively (RFC 8141 §3.1 for the `urn:` prefix and NID; we
 * relax it to the whole URN, as schema lookups do everywhere else).
 */
const SCHEMAS_ATTRIBUTE: AttributeDef = freezeDeep(
  defineAttribute('schemas', 'reference', {
    description: 'The schema URNs of the resource.',
    multiValued: true,
    required: true,
    returned: 'always',
    referenceTypes: ['uri'],
  }),
);

/** The attributes every resource type has besides its schemas' own: schemas, id, externalId, meta. */
export const COMMON_ATTRIBUTES: readonly AttributeDef[] = Object.freeze([
  SCHEMAS_ATTRIBUTE,
  ID_ATTRIBUTE,
  EXTERNAL_ID_ATTRIBUTE,
  META_ATTRIBUTE,
]);
