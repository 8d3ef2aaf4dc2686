/**
 * The JSON side of the filter compiler on types the User schema has no JSON attribute of:
 * dateTime values written with any offset (or none, or a lower-case `t`/`z`, or before 1970)
 * compare as instants, decimals as numbers (1e-7, 0.1 + 0.2, 1e21), in single-valued,
 * multi-valued and complex multi-valued attributes. FilterCompiler runs against MariaDB on a
 * scratch table; evaluateFilter decides on the same documents; both must agree.
 */
import { randomUUID } from 'node:crypto';
import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilterCompiler } from '../../../server/src/mailcow/filter-sql.js';
import { evaluateFilter, type CheckedAttribute, type CheckedFilter, type CompareOperator } from '../../../server/src/scim/filter/index.js';
import { defineAttribute, type AttributeDef, type AttributeType } from '../../../server/src/scim/schema/index.js';
import { compareSortEntries, sortKeyOf } from '../../../server/src/scim/sort.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';

let db: TestDatabase;

const DOCS: Record<string, unknown>[] = [
  { when: '2024-05-01T10:00:00Z', whens: ['2024-05-01T10:00:00Z', '1960-01-01T00:00:00Z'], score: 1.5, scores: [1, 2], events: [{ at: '2024-05-01T12:00:00+02:00', weight: 0.1, ok: true }] },
  { when: '2024-05-01T12:00:00+02:00', score: 1e-7, scores: [0.30000000000000004], events: [{ at: '2024-05-01t10:00:00.5z', weight: 0.3 }, { at: '2024-04-30T23:00:00-11:00', ok: false }] },
  { when: '2024-05-01T04:30:00-05:30', score: -0, events: [{ weight: 1e21 }] },
  { when: '2024-05-01T10:00:00', score: 1e21, whens: ['2100-01-01T00:00:00Z'] },
  { when: '2024-05-01T10:00:00.1234Z', score: 0.1, scores: [-1.25, 3] },
  { when: '1969-12-31T23:59:59.999Z', score: 2, events: [{ at: '1969-12-31T23:59:59.999-00:01', weight: -2, ok: true }] },
  { when: '2024-05-01T10:00:00.999+00:00', whens: ['2024-05-01T10:00:00.999Z'] },
  { score: 42 },
  {},
];

function attribute(name: string, type: AttributeType, opts: { multiValued?: boolean; sub?: AttributeDef } = {}): CheckedAttribute {
  const parent = defineAttribute(name, opts.sub ? 'complex' : type, {
    multiValued: opts.multiValued ?? false,
    ...(opts.sub ? { subAttributes: [defineAttribute('at', 'dateTime'), defineAttribute('weight', 'decimal'), defineAttribute('ok', 'boolean')] } : {}),
  });
  const target = opts.sub ?? parent;
  return {
    schemaUrn: 'urn:test', extension: false, attribute: name, ...(opts.sub ? { sub: opts.sub.name } : {}),
    canonicalPath: opts.sub ? `${name}.${opts.sub.name}` : name, type: target.type, caseExact: target.caseExact,
    multiValued: parent.multiValued, definition: target, parent,
  };
}

const ATTRS: [CheckedAttribute, (string | number | boolean)[]][] = [
  [attribute('when', 'dateTime'), ['2024-05-01T10:00:00Z', '2024-05-01T10:00:00.000+00:00', '2024-05-01T06:00:00-04:00', '2024-05-01T10:00:00.1Z', '2024-05-01T10:00:00.123Z', '1970-01-01T00:00:00Z', '2024-05-01T10:00:00.999Z']],
  [attribute('whens', 'dateTime', { multiValued: true }), ['2024-05-01T10:00:00Z', '1960-01-01T01:00:00+01:00', '2099-12-31T23:59:59Z']],
  [attribute('score', 'decimal'), [1.5, 1e-7, 0, -0, 0.1, 1e21, 42, 0.30000000000000004, 0.3]],
  [attribute('scores', 'decimal', { multiValued: true }), [0.30000000000000004, 1, -1.25, 2.5]],
  [attribute('events', 'dateTime', { multiValued: true, sub: defineAttribute('at', 'dateTime') }), ['2024-05-01T10:00:00Z', '2024-05-01T10:00:00.5Z', '2024-05-01T10:00:00Z', '1970-01-01T00:00:00Z']],
  [attribute('events', 'decimal', { multiValued: true, sub: defineAttribute('weight', 'decimal') }), [0.1, 0.3, 1e21, -2]],
  [attribute('events', 'boolean', { multiValued: true, sub: defineAttribute('ok', 'boolean') }), [true, false]],
];

beforeAll(async () => {
  db = await createTestDatabase({ mailcow: false });
  await db.pool.query(`CREATE TABLE docs (id CHAR(36) NOT NULL PRIMARY KEY, resource LONGTEXT NOT NULL) DEFAULT CHARSET=utf8mb4`);
  for (const doc of DOCS) doc.id = randomUUID();
  await db.pool.query(`INSERT INTO docs (id, resource) VALUES ?`, [DOCS.map((d) => [d.id, JSON.stringify(d)])]);
});
afterAll(async () => {
  await db?.drop();
});

const compiler = new FilterCompiler({ alias: 't', idColumn: 'id', scope: 'scope', jsonColumn: 'resource', columns: {}, sideTables: {} });

async function inSql(f: CheckedFilter): Promise<string[]> {
  const c = compiler.compile(f);
  const [rows] = await db.pool.query<RowDataPacket[]>(`SELECT t.id FROM docs t WHERE ${c.sql}`, c.params);
  return rows.map((r) => String(r.id)).sort();
}
const inMemory = (f: CheckedFilter) => DOCS.filter((d) => evaluateFilter(f, d)).map((d) => String(d.id)).sort();

describe('typed JSON comparisons agree with memory', () => {
  it('dateTimes as instants, decimals as numbers, booleans, single and multi-valued', async () => {
    const disagreements: string[] = [];
    let cases = 0;
    for (const [a, values] of ATTRS) {
      const ops: CompareOperator[] = a.type === 'boolean' ? ['eq', 'ne'] : ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];
      const filters: CheckedFilter[] = [{ kind: 'present', attribute: a }, { kind: 'not', filter: { kind: 'present', attribute: a } }];
      for (const op of ops) for (const value of values) filters.push({ kind: 'compare', attribute: a, op, value });
      if (a.sub) filters.push({ kind: 'valuePath', attribute: { ...a, sub: undefined, canonicalPath: a.attribute, type: 'complex', definition: a.parent }, filter: { kind: 'compare', attribute: a, op: 'ge', value: values[0]! } });
      for (const f of filters) {
        cases++;
        const [sql, memory] = [await inSql(f), inMemory(f)];
        const what = f.kind === 'compare' ? `${f.op} ${JSON.stringify(f.value)}` : f.kind;
        if (JSON.stringify(sql) !== JSON.stringify(memory)) disagreements.push(`${a.canonicalPath} ${what}: sql ${sql.length}, memory ${memory.length}`);
      }
    }
    expect(disagreements).toEqual([]);
    expect(cases).toBeGreaterThan(150);
  });

  it('sorts by them in the stated order (absent last ascending, first descending)', async () => {
    for (const [a] of ATTRS) {
      for (const descending of [false, true]) {
        const v = compiler.orderExpression(a);
        const dir = descending ? 'DESC' : 'ASC';
        const [rows] = await db.pool.query<RowDataPacket[]>(`SELECT t.id FROM docs t ORDER BY ${v.sql} IS NULL ${dir}, ${v.sql} ${dir}, t.id ${dir}`, [...v.params, ...v.params]);
        const expected = DOCS.map((d) => ({ key: sortKeyOf(d, a), id: String(d.id) })).sort((x, y) => compareSortEntries(x, y, descending)).map((e) => e.id);
        expect(rows.map((r) => String(r.id)), `${a.canonicalPath} ${dir}`).toEqual(expected);
      }
    }
  });
});
