import type { SchemaDef } from './attribute.js';
import { DISCOVERY_SCHEMA_DEFS } from './discovery-schemas.js';
import { ENTERPRISE_USER_SCHEMA_DEF } from './enterprise-user-schema.js';
import { GROUP_SCHEMA_DEF } from './group-schema.js';
import { MAILCOW_GROUP_SCHEMA_DEF, MAILCOW_USER_SCHEMA_DEF } from './mailcow-schemas.js';
import {
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  MAILCOW_GROUP_SCHEMA,
  MAILCOW_USER_SCHEMA,
  USER_SCHEMA,
} from './urns.js';
import { USER_SCHEMA_DEF } from './user-schema.js';

/** A resource type (RFC 7643 §6): its name, endpoint, core schema and schema extensions. */
export interface ResourceTypeDef {
  readonly name: 'User' | 'Group';
  readonly endpoint: string;
  readonly description: string;
  readonly schema: string;
  readonly schemaExtensions: readonly { readonly schema: string; readonly required: boolean }[];
}

/** `/Users`: core User plus the Enterprise User and mailcow User extensions (both optional). */
export const USER_RESOURCE_TYPE: ResourceTypeDef = Object.freeze({
  name: 'User',
  endpoint: '/Users',
  description: 'User Account (a mailcow mailbox)',
  schema: USER_SCHEMA,
  schemaExtensions: Object.freeze([
    Object.freeze({ schema: ENTERPRISE_USER_SCHEMA, required: false }),
    Object.freeze({ schema: MAILCOW_USER_SCHEMA, required: false }),
  ]),
});

/** `/Groups`: core Group plus the mailcow Group extension (optional). */
export const GROUP_RESOURCE_TYPE: ResourceTypeDef = Object.freeze({
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group (a mailcow alias when it has an address)',
  schema: GROUP_SCHEMA,
  schemaExtensions: Object.freeze([Object.freeze({ schema: MAILCOW_GROUP_SCHEMA, required: false })]),
});

/** Every resource type this service provider serves, in /ResourceTypes order. */
export const RESOURCE_TYPES: readonly ResourceTypeDef[] = Object.freeze([
  USER_RESOURCE_TYPE,
  GROUP_RESOURCE_TYPE,
]);

/** The schemas of the resource types (core schemas and their extensions), in /Schemas order. */
export const SCHEMA_DEFS: readonly SchemaDef[] = Object.freeze([
  USER_SCHEMA_DEF,
  ENTERPRISE_USER_SCHEMA_DEF,
  MAILCOW_USER_SCHEMA_DEF,
  GROUP_SCHEMA_DEF,
  MAILCOW_GROUP_SCHEMA_DEF,
]);

/** What /Schemas publishes: the resource schemas, then those of the discovery documents (RFC 7643 §5–§7). */
export const PUBLISHED_SCHEMA_DEFS: readonly SchemaDef[] = Object.freeze([...SCHEMA_DEFS, ...DISCOVERY_SCHEMA_DEFS]);

/** The resource schema with URN `urn`, compared case-insensitively; undefined when unknown. */
export function getSchemaDef(urn: string): SchemaDef | undefined {
  return findByUrn(SCHEMA_DEFS, urn);
}

/** Any schema /Schemas publishes, by URN compared case-insensitively (for /Schemas/{id}). */
export function getPublishedSchemaDef(urn: string): SchemaDef | undefined {
  return findByUrn(PUBLISHED_SCHEMA_DEFS, urn);
}

/**
 * Lower-cased URN → first schema with it, per frozen list: getSchemaDef runs for every
 * extension key of every resource read, written or shown, and lower-casing each schema's id on
 * each call was a share of a request's CPU. A list that can still change is searched.
 */
const urnIndexes = new WeakMap<readonly SchemaDef[], Map<string, SchemaDef>>();

function findByUrn(schemas: readonly SchemaDef[], urn: string): SchemaDef | undefined {
  const lower = urn.toLowerCase();
  let index = urnIndexes.get(schemas);
  if (index === undefined) {
    if (!Object.isFrozen(schemas)) return schemas.find((s) => s.id.toLowerCase() === lower);
    index = new Map();
    for (const s of schemas) if (!index.has(s.id.toLowerCase())) index.set(s.id.toLowerCase(), s);
    urnIndexes.set(schemas, index);
  }
  return index.get(lower);
}
