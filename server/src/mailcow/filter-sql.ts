/**
 * A checked SCIM filter (scim/filter) compiled to a parameterised SQL condition. Indexed
 * columns are used where the resource type maps an attribute to one (userName, externalId,
 * e-mail values…); every other attribute is read from the stored resource JSON. Values only
 * ever travel as placeholders; SQL is never built from filter text.
 */
import type { CheckedAttribute, CheckedFilter } from '../scim/filter/index.js';
import { ScimError } from '../scim/index.js';
import { toDbTime } from './db-time.js';

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/** How one attribute path maps to a column. `lc` columns hold the lower-cased value (caseExact=false attributes). */
export interface ColumnMapping {
  column: string;
  kind: 'lc' | 'exact' | 'bool' | 'time' | 'int';
}

/** A multi-valued attribute kept in a side table, one row per value. */
export interface SideTableMapping {
  /** `SELECT <owner> FROM <table> <alias> WHERE <alias>.<scope> = ? AND …` */
  table: string;
  alias: string;
  ownerColumn: string;
  scopeColumn: string;
  subColumns: Record<string, ColumnMapping>;
}

export interface FilterSqlMapping {
  /** Alias of the main table in the query. */
  alias: string;
  idColumn: string;
  /** Value bound to side tables' scope column (the token id). */
  scope: string;
  jsonColumn: string;
  columns: Record<string, ColumnMapping>;
  sideTables: Record<string, SideTableMapping>;
  /** Attributes that cannot be filtered at all (derived ones without a table yet). */
  unsupported?: Record<string, string>;
}

const OPS: Record<string, string> = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' };

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The comparison of `expr` (already lower-cased when `lower`) with a value, as SQL. */
function compareExpr(expr: string, op: string, value: string | number | boolean, kind: ColumnMapping['kind'] | 'json', caseExact: boolean): SqlFragment {
  let v: unknown = value;
  let e = expr;
  if (typeof value === 'string') {
    if (kind === 'time') v = toDbTime(new Date(value).toISOString());
    else if (kind === 'lc') v = value.toLowerCase();
    else if (kind === 'json' && !caseExact) {
      e = `LOWER(${expr})`;
      v = value.toLowerCase();
    }
  }
  if (typeof value === 'boolean') v = kind === 'json' ? (value ? 'true' : 'false') : value ? 1 : 0;
  switch (op) {
    case 'co':
      return { sql: `${e} LIKE ?`, params: [`%${escapeLike(String(v))}%`] };
    case 'sw':
      return { sql: `${e} LIKE ?`, params: [`${escapeLike(String(v))}%`] };
    case 'ew':
      return { sql: `${e} LIKE ?`, params: [`%${escapeLike(String(v))}`] };
    default: {
      if (op === 'ne') return { sql: `(${e} IS NULL OR ${e} <> ?)`, params: [v] };
      if (kind === 'json' && typeof value === 'number') return { sql: `CAST(${expr} AS DECIMAL(38,10)) ${OPS[op]} ?`, params: [v] };
      return { sql: `${e} ${OPS[op]} ?`, params: [v] };
    }
  }
}

function jsonPath(a: CheckedAttribute, sub?: string): string {
  const key = (k: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : `"${k}"`);
  const base = a.extension ? `$.${key(a.schemaUrn)}.${key(a.attribute)}` : `$.${key(a.attribute)}`;
  return sub ? `${base}.${key(sub)}` : base;
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
      case 'not': {
        const inner = this.compile(f.filter);
        // SQL's three-valued logic: NOT (NULL) is NULL, SCIM's "not" of "no match" is a match.
        return { sql: `NOT COALESCE(${inner.sql}, FALSE)`, params: inner.params };
      }
      case 'present':
      case 'compare':
        return this.leaf(f.attribute, f.kind === 'present' ? undefined : f);
      case 'valuePath':
        return this.valuePath(f.attribute, f.filter);
    }
  }

  /** Ordering expression for sortBy. */
  orderExpression(a: CheckedAttribute): SqlFragment {
    const mapped = this.m.columns[a.canonicalPath];
    if (mapped) return { sql: `${this.m.alias}.${mapped.column}`, params: [] };
    if (a.multiValued) {
      // RFC 7644 §3.4.2.3: sort multi-valued attributes by their primary value, else the first.
      const path = jsonPath(a);
      return { sql: `LOWER(JSON_VALUE(${this.m.alias}.${this.m.jsonColumn}, CONCAT('${path}[', IFNULL((SELECT jt.i - 1 FROM JSON_TABLE(${this.m.alias}.${this.m.jsonColumn}, '${path}[*]' COLUMNS (i FOR ORDINALITY, p VARCHAR(5) PATH '$.primary')) jt WHERE jt.p = 'true' LIMIT 1), 0), ']${a.sub ? `.${a.sub}` : ''}')))`, params: [] };
    }
    return { sql: `LOWER(JSON_VALUE(${this.m.alias}.${this.m.jsonColumn}, '${jsonPath(a, a.sub)}'))`, params: [] };
  }

  private unsupported(a: CheckedAttribute): void {
    const why = this.m.unsupported?.[a.attribute];
    if (why) throw ScimError.invalidFilter(why);
  }

  private leaf(a: CheckedAttribute, cmp?: { op: string; value: string | number | boolean }): SqlFragment {
    this.unsupported(a);
    if (cmp?.op === 'ne' && a.multiValued) {
      // "ne" is "not eq" (the in-memory evaluator's reading): no value equals, or none at all.
      const eq = this.leaf(a, { op: 'eq', value: cmp.value });
      return { sql: `NOT COALESCE(${eq.sql}, FALSE)`, params: eq.params };
    }
    const side = this.m.sideTables[a.attribute];
    if (side) {
      const inner = this.sideCondition(side, a, cmp);
      return this.exists(side, inner);
    }
    const mapped = this.m.columns[a.canonicalPath];
    if (mapped) {
      const col = `${this.m.alias}.${mapped.column}`;
      if (!cmp) return { sql: `(${col} IS NOT NULL${mapped.kind === 'lc' || mapped.kind === 'exact' ? ` AND ${col} <> ''` : ''})`, params: [] };
      return compareExpr(col, cmp.op, cmp.value, mapped.kind, a.caseExact);
    }
    return this.jsonLeaf(a, cmp);
  }

  private jsonLeaf(a: CheckedAttribute, cmp?: { op: string; value: string | number | boolean }): SqlFragment {
    const col = `${this.m.alias}.${this.m.jsonColumn}`;
    if (a.multiValued) {
      const sub = a.sub;
      const columns = `v LONGTEXT PATH '$${sub ? `.${/^[A-Za-z_]\w*$/.test(sub) ? sub : `"${sub}"`}` : ''}'`;
      const jt = `JSON_TABLE(${col}, '${jsonPath(a)}[*]' COLUMNS (${columns})) jt`;
      if (!cmp) return { sql: `EXISTS (SELECT 1 FROM ${jt} WHERE jt.v IS NOT NULL AND jt.v <> '')`, params: [] };
      const c = compareExpr('jt.v', cmp.op, cmp.value, 'json', a.caseExact);
      return { sql: `EXISTS (SELECT 1 FROM ${jt} WHERE ${c.sql})`, params: c.params };
    }
    const path = jsonPath(a, a.sub);
    const v = `JSON_VALUE(${col}, '${path}')`;
    if (!cmp) {
      // Present: a non-empty value, or a non-empty object/array (RFC 7644 §3.4.2.2 "pr").
      return { sql: `(COALESCE(${v}, '') <> '' OR COALESCE(JSON_LENGTH(${col}, '${path}'), 0) > 0 AND JSON_TYPE(JSON_EXTRACT(${col}, '${path}')) IN ('OBJECT','ARRAY'))`, params: [] };
    }
    return compareExpr(v, cmp.op, cmp.value, 'json', a.caseExact);
  }

  private sideCondition(side: SideTableMapping, a: CheckedAttribute, cmp?: { op: string; value: string | number | boolean }): SqlFragment {
    const sub = a.sub ?? 'value';
    const mapped = side.subColumns[sub];
    if (!mapped) throw ScimError.invalidFilter(`Filtering on '${a.attribute}.${sub}' is not supported.`);
    const col = `${side.alias}.${mapped.column}`;
    if (!cmp) return { sql: `${col} IS NOT NULL`, params: [] };
    return compareExpr(col, cmp.op, cmp.value, mapped.kind, a.caseExact);
  }

  private exists(side: SideTableMapping, inner: SqlFragment): SqlFragment {
    return {
      sql: `${this.m.alias}.${this.m.idColumn} IN (SELECT ${side.alias}.${side.ownerColumn} FROM ${side.table} ${side.alias} WHERE ${side.alias}.${side.scopeColumn} = ? AND ${inner.sql})`,
      params: [this.m.scope, ...inner.params],
    };
  }

  /** `emails[type eq "work" and value co "x"]`: every inner condition holds for the same value. */
  private valuePath(a: CheckedAttribute, inner: CheckedFilter): SqlFragment {
    this.unsupported(a);
    const side = this.m.sideTables[a.attribute];
    if (side) {
      const cond = this.innerSide(side, inner);
      return this.exists(side, cond);
    }
    const col = `${this.m.alias}.${this.m.jsonColumn}`;
    const subs = new Set<string>();
    collectSubs(inner, subs);
    const names = [...subs];
    const columns = names.length
      ? names.map((s, i) => `c${i} LONGTEXT PATH '$.${/^[A-Za-z_]\w*$/.test(s) ? s : `"${s}"`}'`).join(', ')
      : `c0 LONGTEXT PATH '$'`;
    const cond = this.innerJson(inner, names);
    return { sql: `EXISTS (SELECT 1 FROM JSON_TABLE(${col}, '${jsonPath(a)}[*]' COLUMNS (${columns})) jt WHERE ${cond.sql})`, params: cond.params };
  }

  private innerSide(side: SideTableMapping, f: CheckedFilter): SqlFragment {
    switch (f.kind) {
      case 'and':
      case 'or': {
        const l = this.innerSide(side, f.left);
        const r = this.innerSide(side, f.right);
        return { sql: `(${l.sql} ${f.kind.toUpperCase()} ${r.sql})`, params: [...l.params, ...r.params] };
      }
      case 'not': {
        const i = this.innerSide(side, f.filter);
        return { sql: `NOT COALESCE(${i.sql}, FALSE)`, params: i.params };
      }
      case 'present':
        return this.sideCondition(side, f.attribute);
      case 'compare':
        return this.sideCondition(side, f.attribute, f);
      case 'valuePath':
        throw ScimError.invalidFilter('Value filters cannot be nested.');
    }
  }

  private innerJson(f: CheckedFilter, names: string[]): SqlFragment {
    switch (f.kind) {
      case 'and':
      case 'or': {
        const l = this.innerJson(f.left, names);
        const r = this.innerJson(f.right, names);
        return { sql: `(${l.sql} ${f.kind.toUpperCase()} ${r.sql})`, params: [...l.params, ...r.params] };
      }
      case 'not': {
        const i = this.innerJson(f.filter, names);
        return { sql: `NOT COALESCE(${i.sql}, FALSE)`, params: i.params };
      }
      case 'present': {
        const c = `jt.c${Math.max(0, names.indexOf(f.attribute.sub ?? ''))}`;
        return { sql: `(${c} IS NOT NULL AND ${c} <> '')`, params: [] };
      }
      case 'compare': {
        const c = `jt.c${Math.max(0, names.indexOf(f.attribute.sub ?? ''))}`;
        return compareExpr(c, f.op, f.value, 'json', f.attribute.caseExact);
      }
      case 'valuePath':
        throw ScimError.invalidFilter('Value filters cannot be nested.');
    }
  }
}

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
      if (f.attribute.sub) out.add(f.attribute.sub);
      return;
    case 'valuePath':
      return;
  }
}
