import { parseAttrPath, type AttrPath } from '../attribute-path.js';
import { findAttribute, type AttributeDef } from './attribute.js';
import { COMMON_ATTRIBUTES } from './common-attributes.js';
import { getSchemaDef, type ResourceTypeDef } from './resource-types.js';

/** An attribute path resolved against a resource type, with canonical names (RFC 7644 §3.10). */
export interface ResolvedAttribute {
  /** The schema the attribute belongs to (the core schema for common attributes). */
  readonly schemaUrn: string;
  /** True for extension attributes, whose values live under `resource[schemaUrn]`. */
  readonly extension: boolean;
  /** The top-level attribute. */
  readonly attribute: AttributeDef;
  /** The sub-attribute, when the path names one. */
  readonly subAttribute?: AttributeDef;
  /** What the path ends at: `subAttribute ?? attribute`. */
  readonly target: AttributeDef;
  /** `name.familyName`, `id`, or `urn:…:enterprise:2.0:User:manager.value` for extensions. */
  readonly canonicalPath: string;
}

/**
 * The canonical URN of the core schema or one of the extensions of `rt` when `text` is exactly
 * that URN (case-insensitively), else undefined. Used for extension-wide keys such as
 * `{"urn:…:enterprise:2.0:User": {...}}` in a PATCH value or `attributes=urn:…:enterprise:2.0:User`.
 */
export function resolveSchemaUrn(rt: ResourceTypeDef, text: string): string | undefined {
  const lower = text.toLowerCase();
  if (rt.schema.toLowerCase() === lower) return rt.schema;
  return rt.schemaExtensions.find((e) => e.schema.toLowerCase() === lower)?.schema;
}

/**
 * Resolve an attribute path for a resource type: case-insensitive, optionally URN-qualified
 * (`urn:…:enterprise:2.0:User:manager.value`), with a sub-attribute (`name.familyName`,
 * `emails.value`). Returns canonical names and definitions, or undefined when the path names
 * nothing `rt` has.
 *
 * Unqualified names are looked up in the core schema and the common attributes first, then in
 * the extensions in declared order. RFC 7644 §3.10 lets clients omit only the core URN and says
 * extension attributes SHOULD be qualified; accepting `department` for the enterprise attribute
 * is lenient on purpose, and no name is shared between our core and extension schemas.
 */
export function resolveAttribute(
  rt: ResourceTypeDef,
  path: string | AttrPath,
): ResolvedAttribute | undefined {
  const parsed = typeof path === 'string' ? parseAttrPath(path) : path;
  if (!parsed) return undefined;

  const candidates: { urn: string; extension: boolean; attrs: readonly AttributeDef[] }[] = [];
  const core = getSchemaDef(rt.schema);
  if (!core) return undefined;
  if (parsed.uri === undefined) {
    candidates.push({ urn: rt.schema, extension: false, attrs: [...COMMON_ATTRIBUTES, ...core.attributes] });
    for (const ext of rt.schemaExtensions) {
      const schema = getSchemaDef(ext.schema);
      if (schema) candidates.push({ urn: schema.id, extension: true, attrs: schema.attributes });
    }
  } else {
    const urn = resolveSchemaUrn(rt, parsed.uri);
    if (urn === undefined) return undefined;
    const schema = getSchemaDef(urn);
    if (!schema) return undefined;
    const extension = urn !== rt.schema;
    const attrs = extension ? schema.attributes : [...COMMON_ATTRIBUTES, ...schema.attributes];
    candidates.push({ urn, extension, attrs });
  }

  for (const candidate of candidates) {
    const attribute = findAttribute(candidate.attrs, parsed.attr);
    if (!attribute) continue;
    return withSubAttribute(candidate.urn, candidate.extension, attribute, parsed.sub);
  }
  return undefined;
}

function withSubAttribute(
  schemaUrn: string,
  extension: boolean,
  attribute: AttributeDef,
  subName: string | undefined,
): ResolvedAttribute | undefined {
  const prefix = extension ? `${schemaUrn}:` : '';
  if (subName === undefined) {
    return { schemaUrn, extension, attribute, target: attribute, canonicalPath: prefix + attribute.name };
  }
  const subAttribute = findAttribute(attribute.subAttributes, subName);
  if (!subAttribute) return undefined;
  return {
    schemaUrn,
    extension,
    attribute,
    subAttribute,
    target: subAttribute,
    canonicalPath: `${prefix}${attribute.name}.${subAttribute.name}`,
  };
}
