import { matchesValueFilter, type CheckedValuePath } from '../filter/index.js';
import { resolvePatchPath } from '../patch/index.js';
import {
  COMMON_ATTRIBUTES,
  findAttribute,
  getSchemaDef,
  isJsonObject,
  isUnassigned,
  resolveSchemaUrn,
  type AttributeDef,
  type ResourceTypeDef,
} from '../schema/index.js';
import { cloneJson } from '../json-clone.js';
import { ScimError } from '../scim-error.js';

/**
 * Which attributes a response carries (RFC 7644 §3.9 `attributes` / `excludedAttributes`,
 * RFC 7643 §7 `returned`).
 *
 * - `returned: never` (password) is never in a response; `always` (id, schemas) always is and
 *   cannot be excluded; `request` only when named in `attributes`; `default` unless left out.
 * - Entries may be `attr`, `attr.sub`, URN-qualified (`urn:…:enterprise:2.0:User:department`),
 *   a bare schema URN (the whole extension, or for the core URN every core attribute), or the
 *   Microsoft form `emails[type eq "work"].value`. The filtered form keeps only the values the
 *   filter selects (then only the sub-attribute, when one follows): the response is what the
 *   path designates, which is what a client asking for it wants to read.
 * - Unknown or malformed entries are ignored rather than answered with 400: RFC 7644 §3.9 does
 *   not ask for an error, and a client asking for an attribute we do not store (Entra asks
 *   for what its mapping has) should still get the rest.
 * - Both lists given: `attributes` selects, then `excludedAttributes` removes from that.
 * - Names are matched ignoring case and written with their canonical spelling. Attributes the
 *   schema does not define (kept from what the client sent) are returned by default and left
 *   out when `attributes` is given. Unassigned values (null, "", [], {}) are left out.
 */
export interface ProjectionOptions {
  attributes?: readonly string[];
  excludedAttributes?: readonly string[];
}

/** One entry of a list, resolved: a sub-attribute and/or a value filter, or the whole attribute. */
interface Part {
  readonly sub?: AttributeDef;
  readonly filter?: CheckedValuePath;
}

interface Selection {
  /** Schema URNs named as a whole. */
  readonly schemas: Set<string>;
  /** `schemaUrn|attributeName` → the parts asked for (an empty part = the whole attribute). */
  readonly attributes: Map<string, Part[]>;
  /** Lower-cased names of attributes the schemas do not define, as written. */
  readonly unknown: Set<string>;
}

/**
 * The common and core attributes of a resource type, one frozen list per type: built once
 * rather than per resource shown, and frozen so that findAttribute indexes it.
 */
const coreDefsByType = new WeakMap<ResourceTypeDef, readonly AttributeDef[]>();

function coreDefsOf(rt: ResourceTypeDef): readonly AttributeDef[] {
  let defs = coreDefsByType.get(rt);
  if (defs === undefined) {
    defs = Object.freeze([...COMMON_ATTRIBUTES, ...(getSchemaDef(rt.schema)?.attributes ?? [])]);
    coreDefsByType.set(rt, defs);
  }
  return defs;
}

/** A new resource holding what a response may show, per `options` (see the header). */
export function projectResource(
  resource: Record<string, unknown>,
  rt: ResourceTypeDef,
  options: ProjectionOptions = {},
): Record<string, unknown> {
  const requested = options.attributes && options.attributes.length > 0 ? select(rt, options.attributes) : undefined;
  const excluded =
    options.excludedAttributes && options.excludedAttributes.length > 0 ? select(rt, options.excludedAttributes) : undefined;
  const coreDefs = coreDefsOf(rt);
  const out: Record<string, unknown> = {};

  for (const [key, value] of Object.entries(resource)) {
    const extensionUrn = resolveSchemaUrn(rt, key);
    if (extensionUrn !== undefined && extensionUrn !== rt.schema) {
      const projected = projectContainer(value, extensionUrn, getSchemaDef(extensionUrn)?.attributes ?? [], requested, excluded);
      if (projected !== undefined) out[extensionUrn] = projected;
      continue;
    }
    const def = findAttribute(coreDefs, key);
    if (!def) {
      if (!requested && !excluded?.unknown.has(key.toLowerCase()) && !isUnassigned(value)) out[key] = cloneJson(value);
      continue;
    }
    const projected = projectAttribute(def, value, rt.schema, requested, excluded);
    if (projected !== undefined) out[def.name] = projected;
  }
  return out;
}

function projectContainer(
  container: unknown,
  urn: string,
  defs: readonly AttributeDef[],
  requested: Selection | undefined,
  excluded: Selection | undefined,
): Record<string, unknown> | undefined {
  if (!isJsonObject(container)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(container)) {
    const def = findAttribute(defs, key);
    if (!def) {
      if ((!requested || requested.schemas.has(urn)) && !excluded?.schemas.has(urn) && !isUnassigned(value)) {
        out[key] = cloneJson(value);
      }
      continue;
    }
    const projected = projectAttribute(def, value, urn, requested, excluded);
    if (projected !== undefined) out[def.name] = projected;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function projectAttribute(
  def: AttributeDef,
  value: unknown,
  urn: string,
  requested: Selection | undefined,
  excluded: Selection | undefined,
): unknown {
  if (def.returned === 'never' || isUnassigned(value)) return undefined;
  const key = `${urn}|${def.name}`;
  const always = def.returned === 'always';
  const asked = requested?.attributes.get(key);
  let result: unknown;
  if (always) {
    result = full(def, value);
  } else if (requested) {
    if (asked) result = restrict(def, value, asked);
    else if (requested.schemas.has(urn) && def.returned !== 'request') result = full(def, value);
    else return undefined;
  } else {
    if (def.returned === 'request') return undefined;
    result = full(def, value);
  }
  if (!always && excluded) {
    // Excluding a schema URN excludes every attribute of it that is not returned always.
    if (excluded.schemas.has(urn)) return undefined;
    const parts = excluded.attributes.get(key);
    if (parts) result = exclude(def, result, parts);
  }
  return isUnassigned(result) ? undefined : result;
}

/** The whole value, without `never` sub-attributes, member names canonical. */
function full(def: AttributeDef, value: unknown): unknown {
  if (def.type !== 'complex') return cloneJson(value);
  if (def.multiValued) return listOf(value).map((e) => (isJsonObject(e) ? pick(def, e, undefined) : cloneJson(e)));
  return isJsonObject(value) ? pick(def, value, undefined) : cloneJson(value);
}

/** The parts of a value asked for in `attributes`. */
function restrict(def: AttributeDef, value: unknown, parts: Part[]): unknown {
  if (parts.some((p) => !p.sub && !p.filter)) return full(def, value);
  if (!def.multiValued) {
    if (def.type !== 'complex' || !isJsonObject(value)) return full(def, value);
    return pick(def, value, subsOf(def, parts));
  }
  const out: unknown[] = [];
  for (const element of listOf(value)) {
    const applicable = parts.filter((p) => !p.filter || matchesValueFilter(p.filter, element));
    if (applicable.length === 0) continue;
    if (!isJsonObject(element) || applicable.some((p) => !p.sub)) {
      out.push(isJsonObject(element) ? pick(def, element, undefined) : cloneJson(element));
      continue;
    }
    const picked = pick(def, element, subsOf(def, applicable));
    if (!isUnassigned(picked)) out.push(picked);
  }
  return out;
}

/** The value without the parts named in `excludedAttributes`. */
function exclude(def: AttributeDef, value: unknown, parts: Part[]): unknown {
  if (parts.some((p) => !p.sub && !p.filter)) return undefined;
  if (!def.multiValued) {
    if (!isJsonObject(value)) return value;
    const out = { ...value };
    for (const p of parts) if (p.sub && p.sub.returned !== 'always') delete out[p.sub.name];
    return out;
  }
  let list = listOf(value);
  for (const p of parts) {
    if (p.filter && !p.sub) {
      const filter = p.filter;
      list = list.filter((e) => !matchesValueFilter(filter, e));
    } else if (p.sub && p.sub.returned !== 'always') {
      const sub = p.sub;
      list = list.map((e) => {
        if (!isJsonObject(e) || (p.filter && !matchesValueFilter(p.filter, e))) return e;
        const copy = { ...e };
        delete copy[sub.name];
        return copy;
      });
    }
  }
  return list.filter((e) => !isUnassigned(e));
}

function subsOf(def: AttributeDef, parts: Part[]): Set<string> {
  const names = new Set<string>();
  for (const p of parts) if (p.sub) names.add(p.sub.name);
  for (const sub of def.subAttributes ?? []) if (sub.returned === 'always') names.add(sub.name);
  return names;
}

/**
 * A copy of a complex value with canonical member names: only `names` when given (known
 * members), else every member except `never` ones (unknown members kept).
 */
function pick(def: AttributeDef, object: Record<string, unknown>, names: Set<string> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(object)) {
    const sub = findAttribute(def.subAttributes, key);
    if (sub?.returned === 'never' || isUnassigned(member)) continue;
    if (names && (!sub || !names.has(sub.name))) continue;
    out[sub ? sub.name : key] = cloneJson(member);
  }
  return out;
}

function select(rt: ResourceTypeDef, entries: readonly string[]): Selection {
  const selection: Selection = { schemas: new Set(), attributes: new Map(), unknown: new Set() };
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    const urn = resolveSchemaUrn(rt, entry);
    if (urn !== undefined) {
      selection.schemas.add(urn);
      continue;
    }
    let target;
    try {
      target = resolvePatchPath(rt, entry);
    } catch (error) {
      if (error instanceof ScimError) {
        selection.unknown.add(entry.toLowerCase());
        continue; // unknown or malformed: ignored (see the header)
      }
      throw error;
    }
    if (target.kind === 'schema') {
      selection.schemas.add(target.schemaUrn);
      continue;
    }
    const key = `${target.attribute.schemaUrn}|${target.attribute.attribute.name}`;
    const parts = selection.attributes.get(key) ?? [];
    parts.push({ ...(target.sub ? { sub: target.sub } : {}), ...(target.filter ? { filter: target.filter } : {}) });
    selection.attributes.set(key, parts);
  }
  return selection;
}

function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
