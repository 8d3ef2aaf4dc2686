import { isJsonObject } from '../schema/index.js';

/** Structural equality of JSON values: objects by keys regardless of order, arrays in order. */
export function isDeepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => isDeepEqual(item, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && isDeepEqual(a[k], b[k]));
  }
  return false;
}

/** Equality of two lists as multisets (multi-valued attributes have no significant order). */
export function isSameMultiset(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  const unused = [...b];
  for (const item of a) {
    const i = unused.findIndex((other) => isDeepEqual(item, other));
    if (i < 0) return false;
    unused.splice(i, 1);
  }
  return true;
}

