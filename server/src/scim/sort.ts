/**
 * The order `sortBy` / `sortOrder` define (RFC 7644 §3.4.2.3), stated once in memory. The SQL
 * in mailcow/resource-list.ts produces the same order; tests/integration/query/sort.test.ts
 * sorts the same resources both ways and compares.
 *
 * - The sort value of a single-valued attribute is its value; of a multi-valued one, the value
 *   marked primary, else the first ("no data" when the chosen element lacks the sub-attribute).
 * - Strings compare by Unicode code point, case-folded first (case-fold.ts) unless caseExact; numbers as
 *   numbers; dateTimes as instants; false before true.
 * - Resources without a value come last when ascending and first when descending (§3.4.2.3).
 * - Ties break on `id` in the same direction, so pages never overlap or skip.
 */
import type { CheckedAttribute } from './filter/index.js';
import { foldCase } from './case-fold.js';
import { compareCodePoints } from './code-points.js';
import { getIgnoringCase, isJsonObject, parseDateTime, readTopLevelValue, toBoolean } from './schema/index.js';

/** A sort value: a string (folded as the attribute requires), a number, or null for no data. */
export type SortKey = string | number | null;

export { compareCodePoints };

function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.filter((v) => v !== undefined && v !== null) : [value];
}

/** The value `resource` sorts by for `attribute` (see the header). */
export function sortKeyOf(resource: Record<string, unknown>, attribute: CheckedAttribute): SortKey {
  const top = readTopLevelValue(resource, { extension: attribute.extension, schemaUrn: attribute.schemaUrn, attribute: attribute.parent });
  let value: unknown;
  if (attribute.multiValued) {
    const list = listOf(top);
    const chosen = list.find((e) => isJsonObject(e) && toBoolean(getIgnoringCase(e, 'primary')) === true) ?? list[0];
    value = attribute.sub === undefined ? chosen : isJsonObject(chosen) ? getIgnoringCase(chosen, attribute.sub) : undefined;
  } else {
    value = attribute.sub === undefined ? top : isJsonObject(top) ? getIgnoringCase(top, attribute.sub) : undefined;
  }
  if (value === undefined || value === null) return null;
  switch (attribute.type) {
    case 'boolean': {
      const b = toBoolean(value);
      return b === undefined ? null : b ? 1 : 0;
    }
    case 'integer':
    case 'decimal':
      return typeof value === 'number' ? value : null;
    case 'dateTime':
      return typeof value === 'string' ? (parseDateTime(value) ?? null) : null;
    case 'complex':
      return null;
    default:
      if (typeof value !== 'string') return null;
      return attribute.caseExact ? value : foldCase(value);
  }
}

/** Orders two list entries by sort value, then id (see the header). */
export function compareSortEntries(x: { key: SortKey; id: string }, y: { key: SortKey; id: string }, descending: boolean): number {
  let c: number;
  if (x.key === null || y.key === null) c = (x.key === null ? 1 : 0) - (y.key === null ? 1 : 0);
  else if (typeof x.key === 'number' && typeof y.key === 'number') c = Math.sign(x.key - y.key);
  else c = compareCodePoints(String(x.key), String(y.key));
  if (c === 0) c = compareCodePoints(x.id, y.id);
  return descending ? -c : c;
}
