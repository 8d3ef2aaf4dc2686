import type { ResolvedAttribute } from './resolve.js';

/**
 * Reading resources whose keys may arrive in any case. RFC 7643 §2.1 makes attribute names
 * case-insensitive, and Entra's own test collection sends `UserName`, `Active`, `Primary`
 * (docs/idp/clients.md §2, E8), so every lookup in the core goes through `findKey`.
 */

/** A plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The key of `object` equal to `name` ignoring case: the exact key when present, else the first
 * case-insensitive match in insertion order. Undefined when there is none.
 */
export function findKey(object: Record<string, unknown>, name: string): string | undefined {
  if (Object.hasOwn(object, name)) return name;
  const lower = name.toLowerCase();
  for (const key of Object.keys(object)) if (key.toLowerCase() === lower) return key;
  return undefined;
}

/** `object[name]` with `name` compared case-insensitively (see `findKey`). */
export function getIgnoringCase(object: Record<string, unknown>, name: string): unknown {
  const key = findKey(object, name);
  return key === undefined ? undefined : object[key];
}

/**
 * The object holding `resolved`'s top-level attribute: the resource itself for core and common
 * attributes, `resource[schemaUrn]` for extension attributes (RFC 7643 §3.3). Undefined when an
 * extension object is absent.
 */
function attributeContainer(
  resource: Record<string, unknown>,
  resolved: Pick<ResolvedAttribute, 'extension' | 'schemaUrn'>,
): Record<string, unknown> | undefined {
  if (!resolved.extension) return resource;
  const container = getIgnoringCase(resource, resolved.schemaUrn);
  return isJsonObject(container) ? container : undefined;
}

/** The raw value of `resolved`'s top-level attribute in `resource` (keys matched ignoring case). */
export function readTopLevelValue(
  resource: Record<string, unknown>,
  resolved: Pick<ResolvedAttribute, 'extension' | 'schemaUrn' | 'attribute'>,
): unknown {
  const container = attributeContainer(resource, resolved);
  return container === undefined ? undefined : getIgnoringCase(container, resolved.attribute.name);
}
