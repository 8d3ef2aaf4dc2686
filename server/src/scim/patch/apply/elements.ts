/** The values of a multi-valued attribute: copies in canonical case, sameness, and `primary`. */
import { findAttribute, getIgnoringCase, isJsonObject, type AttributeDef } from '../../schema/index.js';
import { ScimError } from '../../scim-error.js';
import { cloneJson } from '../../json-clone.js';
import { isDeepEqual } from '../json-value.js';

/**
 * The current values of a multi-valued attribute as a fresh list, objects copied with their
 * sub-attribute names in canonical case (so writes never leave `Primary` next to `primary`).
 */
export function elementsOf(def: AttributeDef, current: unknown): unknown[] {
  if (current === undefined || current === null) return [];
  const list = Array.isArray(current) ? current : [current];
  return list
    .filter((e) => e !== null && e !== undefined)
    .map((e) => (isJsonObject(e) ? canonicalObject(def, e) : cloneJson(e)));
}

/** A copy of a complex value with known member names in canonical case; unknown ones kept. */
export function canonicalObject(def: AttributeDef, object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    const sub = findAttribute(def.subAttributes, key);
    out[sub ? sub.name : key] = cloneJson(value);
  }
  return out;
}

/**
 * Whether two values of a multi-valued attribute are "the same value" (RFC 7644 §3.5.2.1: an
 * add of a value already there changes nothing): for complex values, equal `value` (per its
 * caseExact) and, when both have one, equal `type`; without `value`, structural equality.
 */
export function isSameElement(def: AttributeDef, a: unknown, b: unknown): boolean {
  if (def.type !== 'complex') return isSameScalar(def, a, b);
  if (!isJsonObject(a) || !isJsonObject(b)) return isDeepEqual(a, b);
  const valueDef = findAttribute(def.subAttributes, 'value');
  const av = getIgnoringCase(a, 'value');
  const bv = getIgnoringCase(b, 'value');
  if (valueDef && av !== undefined && av !== null && bv !== undefined && bv !== null) {
    if (!isSameScalar(valueDef, av, bv)) return false;
    const typeDef = findAttribute(def.subAttributes, 'type');
    const at = getIgnoringCase(a, 'type');
    const bt = getIgnoringCase(b, 'type');
    if (typeDef && at !== undefined && at !== null && bt !== undefined && bt !== null) {
      return isSameScalar(typeDef, at, bt);
    }
    return true;
  }
  return isDeepEqual(canonicalObject(def, a), canonicalObject(def, b));
}

function isSameScalar(def: AttributeDef, a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string' && !def.caseExact) return a.toLowerCase() === b.toLowerCase();
  return isDeepEqual(a, b);
}

/** RFC 7644 §3.5.2: a value made primary takes `primary` away from the others. */
export function settlePrimary(def: AttributeDef, list: unknown[], written: unknown[], path: string): void {
  if (def.type !== 'complex' || !findAttribute(def.subAttributes, 'primary')) return;
  const winners = [...new Set(written)].filter((e) => isJsonObject(e) && e.primary === true);
  if (winners.length > 1) {
    throw ScimError.invalidValue(`Only one value of '${path}' may have "primary": true (RFC 7643 §2.4).`);
  }
  if (winners.length === 0) return;
  for (const element of list) {
    if (element !== winners[0] && isJsonObject(element) && element.primary === true) element.primary = false;
  }
}
