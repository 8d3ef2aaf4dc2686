/** RFC 7643 §2.2 mutability: what a write may change. */
import { coerceAttributeValue, isUnassigned, type AttributeDef } from '../../schema/index.js';
import { ScimError } from '../../scim-error.js';
import { isDeepEqual, isSameMultiset } from '../json-value.js';

/**
 * RFC 7643 §2.2 mutability for writing `next` (undefined: removing) over `current`.
 * Returns 'unchanged' when a readOnly/immutable attribute is "written" with the value it has.
 */
export function guardWrite(def: AttributeDef, current: unknown, next: unknown, path: string): 'ok' | 'unchanged' {
  if (def.mutability !== 'readOnly' && def.mutability !== 'immutable') return 'ok';
  if (next === undefined ? isUnassigned(current) : isSameValue(def, current, next)) return 'unchanged';
  if (def.mutability === 'immutable' && isUnassigned(current) && next !== undefined) return 'ok';
  throw ScimError.mutability(
    def.mutability === 'readOnly'
      ? `'${path}' is readOnly and cannot be changed.`
      : `'${path}' is immutable and already has a value.`,
  );
}

/** A sub-attribute write also writes its parent: refused when the parent is readOnly. */
export function guardContainer(def: AttributeDef, path: string): void {
  if (def.mutability === 'readOnly') throw ScimError.mutability(`'${path}' is readOnly and cannot be changed.`);
}

function isSameValue(def: AttributeDef, current: unknown, next: unknown): boolean {
  if (isUnassigned(current) || isUnassigned(next)) return isUnassigned(current) && isUnassigned(next);
  let normalized: unknown;
  try {
    normalized = coerceAttributeValue(def, current, def.name);
  } catch {
    return false;
  }
  if (def.multiValued && Array.isArray(normalized) && Array.isArray(next)) return isSameMultiset(normalized, next);
  return isDeepEqual(normalized, next);
}
