/**
 * A deep copy of a JSON value: what decoded bodies and stored resources hold (null, booleans,
 * numbers, strings, arrays, plain objects). structuredClone gives the same result but goes
 * through its serializer for every value, a leaf string included; the projection of each
 * response and every PATCH copy values, so that cost was paid for each attribute of every
 * resource answered (a page of 100 users is thousands of calls). Anything that is not a plain
 * object or an array (a Date, a Map…) still goes to structuredClone, so the result is the same.
 */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneJson(value[i]);
    return out as T;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const member = cloneJson((value as Record<string, unknown>)[key]);
    // An own `__proto__` member stays a member, as structuredClone keeps it (assignment would
    // set the copy's prototype instead).
    if (key === '__proto__') Object.defineProperty(out, key, { value: member, writable: true, enumerable: true, configurable: true });
    else out[key] = member;
  }
  return out as T;
}
