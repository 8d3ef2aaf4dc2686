/**
 * A checked SCIM filter (scim/filter) compiled to a parameterised SQL condition that selects
 * exactly the resources `evaluateFilter` selects on their SCIM representation (RFC 7644
 * §3.4.2.2; tests/integration/query/filter-agreement.test.ts runs both on the same rows).
 *
 * Where the values live, per attribute:
 * - `columns`: indexed columns and derived expressions (userName, externalId, meta.created,
 *   the mailbox address, usedBytes…). String columns are compared with an index-friendly
 *   `col = ?` and then exactly (`utf8mb4_nopad_bin`: no accent folding, no trailing-space padding).
 * - `valueIndexes`: a side table of the lower-cased `value`s of a multi-valued attribute that
 *   is otherwise read from the JSON (emails): `emails.value eq` becomes an index lookup.
 * - `sideTables`: derived multi-valued attributes that only exist in another table (groups).
 * - everything else: the stored resource JSON (JSON_VALUE / JSON_TABLE), typed per attribute:
 *   strings case-folded unless caseExact (LOWER under utf8mb4_uca1400_ai_ci, the folding of
 *   scim/case-fold.ts), numbers as DOUBLE, booleans from true/false (also the
 *   strings "True"/"false"), dateTimes as UTC instants whatever offset they were written with.
 *
 * Semantics shared with the evaluator: `ne` is `not eq` (absent attributes match); a
 * multi-valued attribute matches when any value does; `pr` is a non-empty value, for complex
 * attributes any present sub-attribute. Values only ever travel as placeholders; the only text
 * put into SQL is canonical schema names, checked by `jsonKey`.
 */
import type { CheckedAttribute, CheckedFilter, CompareOperator } from '../scim/filter/index.js';
import { evaluateFilter } from '../scim/filter/index.js';
import { ScimError } from '../scim/index.js';
import { foldCase } from '../scim/case-fold.js';
import { parseDateTime } from '../scim/schema/index.js';
import { toDbTime } from './db-time.js';

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/** A sort value in SQL; `notNull` when it always has one (ORDER BY can then walk an index). */
export interface OrderValue extends SqlFragment {
  notNull?: boolean;
}

/**
 * How one attribute path maps to a column or an SQL expression holding its single value.
 * - `lc`: the value folded by scim/case-fold.ts (caseExact=false attributes), binary collation;
 * - `exact`: the value as written; `ci`: the value in any case, case-insensitive collation;
 * - `bool` (0/1), `time` (UTC DATETIME(3)), `int`.
 */
export interface ColumnMapping {
  /** A column of the table the mapping belongs to (qualified with its alias here). */
  column?: string;
  /** Or a whole SQL expression over the main table's alias, e.g. a scalar subquery. */
  sql?: string;
  /** Values bound to the placeholders of `sql`. */
  params?: unknown[];
  kind: 'lc' | 'exact' | 'ci' | 'bool' | 'time' | 'int';
  /** Every row has a value (a NOT NULL column, a COALESCE): sorting needs no NULL handling. */
  notNull?: boolean;
  /**
   * The column holds only values whose (lower-cased) length is at most this, NULL otherwise:
   * it then serves `eq` with a short enough operand, and everything else reads the JSON.
   */
  maxLength?: number;
  /**
   * A generated copy of `column` in the collation sorting compares it with (utf8mb4_nopad_bin),
   * indexed for the list order: ORDER BY the copy walks that index, where ORDER BY the column
   * with a COLLATE clause has to sort every row in scope (migration 7, docs/performance.md).
   */
  orderColumn?: string;
}

/** A derived multi-valued attribute kept in a side table, one row per value. */
export interface SideTableMapping {
  /** `SELECT <owner> FROM <table> <alias> WHERE <alias>.<scope> = ? AND …` */
  table: string;
  alias: string;
  ownerColumn: string;
  scopeColumn: string;
  subColumns: Record<string, ColumnMapping>;
}

/**
 * A side table holding, for a multi-valued attribute stored in the JSON, one row per value
 * whose `value` is a string of at most `maxLength` characters once lower-cased (all of them
 * up to that length): `attr.value eq "x"` is then an index lookup.
 */
export interface ValueIndexMapping {
  table: string;
  alias: string;
  ownerColumn: string;
  scopeColumn: string;
  valueColumn: string;
  maxLength: number;
}

export interface FilterSqlMapping {
  /** Alias of the main table in the query. */
  alias: string;
  idColumn: string;
  /** Value bound to side tables' scope column (the token id). */
  scope: string;
  jsonColumn: string;
  /** By canonical path (`userName`, `meta.created`, `urn:…:mailcow:2.0:User:usedBytes`). */
  columns: Record<string, ColumnMapping>;
  /** By attribute name. */
  sideTables: Record<string, SideTableMapping>;
  /** By attribute name. */
  valueIndexes?: Record<string, ValueIndexMapping>;
  /**
   * Values the representation adds to the stored ones of a multi-valued attribute, by top-level
   * path (`schemas`: the mailcow extension URN is always listed, stored or not).
   */
  extraValues?: Record<string, readonly unknown[]>;
  /** Attributes (by name or canonical path) that cannot be filtered or sorted on, and why. */
  unsupported?: Record<string, string>;
}

type Operand = string | number | boolean;

const NOPAD = 'utf8mb4_nopad_bin';
/**
 * The collation whose LOWER() folds exactly as scim/case-fold.ts does (Unicode 14 case
 * mappings; MariaDB 10.10+, and mailcow ships 10.11 — JSON_TABLE already needs 10.6).
 */
const FOLD = 'utf8mb4_uca1400_ai_ci';

/** `expr` case-folded like foldCase, as a binary string (accents and trailing spaces count). */
function folded(expr: string): string {
  return `LOWER((${expr}) COLLATE ${FOLD}) COLLATE ${NOPAD}`;
}

const TRUE: SqlFragment = { sql: 'TRUE', params: [] };
const OPS: Partial<Record<CompareOperator, string>> = { eq: '=', gt: '>', ge: '>=', lt: '<', le: '<=' };
const MIN_INSTANT = Date.parse('0001-01-01T00:00:00.000Z');
const MAX_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A member name inside a JSON path literal; schema names only, never filter text. */
function jsonKey(name: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return name;
  if (/["'\\]/.test(name)) throw new Error(`attribute name ${JSON.stringify(name)} cannot be used in a JSON path`);
  return `"${name}"`;
}

/** `$.emails`, `$."urn:…:enterprise:2.0:User".manager`, with `.sub` when given. */
function jsonPath(a: CheckedAttribute, sub?: string): string {
  const base = a.extension ? `$.${jsonKey(a.schemaUrn)}.${jsonKey(a.attribute)}` : `$.${jsonKey(a.attribute)}`;
  return sub ? `${base}.${jsonKey(sub)}` : base;
}

function and(...parts: SqlFragment[]): SqlFragment {
  return { sql: `(${parts.map((p) => p.sql).join(' AND ')})`, params: parts.flatMap((p) => p.params) };
}

function or(...parts: SqlFragment[]): SqlFragment {
  if (parts.length === 0) return { sql: 'FALSE', params: [] };
  return { sql: `(${parts.map((p) => p.sql).join(' OR ')})`, params: parts.flatMap((p) => p.params) };
}

/** SCIM's `not`: SQL's NOT of an unknown (NULL) is unknown; SCIM's "not (no match)" is a match. */
function not(inner: SqlFragment): SqlFragment {
  return { sql: `NOT COALESCE(${inner.sql}, FALSE)`, params: inner.params };
}

function isText(a: CheckedAttribute): boolean {
  return a.type === 'string' || a.type === 'reference' || a.type === 'binary';
}

/**
 * A typed SQL value from the raw text of a JSON value (JSON_VALUE or a JSON_TABLE column):
 * comparable with `operandOf` and in the order `scim/sort.ts` defines.
 */
function typedJson(raw: string, a: CheckedAttribute): string {
  switch (a.type) {
    case 'boolean':
      return `(CASE LOWER(${raw}) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)`;
    case 'integer':
    case 'decimal':
      return `CAST(${raw} AS DOUBLE)`;
    case 'dateTime': {
      // xsd:dateTime text → UTC DATETIME(3); the offset is subtracted by hand because
      // CONVERT_TZ leaves values outside the TIMESTAMP range (before 1970) unconverted.
      const offset = `(CASE WHEN ${raw} REGEXP '[+-][0-9]{2}:[0-9]{2}$' THEN (CASE WHEN SUBSTR(${raw}, -6, 1) = '-' THEN -1 ELSE 1 END) * (SUBSTR(${raw}, -5, 2) * 60 + SUBSTR(${raw}, -2, 2)) ELSE 0 END)`;
      return `(CAST(REGEXP_REPLACE(REGEXP_REPLACE(${raw}, '([Zz]|[+-][0-9]{2}:[0-9]{2})$', ''), '[Tt]', ' ') AS DATETIME(3)) - INTERVAL ${offset} MINUTE)`;
    }
    default:
      return a.caseExact ? `(${raw}) COLLATE ${NOPAD}` : folded(raw);
  }
}

/** The filter value as bound next to the typed SQL of `a`. */
function operandOf(a: CheckedAttribute, value: Operand): Operand {
  switch (a.type) {
    case 'boolean':
      return value === true ? 1 : 0;
    case 'dateTime': {
      const ms = Math.min(Math.max(parseDateTime(String(value)) ?? 0, MIN_INSTANT), MAX_INSTANT);
      return toDbTime(new Date(ms).toISOString());
    }
    case 'integer':
    case 'decimal':
      return value;
    default:
      return a.caseExact ? String(value) : foldCase(String(value));
  }
}

/** `typed op ?` for one comparison (never `ne`, which is compiled as `not eq`). */
function comparison(typed: SqlFragment, op: CompareOperator, operand: Operand): SqlFragment {
  switch (op) {
    case 'co':
      return { sql: `${typed.sql} LIKE ?`, params: [...typed.params, `%${escapeLike(String(operand))}%`] };
    case 'sw':
      return { sql: `${typed.sql} LIKE ?`, params: [...typed.params, `${escapeLike(String(operand))}%`] };
    case 'ew':
      return { sql: `${typed.sql} LIKE ?`, params: [...typed.params, `%${escapeLike(String(operand))}`] };
    default:
      return { sql: `${typed.sql} ${OPS[op]} ?`, params: [...typed.params, operand] };
  }
}

/** `raw` holds a present value: not NULL and, for text, not "". */
function presentRaw(raw: string, a: CheckedAttribute): string {
  return isText(a) || a.type === 'dateTime' ? `(${raw} IS NOT NULL AND (${raw}) COLLATE ${NOPAD} <> '')` : `${raw} IS NOT NULL`;
}

/** The same attribute narrowed to one of its sub-attributes (for `pr` on a complex value). */
function subAttributeOf(a: CheckedAttribute, subName: string): CheckedAttribute {
  const def = a.parent.subAttributes!.find((s) => s.name === subName)!;
  return {
    ...a,
    sub: def.name,
    canonicalPath: `${a.canonicalPath}.${def.name}`,
    type: def.type,
    caseExact: def.caseExact,
    definition: def,
  };
}

/** Sub-attributes named anywhere in a value filter's inner filter ('' for the element itself). */
function collectSubs(f: CheckedFilter, out: Set<string>): void {
  switch (f.kind) {
    case 'and':
    case 'or':
      collectSubs(f.left, out);
      collectSubs(f.right, out);
      return;
    case 'not':
      collectSubs(f.filter, out);
      return;
    case 'present':
    case 'compare':
      out.add(f.attribute.sub ?? '');
      return;
    case 'valuePath':
      return;
  }
}

/** `value eq "x"` that every match of a value filter must satisfy, if there is one (for an index prefilter). */
function impliedValueEq(f: CheckedFilter): string | undefined {
  if (f.kind === 'compare' && f.op === 'eq' && f.attribute.sub === 'value' && typeof f.value === 'string') return f.value;
  if (f.kind === 'and') return impliedValueEq(f.left) ?? impliedValueEq(f.right);
  return undefined;
}

export class FilterCompiler {
  constructor(private readonly m: FilterSqlMapping) {}

  compile(f: CheckedFilter): SqlFragment {
    switch (f.kind) {
      case 'and':
      case 'or': {
        const l = this.compile(f.left);
        const r = this.compile(f.right);
        return { sql: `(${l.sql} ${f.kind.toUpperCase()} ${r.sql})`, params: [...l.params, ...r.params] };
      }
      case 'not':
        return not(this.compile(f.filter));
      case 'present':
        return this.present(f.attribute);
      case 'compare':
        // "ne" is "not eq" (the evaluator's reading): no value equals, or none at all.
        return f.op === 'ne' ? not(this.compare(f.attribute, 'eq', f.value)) : this.compare(f.attribute, f.op, f.value);
      case 'valuePath':
        return this.valuePath(f.attribute, f.filter);
    }
  }

  /**
   * The typed value `sortBy` orders by (RFC 7644 §3.4.2.3): the attribute's value; for a
   * multi-valued one the primary value, else the first. NULL when there is none. Throws
   * invalidValue for attributes that have no single order (complex ones, side tables).
   */
  orderExpression(a: CheckedAttribute): OrderValue {
    const why = this.unsupportedReason(a);
    if (why) throw ScimError.invalidValue(why);
    if (this.m.sideTables[a.attribute]) throw ScimError.invalidValue(`'${a.canonicalPath}' cannot be sorted on.`);
    if (a.type === 'complex') throw ScimError.invalidValue(`'${a.canonicalPath}' is complex; sort by one of its sub-attributes (RFC 7644 §3.4.2.3).`);
    const mapped = this.m.columns[a.canonicalPath];
    if (mapped?.orderColumn && mapped.kind === 'lc') return { sql: `${this.m.alias}.${mapped.orderColumn}`, params: [], notNull: mapped.notNull === true };
    if (mapped && mapped.maxLength === undefined) return { ...this.typedColumn(mapped, a, this.m.alias), notNull: mapped.notNull === true };
    this.requireJson(a, ScimError.invalidValue);
    const col = `${this.m.alias}.${this.m.jsonColumn}`;
    if (!a.multiValued) return { sql: typedJson(this.rawJson(a), a), params: [] };
    const columns = `i FOR ORDINALITY, p LONGTEXT CHARACTER SET utf8mb4 PATH '$.primary', v LONGTEXT CHARACTER SET utf8mb4 PATH '${a.sub ? `$.${jsonKey(a.sub)}` : '$'}'`;
    const first = `(SELECT ${typedJson('jt.v', a)} FROM JSON_TABLE(${col}, '${jsonPath(a)}[*]' COLUMNS (${columns})) jt ORDER BY COALESCE(LOWER(jt.p) = 'true', 0) DESC, jt.i LIMIT 1)`;
    const extra = this.extraValuesOf(a)[0];
    if (extra === undefined || a.sub) return { sql: first, params: [] };
    return { sql: `COALESCE(${first}, ?)`, params: [operandOf(a, extra as Operand)] };
  }

  private unsupportedReason(a: CheckedAttribute): string | undefined {
    return this.m.unsupported?.[a.canonicalPath] ?? this.m.unsupported?.[a.attribute];
  }

  private refuseUnsupported(a: CheckedAttribute): void {
    const why = this.unsupportedReason(a);
    if (why) throw ScimError.invalidFilter(why);
  }

  /**
   * Read-only attributes are computed by the server, not stored in the JSON (scim/resource-input.ts
   * drops them; read-only sub-attributes of writable ones, such as manager.displayName, are kept):
   * without a column or side table for them, refuse rather than answer from a JSON that never has them.
   */
  private requireJson(a: CheckedAttribute, refuse: (detail: string) => ScimError = ScimError.invalidFilter): void {
    if (a.parent.mutability === 'readOnly') {
      throw refuse(`'${a.canonicalPath}' is computed by the server and cannot be filtered or sorted on.`);
    }
  }

  private topKey(a: CheckedAttribute): string {
    return a.extension ? `${a.schemaUrn}:${a.attribute}` : a.attribute;
  }

  private extraValuesOf(a: CheckedAttribute): readonly unknown[] {
    return this.m.extraValues?.[this.topKey(a)] ?? [];
  }

  /** Whether the values the representation adds (extraValues) already satisfy `node`. */
  private extraMatches(a: CheckedAttribute, node: CheckedFilter): boolean {
    const extra = this.extraValuesOf(a);
    if (extra.length === 0) return false;
    const resource = a.extension ? { [a.schemaUrn]: { [a.attribute]: [...extra] } } : { [a.attribute]: [...extra] };
    return evaluateFilter(node, resource);
  }

  /** The raw JSON text of a single-valued attribute (booleans as true/false, not JSON_VALUE's 1/0). */
  private rawJson(a: CheckedAttribute, sub = a.sub): string {
    const col = `${this.m.alias}.${this.m.jsonColumn}`;
    const path = jsonPath(a, sub);
    return a.type === 'boolean' ? `JSON_UNQUOTE(JSON_EXTRACT(${col}, '${path}'))` : `JSON_VALUE(${col}, '${path}')`;
  }

  /** `alias.column` or the mapping's expression, untyped. */
  private columnExpr(mapped: ColumnMapping, alias: string): SqlFragment {
    if (mapped.sql !== undefined) return { sql: `(${mapped.sql})`, params: [...(mapped.params ?? [])] };
    return { sql: `${alias}.${mapped.column}`, params: [] };
  }

  /** A column's value in the same typed form as `typedJson` (strings folded unless caseExact). */
  private typedColumn(mapped: ColumnMapping, a: CheckedAttribute, alias: string): SqlFragment {
    const e = this.columnExpr(mapped, alias);
    switch (mapped.kind) {
      case 'bool':
      case 'time':
      case 'int':
        return e;
      case 'lc':
        return { sql: `${e.sql} COLLATE ${NOPAD}`, params: e.params };
      case 'exact':
      case 'ci':
        return { sql: a.caseExact ? `${e.sql} COLLATE ${NOPAD}` : folded(e.sql), params: e.params };
    }
  }

  private columnCompare(mapped: ColumnMapping, a: CheckedAttribute, op: CompareOperator, value: Operand, alias: string): SqlFragment {
    const operand = operandOf(a, value);
    const exact = comparison(this.typedColumn(mapped, a, alias), op, operand);
    // `col = ?` in the column's own collation finds the rows through its index (it matches a
    // superset: padding, and case for ci columns); the typed comparison then decides exactly.
    const indexable = mapped.column !== undefined && op === 'eq' && (mapped.kind === 'lc' || mapped.kind === 'ci' || (mapped.kind === 'exact' && a.caseExact));
    return indexable ? and({ sql: `${alias}.${mapped.column} = ?`, params: [operand] }, exact) : exact;
  }

  private columnPresent(mapped: ColumnMapping, alias: string): SqlFragment {
    const e = this.columnExpr(mapped, alias);
    const text = mapped.kind === 'lc' || mapped.kind === 'exact' || mapped.kind === 'ci';
    return { sql: text ? `(${e.sql} IS NOT NULL AND ${e.sql} COLLATE ${NOPAD} <> '')` : `${e.sql} IS NOT NULL`, params: text ? [...e.params, ...e.params] : e.params };
  }

  /** A column usable for this comparison (one with maxLength only for a short enough `eq`). */
  private columnFor(a: CheckedAttribute, op: CompareOperator | 'pr', value?: Operand): ColumnMapping | undefined {
    const mapped = this.m.columns[a.canonicalPath];
    if (!mapped || mapped.maxLength === undefined) return mapped;
    if (op === 'eq' && typeof value === 'string' && foldCase(value).length <= mapped.maxLength) return mapped;
    return undefined;
  }

  private present(a: CheckedAttribute): SqlFragment {
    this.refuseUnsupported(a);
    if (this.extraMatches(a, { kind: 'present', attribute: a })) return TRUE;
    const side = this.m.sideTables[a.attribute];
    if (side) return this.inSide(side, a.sub ? this.sideLeaf(side, a) : TRUE);
    const mapped = this.columnFor(a, 'pr');
    if (mapped) return this.columnPresent(mapped, this.m.alias);
    if (a.sub === undefined && a.parent.type === 'complex') {
      const subs = (a.parent.subAttributes ?? []).filter((s) => s.returned !== 'never');
      if (!a.multiValued) return or(...subs.map((s) => this.present(subAttributeOf(a, s.name))));
      this.requireJson(a);
      const names = subs.map((s) => s.name);
      return this.jsonTableExists(a, names, or(...names.map((n, i) => ({ sql: presentRaw(`jt.c${i}`, subAttributeOf(a, n)), params: [] }))));
    }
    this.requireJson(a);
    if (!a.multiValued) return { sql: presentRaw(this.rawJson(a), a), params: [] };
    return this.jsonTableExists(a, [a.sub ?? ''], { sql: presentRaw('jt.c0', a), params: [] });
  }

  private compare(a: CheckedAttribute, op: CompareOperator, value: Operand): SqlFragment {
    this.refuseUnsupported(a);
    if (this.extraMatches(a, { kind: 'compare', attribute: a, op, value })) return TRUE;
    const side = this.m.sideTables[a.attribute];
    if (side) return this.inSide(side, this.sideLeaf(side, a, op, value));
    const index = this.m.valueIndexes?.[a.attribute];
    if (index && a.sub === 'value' && op === 'eq' && !a.caseExact && typeof value === 'string' && foldCase(value).length <= index.maxLength) {
      return this.indexLookup(index, value);
    }
    const mapped = this.columnFor(a, op, value);
    if (mapped) return this.columnCompare(mapped, a, op, value, this.m.alias);
    this.requireJson(a);
    if (!a.multiValued) return comparison({ sql: typedJson(this.rawJson(a), a), params: [] }, op, operandOf(a, value));
    return this.jsonTableExists(a, [a.sub ?? ''], comparison({ sql: typedJson('jt.c0', a), params: [] }, op, operandOf(a, value)));
  }

  /** `attr[filter]`: every condition of `filter` holds for one and the same value of `attr`. */
  private valuePath(a: CheckedAttribute, inner: CheckedFilter): SqlFragment {
    this.refuseUnsupported(a);
    if (this.extraMatches(a, { kind: 'valuePath', attribute: a, filter: inner })) return TRUE;
    const side = this.m.sideTables[a.attribute];
    if (side) return this.inSide(side, this.sideInner(side, inner));
    // A single-valued complex attribute has one value: its filter is the filter on its sub-attributes.
    if (!a.multiValued) return and(this.present(a), this.compile(inner));
    this.requireJson(a);
    const names = new Set<string>();
    collectSubs(inner, names);
    const list = [...names];
    const exists = this.jsonTableExists(a, list.length ? list : [''], this.jsonInner(inner, list));
    const index = this.m.valueIndexes?.[a.attribute];
    const eqValue = impliedValueEq(inner);
    if (index && eqValue !== undefined && foldCase(eqValue).length <= index.maxLength) return and(this.indexLookup(index, eqValue), exists);
    return exists;
  }

  /** EXISTS over the values of a multi-valued JSON attribute, one column `c<i>` per sub-attribute. */
  private jsonTableExists(a: CheckedAttribute, subs: string[], where: SqlFragment): SqlFragment {
    const col = `${this.m.alias}.${this.m.jsonColumn}`;
    const columns = subs.map((s, i) => `c${i} LONGTEXT CHARACTER SET utf8mb4 PATH '${s ? `$.${jsonKey(s)}` : '$'}'`).join(', ');
    return { sql: `EXISTS (SELECT 1 FROM JSON_TABLE(${col}, '${jsonPath(a)}[*]' COLUMNS (${columns})) jt WHERE ${where.sql})`, params: where.params };
  }

  private jsonInner(f: CheckedFilter, names: string[]): SqlFragment {
    switch (f.kind) {
      case 'and':
      case 'or': {
        const l = this.jsonInner(f.left, names);
        const r = this.jsonInner(f.right, names);
        return { sql: `(${l.sql} ${f.kind.toUpperCase()} ${r.sql})`, params: [...l.params, ...r.params] };
      }
      case 'not':
        return not(this.jsonInner(f.filter, names));
      case 'present':
        return { sql: presentRaw(`jt.c${names.indexOf(f.attribute.sub ?? '')}`, f.attribute), params: [] };
      case 'compare': {
        const typed = { sql: typedJson(`jt.c${names.indexOf(f.attribute.sub ?? '')}`, f.attribute), params: [] };
        return f.op === 'ne' ? not(comparison(typed, 'eq', operandOf(f.attribute, f.value))) : comparison(typed, f.op, operandOf(f.attribute, f.value));
      }
      case 'valuePath':
        throw ScimError.invalidFilter('Value filters cannot be nested.');
    }
  }

  private indexLookup(index: ValueIndexMapping, value: string): SqlFragment {
    const lc = foldCase(value);
    const v = `${index.alias}.${index.valueColumn}`;
    return {
      sql: `${this.m.alias}.${this.m.idColumn} IN (SELECT ${index.alias}.${index.ownerColumn} FROM ${index.table} ${index.alias} WHERE ${index.alias}.${index.scopeColumn} = ? AND ${v} = ? AND ${v} COLLATE ${NOPAD} = ?)`,
      params: [this.m.scope, lc, lc],
    };
  }

  private inSide(side: SideTableMapping, inner: SqlFragment): SqlFragment {
    return {
      sql: `${this.m.alias}.${this.m.idColumn} IN (SELECT ${side.alias}.${side.ownerColumn} FROM ${side.table} ${side.alias} WHERE ${side.alias}.${side.scopeColumn} = ? AND ${inner.sql})`,
      params: [this.m.scope, ...inner.params],
    };
  }

  private sideLeaf(side: SideTableMapping, a: CheckedAttribute, op?: CompareOperator, value?: Operand): SqlFragment {
    const sub = a.sub ?? 'value';
    const mapped = side.subColumns[sub];
    if (!mapped) throw ScimError.invalidFilter(`Filtering on '${a.attribute}.${sub}' is not supported.`);
    if (op === undefined || value === undefined) return this.columnPresent(mapped, side.alias);
    if (op === 'ne') return not(this.columnCompare(mapped, a, 'eq', value, side.alias));
    return this.columnCompare(mapped, a, op, value, side.alias);
  }

  private sideInner(side: SideTableMapping, f: CheckedFilter): SqlFragment {
    switch (f.kind) {
      case 'and':
      case 'or': {
        const l = this.sideInner(side, f.left);
        const r = this.sideInner(side, f.right);
        return { sql: `(${l.sql} ${f.kind.toUpperCase()} ${r.sql})`, params: [...l.params, ...r.params] };
      }
      case 'not':
        return not(this.sideInner(side, f.filter));
      case 'present':
        return this.sideLeaf(side, f.attribute);
      case 'compare':
        return this.sideLeaf(side, f.attribute, f.op, f.value);
      case 'valuePath':
        throw ScimError.invalidFilter('Value filters cannot be nested.');
    }
  }
}

/** The table columns behind the common attributes every resource has (RFC 7643 §3.1). */
export interface CommonColumns {
  alias: string;
  /** `User`, `Group`: meta.resourceType, and `/Users/` in meta.location. */
  resourceType: string;
  endpoint: string;
  /** The base URL responses use for meta.location; without it meta.location cannot be filtered on. */
  baseUrl?: string;
}

/**
 * Mappings for id and the server-maintained meta sub-attributes, computed exactly as the
 * representation shows them (ETag `W/"<version>"`, location `<base><endpoint>/<id>`), for a
 * table with NOT NULL columns id, version, created_at and last_modified.
 */
export function commonColumns(c: CommonColumns): Record<string, ColumnMapping> {
  const out: Record<string, ColumnMapping> = {
    id: { column: 'id', kind: 'exact', notNull: true },
    'meta.resourceType': { sql: '?', params: [c.resourceType], kind: 'exact', notNull: true },
    'meta.created': { column: 'created_at', kind: 'time', notNull: true },
    'meta.lastModified': { column: 'last_modified', kind: 'time', notNull: true },
    'meta.version': { sql: `CONCAT('W/"', ${c.alias}.version, '"')`, kind: 'exact', notNull: true },
  };
  if (c.baseUrl !== undefined) out['meta.location'] = { sql: `CONCAT(?, ${c.alias}.id)`, params: [`${c.baseUrl}${c.endpoint}/`], kind: 'exact', notNull: true };
  return out;
}

/** The reason meta.location cannot be filtered on when the base URL is unknown. */
export function unsupportedWithoutBaseUrl(c: CommonColumns): Record<string, string> {
  return c.baseUrl === undefined ? { 'meta.location': 'meta.location cannot be filtered on here; filter on id instead.' } : {};
}
