/**
 * A POST or PUT body turned into the canonical resource we store (RFC 7643 §2–§3, RFC 7644
 * §3.3 and §3.5.1): attribute names in canonical case, values type-checked and coerced,
 * read-only attributes ignored as the RFC requires, write-only ones (password) never kept,
 * unknown attributes and schema URNs accepted and discarded (docs/idp/clients.md §1 #9, §9).
 */
import { ScimError } from './scim-error.js';
import {
  coerceAttributeValue,
  ENTERPRISE_USER_SCHEMA,
  findAttribute,
  getSchemaDef,
  isJsonObject,
  resolveAttribute,
  resolveSchemaUrn,
  type AttributeDef,
  type ResourceTypeDef,
} from './schema/index.js';

export type ScimResource = Record<string, unknown>;

/**
 * SCIM 1.x URNs that OneLogin's "SCIM Provisioner" JSON templates still send (docs/idp/clients.md §7:
 * `"schemas": ["urn:scim:schemas:core:2.0", "urn:scim:schemas:extension:enterprise:2.0"]` in a
 * recorded PUT, `urn:scim:schemas:core:1.0` in OneLogin's own template docs). A legacy core URN
 * stands for the resource type's core schema; a legacy enterprise key holds enterprise attributes.
 */
const LEGACY_CORE_SCHEMAS: ReadonlySet<string> = new Set(['urn:scim:schemas:core:1.0', 'urn:scim:schemas:core:2.0']);
// A Map, not an object literal: a body key such as "constructor" must not find Object.prototype's members.
const LEGACY_EXTENSION_KEYS: ReadonlyMap<string, string> = new Map([
  ['urn:scim:schemas:extension:enterprise:1.0', ENTERPRISE_USER_SCHEMA],
  ['urn:scim:schemas:extension:enterprise:2.0', ENTERPRISE_USER_SCHEMA],
]);

/** Whether a stored resource keeps this attribute: not readOnly (server-computed), not write-only/never-returned. */
function isStored(def: AttributeDef): boolean {
  return def.mutability !== 'readOnly' && def.mutability !== 'writeOnly' && def.returned !== 'never';
}

/**
 * The value without its unassigned parts (RFC 7643 §2.5: "", empty lists and objects, and
 * objects whose members are all unassigned mean no value), or null when nothing is left. The
 * stored resource then holds what responses show (projection leaves unassigned values out),
 * so filters in SQL see the same values as filters in memory (mailcow/filter-sql.ts).
 */
function withoutUnassigned(value: unknown): unknown {
  if (Array.isArray(value)) {
    const list = value.map(withoutUnassigned).filter((v) => v !== null);
    return list.length ? list : null;
  }
  if (isJsonObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const kept = withoutUnassigned(v);
      if (kept !== null) out[k] = kept;
    }
    return Object.keys(out).length ? out : null;
  }
  return value === '' ? null : value;
}

/**
 * A write-only value (the password) is not kept, but one of the wrong type is still refused:
 * the client is writing it, and 400 tells it so. readOnly values are ignored unchecked (RFC
 * 7644 §3.3: they "SHALL be ignored").
 */
function checkWriteOnly(def: AttributeDef, value: unknown, path: string): void {
  if (def.mutability === 'writeOnly') coerceAttributeValue(def, value, path);
}

function coerceMember(def: AttributeDef, value: unknown, path: string): unknown {
  const coerced = coerceAttributeValue(def, value, path);
  if (coerced === null) return null;
  // Drop read-only sub-attributes too (e.g. members[].display is filled by the server).
  if (def.type === 'complex' && def.subAttributes) {
    const strip = (o: unknown) => {
      if (!isJsonObject(o)) return o;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(o)) {
        const sub = def.subAttributes!.find((s) => s.name === k);
        if (sub && sub.mutability !== 'writeOnly' && sub.returned !== 'never') out[k] = v;
      }
      return out;
    };
    return withoutUnassigned(Array.isArray(coerced) ? coerced.map(strip) : strip(coerced));
  }
  return withoutUnassigned(coerced);
}

/**
 * Normalises a full resource body for resource type `rt`. Throws invalidSyntax for a body that
 * is not a JSON object, invalidValue for a value of the wrong type or a missing required
 * attribute.
 */
export function normalizeResourceInput(rt: ResourceTypeDef, body: unknown): ScimResource {
  if (!isJsonObject(body)) throw ScimError.invalidSyntax(`The request body must be a JSON object describing a ${rt.name}.`);
  const schemasValue = Object.entries(body).find(([k]) => k.toLowerCase() === 'schemas')?.[1];
  if (schemasValue !== undefined) {
    if (!Array.isArray(schemasValue) || schemasValue.some((s) => typeof s !== 'string')) {
      throw ScimError.invalidSyntax('"schemas" must be a list of schema URNs.');
    }
    const names = schemasValue.map((s) => (s as string).toLowerCase());
    if (!names.some((s) => s === rt.schema.toLowerCase() || LEGACY_CORE_SCHEMAS.has(s))) {
      throw ScimError.invalidValue(`"schemas" must include ${rt.schema}.`);
    }
  }

  const out: ScimResource = {};
  const extensions = new Set<string>();
  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() === 'schemas' || value === null || value === undefined) continue;
    const legacy = LEGACY_EXTENSION_KEYS.get(key.toLowerCase());
    const urn = resolveSchemaUrn(rt, legacy ?? key);
    if (urn !== undefined && urn !== rt.schema) {
      if (!isJsonObject(value)) throw ScimError.invalidValue(`"${key}" must be an object of ${urn} attributes.`);
      const schema = getSchemaDef(urn)!;
      const ext: Record<string, unknown> = {};
      for (const [attrKey, attrValue] of Object.entries(value)) {
        const def = findAttribute(schema.attributes, attrKey);
        if (!def) continue;
        if (!isStored(def)) {
          checkWriteOnly(def, attrValue, `${urn}:${def.name}`);
          continue;
        }
        const coerced = coerceMember(def, attrValue, `${urn}:${def.name}`);
        if (coerced !== null && !(Array.isArray(coerced) && coerced.length === 0)) ext[def.name] = coerced;
      }
      if (Object.keys(ext).length) {
        out[urn] = { ...(out[urn] as object | undefined), ...ext };
        extensions.add(urn);
      }
      continue;
    }
    if (urn === rt.schema) {
      // {"urn:…:core:2.0:User": {...}} is unusual but legal: merge it as core attributes.
      if (isJsonObject(value)) Object.assign(out, normalizeResourceInput(rt, { ...value }));
      continue;
    }
    const resolved = resolveAttribute(rt, key);
    // Dotted or URN-qualified keys are PATCH forms; in a full resource they name nothing we keep.
    if (!resolved || resolved.subAttribute || key.includes('.')) continue;
    const def = resolved.attribute;
    if (!isStored(def)) {
      checkWriteOnly(def, value, resolved.canonicalPath);
      continue;
    }
    const coerced = coerceMember(def, value, resolved.canonicalPath);
    if (coerced === null || (Array.isArray(coerced) && coerced.length === 0)) continue;
    if (resolved.extension) {
      out[resolved.schemaUrn] = { ...(out[resolved.schemaUrn] as object | undefined), [def.name]: coerced };
      extensions.add(resolved.schemaUrn);
    } else {
      out[def.name] = coerced;
    }
  }

  const core = getSchemaDef(rt.schema)!;
  for (const def of core.attributes) {
    if (!def.required || !isStored(def)) continue;
    const v = out[def.name];
    if (v === undefined || (typeof v === 'string' && v.trim() === '')) {
      throw ScimError.invalidValue(`"${def.name}" is required for a ${rt.name}.`);
    }
  }
  enforceSinglePrimary(out);
  return { schemas: [rt.schema, ...rt.schemaExtensions.map((e) => e.schema).filter((s) => extensions.has(s))], ...out };
}

/** RFC 7643 §2.4: at most one element of a multi-valued attribute may be primary. */
function enforceSinglePrimary(resource: ScimResource): void {
  for (const value of Object.values(resource)) {
    if (!Array.isArray(value)) continue;
    const primaries = value.filter((v) => isJsonObject(v) && v.primary === true);
    if (primaries.length > 1) {
      throw ScimError.invalidValue('Only one value of a multi-valued attribute may have "primary": true.');
    }
  }
}
