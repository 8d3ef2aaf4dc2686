import {
  getIgnoringCase,
  isJsonObject,
  parseDateTime,
  readTopLevelValue,
  toBoolean,
} from '../schema/index.js';
import { foldCase } from '../case-fold.js';
import { compareCodePoints } from '../code-points.js';
import type { CheckedAttribute, CheckedFilter, CheckedValuePath, CompareOperator } from './ast.js';

/**
 * In-memory evaluation of a checked filter against one resource (RFC 7644 §3.4.2.2), used for
 * template rules, PATCH value filters and anything the SQL compiler does not cover.
 *
 * - Attribute names in the resource may have any case (Entra sends `UserName`); extension
 *   attributes live under their schema URN key.
 * - A multi-valued attribute matches when any one of its values matches.
 * - Strings compare case-insensitively (case-fold.ts) unless the attribute is caseExact; ordering operators
 *   compare strings by Unicode code point (after lower-casing when not caseExact), the order of
 *   a binary UTF-8 collation, so SQL and memory agree.
 * - dateTime values compare as instants, numbers as numbers, booleans as booleans (string forms
 *   "True"/"false" in a stored resource are read as booleans).
 * - `ne` is the negation of `eq`: it matches when no value equals the operand, including when
 *   the attribute is absent. (RFC 7644 leaves `ne` on absent and multi-valued attributes open;
 *   this reading keeps `a ne x` ≡ `not (a eq x)`, which the SQL compiler can mirror.)
 * - `pr` is false for null, "", [], {} and for complex values whose members are all absent.
 * - A value whose type does not fit the attribute never matches (no error at evaluation time).
 */
export function evaluateFilter(filter: CheckedFilter, resource: Record<string, unknown>): boolean {
  return evaluate(filter, resource, undefined);
}

/**
 * Whether one value of a multi-valued attribute (an element of `emails`, or one tag) satisfies
 * the inner filter of `valuePath`, e.g. `{type: "work", value: "a@x"}` against
 * `emails[type eq "work"]`. Used by PATCH paths and `attributes` value filters.
 */
export function matchesValueFilter(valuePath: CheckedValuePath, element: unknown): boolean {
  return evaluate(valuePath.filter, {}, { value: element });
}

interface ElementScope {
  readonly value: unknown;
}

function evaluate(node: CheckedFilter, resource: Record<string, unknown>, element: ElementScope | undefined): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, resource, element) && evaluate(node.right, resource, element);
    case 'or':
      return evaluate(node.left, resource, element) || evaluate(node.right, resource, element);
    case 'not':
      return !evaluate(node.filter, resource, element);
    case 'valuePath': {
      const elements = toList(readTop(resource, node.attribute));
      return elements.some((value) => evaluate(node.filter, resource, { value }));
    }
    case 'present':
      return valuesOf(node.attribute, resource, element).some(isPresent);
    case 'compare': {
      const values = valuesOf(node.attribute, resource, element);
      if (node.op === 'ne') return !values.some((v) => compare('eq', node.attribute, v, node.value));
      return values.some((v) => compare(node.op, node.attribute, v, node.value));
    }
  }
}

function readTop(resource: Record<string, unknown>, attribute: CheckedAttribute): unknown {
  return readTopLevelValue(resource, {
    extension: attribute.extension,
    schemaUrn: attribute.schemaUrn,
    attribute: attribute.parent,
  });
}

/** Every value the attribute has in scope, flattened; absent and null values left out. */
function valuesOf(
  attribute: CheckedAttribute,
  resource: Record<string, unknown>,
  element: ElementScope | undefined,
): unknown[] {
  const holders = element ? [element.value] : toList(readTop(resource, attribute));
  if (attribute.sub === undefined) return element ? toList(element.value) : holders;
  const out: unknown[] = [];
  for (const holder of holders) {
    if (isJsonObject(holder)) out.push(...toList(getIgnoringCase(holder, attribute.sub)));
  }
  return out;
}

function toList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.filter((v) => v !== undefined && v !== null) : [value];
}

/** RFC 7644 §3.4.2.2 `pr`: a non-empty value; for complex values, any member present. */
export function isPresent(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.some(isPresent);
  if (isJsonObject(value)) return Object.values(value).some(isPresent);
  return true;
}

function compare(
  op: CompareOperator,
  attribute: CheckedAttribute,
  actual: unknown,
  expected: string | number | boolean,
): boolean {
  switch (attribute.type) {
    case 'boolean': {
      const a = toBoolean(actual);
      return a !== undefined && a === expected;
    }
    case 'integer':
    case 'decimal': {
      const a = toNumber(actual);
      return a !== undefined && typeof expected === 'number' && order(op, a, expected);
    }
    case 'dateTime': {
      const a = typeof actual === 'string' ? parseDateTime(actual) : undefined;
      const e = typeof expected === 'string' ? parseDateTime(expected) : undefined;
      return a !== undefined && e !== undefined && order(op, a, e);
    }
    case 'string':
    case 'reference':
    case 'binary':
    case 'complex': {
      if (typeof actual !== 'string' && typeof actual !== 'number' && typeof actual !== 'boolean') return false;
      if (typeof expected !== 'string') return false;
      let a = String(actual);
      let e = expected;
      if (!attribute.caseExact) {
        a = foldCase(a);
        e = foldCase(e);
      }
      switch (op) {
        case 'co':
          return a.includes(e);
        case 'sw':
          return a.startsWith(e);
        case 'ew':
          return a.endsWith(e);
        default:
          return order(op, compareCodePoints(a, e), 0);
      }
    }
  }
}

function order<T extends number | string>(op: CompareOperator, a: T, e: T): boolean {
  switch (op) {
    case 'eq':
      return a === e;
    case 'ne':
      return a !== e;
    case 'gt':
      return a > e;
    case 'ge':
      return a >= e;
    case 'lt':
      return a < e;
    case 'le':
      return a <= e;
    default:
      return false;
  }
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}
