/**
 * What a published characteristic means for values, stated once from RFC 7643 §2 and RFC 7644
 * §3.4.2 and independent of the server's code: how two values compare (caseExact), which
 * resources a filter selects, and in which order sortBy lists them. The test values are ASCII,
 * so lower-casing is the whole of case folding here.
 */
import { isText, type AttrRef, type PublishedAttribute } from './published.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value of the attribute's top-level attribute in `resource` (under its URN for extensions). */
export function topValue(resource: Json, ref: AttrRef): unknown {
  const container = ref.extension ? resource[ref.schema] : resource;
  return isObject(container) ? container[ref.top.name] : undefined;
}

/** Every value at the attribute's path: the elements of a multi-valued one, each element's sub-attribute. */
export function leafValues(resource: Json, ref: AttrRef): unknown[] {
  const top = topValue(resource, ref);
  if (top === undefined || top === null) return [];
  const elements = Array.isArray(top) ? top : [top];
  if (!ref.sub) return elements;
  const out: unknown[] = [];
  for (const e of elements) {
    if (!isObject(e)) continue;
    const v = e[ref.sub.name];
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) out.push(...v);
    else out.push(v);
  }
  return out;
}

/** RFC 7643 §2.5: null, "", [] and objects with nothing assigned are no value. */
export function isAssigned(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) return v.some(isAssigned);
  if (isObject(v)) return Object.values(v).some(isAssigned);
  return true;
}

/** Two values of `def` are the same value: text per caseExact, dateTimes as instants, complex member by member. */
export function sameValue(def: PublishedAttribute, a: unknown, b: unknown): boolean {
  if (def.type === 'complex') {
    if (!isObject(a) || !isObject(b)) return false;
    return (def.subAttributes ?? []).every((sub) => {
      const x = a[sub.name];
      const y = b[sub.name];
      if (!isAssigned(x) || !isAssigned(y)) return isAssigned(x) === isAssigned(y);
      return sub.multiValued ? sameList(sub, asList(x), asList(y)) : sameValue(sub, x, y);
    });
  }
  if (typeof a === 'string' && typeof b === 'string') {
    if (def.type === 'dateTime') return Date.parse(a) === Date.parse(b);
    return def.caseExact ? a === b : a.toLowerCase() === b.toLowerCase();
  }
  return a === b;
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

/** Equal as multisets under `sameValue`. */
export function sameList(def: PublishedAttribute, actual: unknown[], expected: unknown[]): boolean {
  if (actual.length !== expected.length) return false;
  const left = [...actual];
  return expected.every((e) => {
    const i = left.findIndex((a) => sameValue({ ...def, multiValued: false }, a, e));
    if (i < 0) return false;
    left.splice(i, 1);
    return true;
  });
}

export type FilterOp = 'eq' | 'co' | 'sw' | 'gt' | 'pr';

/** Whether `resource` matches `<path> <op> <operand>` (RFC 7644 §3.4.2.2: any value of a multi-valued attribute). */
export function matches(resource: Json, ref: AttrRef, op: FilterOp, operand?: unknown): boolean {
  const values = leafValues(resource, ref).filter(isAssigned);
  if (op === 'pr') return values.length > 0;
  return values.some((v) => compare(ref.def, v, op, operand));
}

function compare(def: PublishedAttribute, value: unknown, op: FilterOp, operand: unknown): boolean {
  if (isText(def) && typeof value === 'string' && typeof operand === 'string') {
    const [v, o] = def.caseExact ? [value, operand] : [value.toLowerCase(), operand.toLowerCase()];
    if (op === 'eq') return v === o;
    if (op === 'co') return v.includes(o);
    if (op === 'sw') return v.startsWith(o);
    if (op === 'gt') return v > o;
  }
  if (def.type === 'dateTime' && typeof value === 'string' && typeof operand === 'string') {
    const [v, o] = [Date.parse(value), Date.parse(operand)];
    return op === 'eq' ? v === o : op === 'gt' ? v > o : false;
  }
  if (op === 'eq') return value === operand;
  if (op === 'gt' && typeof value === 'number' && typeof operand === 'number') return value > operand;
  return false;
}

/**
 * The sort value of RFC 7644 §3.4.2.3: the attribute's value; for a multi-valued attribute the
 * primary value, else the first. Text folded unless caseExact, false before true, null for none.
 */
function sortKey(resource: Json, ref: AttrRef): string | number | null {
  const top = topValue(resource, ref);
  let chosen: unknown = top;
  if (ref.top.multiValued) {
    const list = Array.isArray(top) ? top : [];
    chosen = list.find((e) => isObject(e) && e.primary === true) ?? list[0];
  }
  const value = ref.sub ? (isObject(chosen) ? chosen[ref.sub.name] : undefined) : chosen;
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return null;
  if (ref.def.type === 'dateTime') return Date.parse(value);
  return ref.def.caseExact ? value : value.toLowerCase();
}

/**
 * The ids of `resources` in sortBy order: no value last when ascending, ties by id (code
 * points), and descending the exact reverse (RFC 7644 §3.4.2.3 and docs/querying.md).
 */
export function sortedIds(resources: Json[], ref: AttrRef, descending: boolean): string[] {
  const keyed = resources.map((r) => ({ id: String(r.id), key: sortKey(r, ref) }));
  keyed.sort((x, y) => {
    if (x.key === null || y.key === null) {
      if (x.key !== y.key) return x.key === null ? 1 : -1;
    } else if (x.key !== y.key) {
      if (typeof x.key === 'number' && typeof y.key === 'number') return x.key - y.key;
      return codePointCompare(String(x.key), String(y.key));
    }
    return codePointCompare(x.id, y.id);
  });
  const ids = keyed.map((k) => k.id);
  return descending ? ids.reverse() : ids;
}

function codePointCompare(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Whether a JSON value has the published type (RFC 7643 §2.3). */
export function hasType(def: PublishedAttribute, v: unknown): boolean {
  switch (def.type) {
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'decimal':
      return typeof v === 'number';
    case 'dateTime':
      return typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v);
    case 'reference':
      return typeof v === 'string' && v.length > 0;
    case 'binary':
      return typeof v === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(v) && v.length % 4 === 0;
    case 'complex':
      return isObject(v);
    default:
      return false;
  }
}

/** Whether a reference value is of one of the published referenceTypes (RFC 7643 §2.3.7). */
export function referenceKindOk(def: PublishedAttribute, v: string, baseUrl: string): boolean {
  const kinds = def.referenceTypes ?? [];
  return kinds.some((kind) => {
    if (kind === 'external') return /^https?:\/\//i.test(v);
    if (kind === 'uri') return /^[a-z][a-z0-9+.-]*:/i.test(v) || v.startsWith('/');
    return new RegExp(`^${escapeRegExp(baseUrl)}/${kind}s/[^/]+$`).test(v);
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
