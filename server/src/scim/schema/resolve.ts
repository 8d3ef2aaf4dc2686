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
  return lookupOf(rt).urns.get(text.toLowerCase());
}

/** Where an unqualified or URN-qualified name is looked up, for one resource type. */
interface Candidate {
  readonly urn: string;
  readonly extension: boolean;
  readonly attrs: readonly AttributeDef[];
}

interface ResourceTypeLookup {
  /** Lower-cased URN → canonical URN: the core schema, then the extensions. */
  readonly urns: ReadonlyMap<string, string>;
  /** For unqualified names: the core schema with the common attributes, then each extension. */
  readonly unqualified: readonly Candidate[];
  /** By canonical URN, for qualified names. */
  readonly byUrn: ReadonlyMap<string, Candidate>;
}

/**
 * Every resolve of a name (each key of a body, each attribute a response shows, each filter
 * and PATCH path) needs the same lists of a resource type: built once per frozen type rather
 * than per call, and frozen, so that findAttribute indexes them. A type that can still change
 * is read afresh each time.
 */
const lookups = new WeakMap<ResourceTypeDef, ResourceTypeLookup>();

function lookupOf(rt: ResourceTypeDef): ResourceTypeLookup {
  const known = lookups.get(rt);
  if (known) return known;
  const urns = new Map<string, string>();
  for (const urn of [rt.schema, ...rt.schemaExtensions.map((e) => e.schema)]) if (!urns.has(urn.toLowerCase())) urns.set(urn.toLowerCase(), urn);
  const unqualified: Candidate[] = [];
  const byUrn = new Map<string, Candidate>();
  const core = getSchemaDef(rt.schema);
  if (core) {
    const coreCandidate = { urn: rt.schema, extension: false, attrs: Object.freeze([...COMMON_ATTRIBUTES, ...core.attributes]) };
    unqualified.push(coreCandidate);
    byUrn.set(rt.schema, coreCandidate);
    for (const ext of rt.schemaExtensions) {
      const schema = getSchemaDef(ext.schema);
      if (!schema) continue;
      const candidate = { urn: schema.id, extension: true, attrs: schema.attributes };
      unqualified.push(candidate);
      if (!byUrn.has(ext.schema)) byUrn.set(ext.schema, { urn: ext.schema, extension: true, attrs: schema.attributes });
    }
  }
  const lookup: ResourceTypeLookup = { urns, unqualified, byUrn };
  if (Object.isFrozen(rt) && Object.isFrozen(rt.schemaExtensions)) lookups.set(rt, lookup);
  return lookup;
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

  const lookup = lookupOf(rt);
  let candidates: readonly Candidate[];
  if (parsed.uri === undefined) {
    candidates = lookup.unqualified;
  } else {
    const urn = resolveSchemaUrn(rt, parsed.uri);
    const candidate = urn === undefined ? undefined : lookup.byUrn.get(urn);
    if (!candidate) return undefined;
    candidates = [candidate];
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
