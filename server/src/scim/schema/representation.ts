import type { AttributeDef, SchemaDef } from './attribute.js';
import type { ResourceTypeDef } from './resource-types.js';
import { RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA } from './urns.js';

/**
 * The discovery documents of RFC 7643 §6 and §7, built from the same data the filter, PATCH
 * and projection code use, so /Schemas cannot drift from what the server enforces. The §5
 * ServiceProviderConfig is scim/service-provider-config.ts, built from the server's features.
 */

/** Where the discovery documents live, for `meta.location` (e.g. `https://mail.example.com/scim/v2`). */
export interface RepresentationOptions {
  /** Base URL without a trailing slash; `meta.location` is left out when not given. */
  baseUrl?: string;
}

/** The RFC 7643 §7 JSON of one attribute definition. */
function toAttributeRepresentation(def: AttributeDef): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: def.name,
    type: def.type,
    multiValued: def.multiValued,
    description: def.description,
    required: def.required,
  };
  if (def.canonicalValues) out.canonicalValues = [...def.canonicalValues];
  // caseExact only means something for values compared as text (RFC 7643 §2.2, §7).
  if (def.type === 'string' || def.type === 'reference' || def.type === 'binary') {
    out.caseExact = def.caseExact;
  }
  out.mutability = def.mutability;
  out.returned = def.returned;
  out.uniqueness = def.uniqueness;
  if (def.referenceTypes) out.referenceTypes = [...def.referenceTypes];
  if (def.subAttributes) out.subAttributes = def.subAttributes.map(toAttributeRepresentation);
  return out;
}

/** The RFC 7643 §7 Schema resource for `/Schemas/{urn}` (`meta.resourceType: "Schema"`). */
export function toSchemaResource(
  schema: SchemaDef,
  options: Partial<RepresentationOptions> = {},
): Record<string, unknown> {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(toAttributeRepresentation),
    meta: meta('Schema', options.baseUrl, `/Schemas/${schema.id}`),
  };
}

/** The RFC 7643 §6 ResourceType resource for `/ResourceTypes/{name}`. */
export function toResourceTypeResource(
  rt: ResourceTypeDef,
  options: Partial<RepresentationOptions> = {},
): Record<string, unknown> {
  return {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: rt.name,
    name: rt.name,
    endpoint: rt.endpoint,
    description: rt.description,
    schema: rt.schema,
    schemaExtensions: rt.schemaExtensions.map((e) => ({ schema: e.schema, required: e.required })),
    meta: meta('ResourceType', options.baseUrl, `/ResourceTypes/${rt.name}`),
  };
}

function meta(resourceType: string, baseUrl: string | undefined, path: string): Record<string, unknown> {
  return baseUrl === undefined ? { resourceType } : { resourceType, location: `${baseUrl}${path}` };
}
