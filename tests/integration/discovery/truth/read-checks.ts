/**
 * What reading an attribute shows, against what /Schemas says about it, on a population of
 * resources that carry every writable attribute (three variants each) and whatever the server
 * derives: `type`, `multiValued`, `canonicalValues` and `referenceTypes` of the returned values,
 * `returned` under attributes= and excludedAttributes= (RFC 7644 §3.9), filters for every
 * operator the type allows with `caseExact` deciding case (§3.4.2.2), and sortBy (§3.4.2.3).
 */
import type { CheckLog } from './checks.js';
import { hasType, isAssigned, leafValues, matches, referenceKindOk, sortedIds, topValue, type FilterOp } from './oracle.js';
import { isText, type AttrRef, type PublishedAttribute } from './published.js';
import { describe, listIds, read, type TypeUnderTest } from './resources.js';
import { swapCase } from './samples.js';

type Json = Record<string, unknown>;

/** The common attributes every resource has (RFC 7643 §3.1), which /Schemas leaves out (§7). */
const COMMON = new Set(['schemas', 'id', 'externalId', 'meta']);

/** Every key of every population resource is a published attribute or sub-attribute. */
export function publishedOnly(t: TypeUnderTest, population: Json[], log: CheckLog): void {
  const unknown = new Set<string>();
  const extensions = new Map((t.rt.schemaExtensions ?? []).map((e) => [e.schema, e.schema]));
  const tops = (urn: string) => t.refs.filter((r) => !r.sub && r.schema === urn).map((r) => r.top);
  const visit = (attrs: PublishedAttribute[], object: Json, prefix: string) => {
    for (const [key, value] of Object.entries(object)) {
      const def = attrs.find((a) => a.name === key);
      if (!def) {
        unknown.add(`${prefix}${key}`);
        continue;
      }
      if (def.type !== 'complex') continue;
      for (const element of Array.isArray(value) ? value : [value]) {
        if (element && typeof element === 'object') visit(def.subAttributes ?? [], element as Json, `${prefix}${key}.`);
      }
    }
  };
  for (const resource of population) {
    for (const [key, value] of Object.entries(resource)) {
      if (COMMON.has(key)) continue;
      if (extensions.has(key)) visit(tops(key), value as Json, `${key}:`);
      else visit(tops(t.rt.schema), { [key]: value }, '');
    }
  }
  log.record(`${t.rt.name}: every attribute a response carries is published in /Schemas (under its exact name)`, unknown.size === 0, [...unknown].join(', '));
}

export async function readChecks(t: TypeUnderTest, ref: AttrRef, population: Json[], log: CheckLog): Promise<void> {
  const L = ref.label;
  const def = ref.def;
  if (def.returned === 'never' || def.mutability === 'writeOnly') {
    const asked = await read(t, String(population[0]!.id), `?attributes=${encodeURIComponent(ref.path)}`);
    const anywhere = population.some((r) => leafValues(r, ref).length > 0) || (asked !== undefined && leafValues(asked, ref).length > 0);
    log.record(`${L}: returned never: absent from every response, also when attributes= names it`, !anywhere, anywhere ? 'returned' : '');
    return;
  }
  // An attribute returned on request only is read with attributes= naming it (RFC 7643 §2.2).
  const onRequest = def.returned === 'request' || ref.top.returned === 'request';
  const query = `?attributes=${encodeURIComponent(ref.path)}`;
  const asked = onRequest ? await Promise.all(population.map(async (r) => (await read(t, String(r.id), query)) ?? r)) : population;
  const holder = asked.find((r) => leafValues(r, ref).some(isAssigned));
  log.record(`${L}: a test resource has a value (written, or derived by the server)`, holder !== undefined, 'no resource shows a value');
  if (!holder) return;

  typeChecks(t, ref, asked, log);
  await returnedChecks(t, ref, population.find((r) => r.id === holder.id)!, log);
  await filterChecks(t, ref, holder, asked, log);
  await sortChecks(t, ref, asked, log);
}

function typeChecks(t: TypeUnderTest, ref: AttrRef, population: Json[], log: CheckLog): void {
  const L = ref.label;
  const def = ref.def;
  const values = population.flatMap((r) => leafValues(r, ref));
  const wrongType = values.filter((v) => !hasType(def, v));
  log.record(`${L}: returned values are of type ${def.type}`, wrongType.length === 0, JSON.stringify(wrongType).slice(0, 300));

  // Plurality: of the top-level value for attributes, of each element's member for sub-attributes.
  const shapes = population.flatMap((r) => (ref.sub ? subShapes(r, ref) : shapeOf(topValue(r, ref)))).filter((s) => s !== 'absent');
  const want = def.multiValued ? 'list' : 'single';
  log.record(`${L}: returned as ${def.multiValued ? 'a list (multiValued)' : 'a single value (not multiValued)'}`, shapes.every((s) => s === want), shapes.join(','));

  // What the server sets itself must be what it advertises, no more and no less (a client
  // writing a readOnly attribute is ignored, so only the population can show its values).
  if (def.canonicalValues?.length && def.mutability === 'readOnly') {
    const outside = values.filter((v) => !def.canonicalValues!.includes(String(v)));
    log.record(`${L}: returned values are among canonicalValues`, outside.length === 0, JSON.stringify(outside));
    for (const c of def.canonicalValues) log.record(`${L}: canonical value "${c}" occurs (readOnly: set by the server)`, values.includes(c));
  }
  if (def.type === 'reference') {
    const outside = values.filter((v) => typeof v !== 'string' || !referenceKindOk(def, v, t.ctx.baseUrl));
    log.record(`${L}: returned references are of the referenceTypes ${JSON.stringify(def.referenceTypes ?? [])}`, outside.length === 0, JSON.stringify(outside));
    if (def.mutability === 'readOnly') {
      for (const kind of def.referenceTypes ?? []) {
        const seen = values.some((v) => typeof v === 'string' && referenceKindOk({ ...def, referenceTypes: [kind] }, v, t.ctx.baseUrl));
        log.record(`${L}: a reference to ${kind} occurs (readOnly: set by the server)`, seen);
      }
    }
  }
}

function shapeOf(v: unknown): string {
  if (v === undefined || v === null) return 'absent';
  return Array.isArray(v) ? 'list' : 'single';
}

function subShapes(resource: Json, ref: AttrRef): string[] {
  const top = topValue(resource, ref);
  const elements = Array.isArray(top) ? top : top === undefined ? [] : [top];
  return elements.map((e) => shapeOf(e && typeof e === 'object' ? (e as Json)[ref.sub!.name] : undefined));
}

/** RFC 7643 §2.2 `returned`, through attributes= and excludedAttributes= (RFC 7644 §3.9). */
async function returnedChecks(t: TypeUnderTest, ref: AttrRef, holder: Json, log: CheckLog): Promise<void> {
  const L = ref.label;
  const id = String(holder.id);
  const has = (r: Json | undefined) => !!r && leafValues(r, ref).some(isAssigned);
  const q = encodeURIComponent(ref.path);
  const plain = holder;
  const onlyId = await onlyIdOf(t, id);
  const named = await read(t, id, `?attributes=${q}`);
  const excluded = await read(t, id, `?excludedAttributes=${q}`);
  switch (ref.def.returned) {
    case 'always':
      log.record(`${L}: returned always: present when attributes= names only id`, has(onlyId));
      log.record(`${L}: returned always: present despite excludedAttributes= naming it`, has(excluded));
      break;
    case 'request':
      log.record(`${L}: returned request: absent from a plain GET`, !has(plain));
      log.record(`${L}: returned request: present when attributes= names it`, has(named));
      break;
    default:
      log.record(`${L}: returned default: present in a plain GET`, has(plain));
      log.record(`${L}: returned default: absent when attributes= names only id`, !!onlyId && !has(onlyId));
      log.record(`${L}: returned default: present when attributes= names it`, has(named));
      log.record(`${L}: returned default: absent when excludedAttributes= names it`, !!excluded && !has(excluded));
  }
  if (ref.sub && named) {
    // attributes=parent.sub returns that sub-attribute alone (RFC 7644 §3.9: "sub-attributes … SHALL be returned").
    const others = (topValue(named, ref) === undefined ? [] : [topValue(named, ref)].flat()).flatMap((e) =>
      e && typeof e === 'object' ? Object.keys(e as Json).filter((k) => k !== ref.sub!.name && !isAlways(ref.top, k)) : [],
    );
    log.record(`${L}: attributes= naming it returns no sibling sub-attribute`, others.length === 0, others.join(','));
  }
}

/** `attributes=id` of one resource, read once for all its attributes. */
const onlyIdReads = new Map<string, Promise<Json | undefined>>();
function onlyIdOf(t: TypeUnderTest, id: string): Promise<Json | undefined> {
  let r = onlyIdReads.get(id);
  if (!r) onlyIdReads.set(id, (r = read(t, id, '?attributes=id')));
  return r;
}

function isAlways(top: PublishedAttribute, name: string): boolean {
  return top.subAttributes?.find((s) => s.name === name)?.returned === 'always';
}

/** A filter on `ref` for every operator its type allows, compared with the oracle over the population. */
async function filterChecks(t: TypeUnderTest, ref: AttrRef, holder: Json, population: Json[], log: CheckLog): Promise<void> {
  const def = ref.def;
  const path = ref.path;
  const cases: { name: string; op: FilterOp; operand?: unknown }[] = [{ name: 'pr', op: 'pr' }];
  if (def.type !== 'complex') {
    const value = leafValues(holder, ref).find(isAssigned)!;
    cases.push({ name: 'eq', op: 'eq', operand: value });
    if (isText(def) && typeof value === 'string') {
      const other = swapCase(value);
      if (other !== value) cases.push({ name: `eq in other case (${def.caseExact ? 'caseExact: no match' : 'caseExact false: a match'})`, op: 'eq', operand: other });
      const shown = def.caseExact ? value : other;
      if (value.length >= 3) cases.push({ name: 'co', op: 'co', operand: shown.slice(1, -1) });
      cases.push({ name: 'sw', op: 'sw', operand: shown.slice(0, Math.ceil(value.length / 2)) });
    }
    if (def.type === 'boolean') cases.push({ name: `eq ${!value}`, op: 'eq', operand: !value });
    if (def.type === 'integer' || def.type === 'decimal' || def.type === 'dateTime') {
      const lowest = population.flatMap((r) => leafValues(r, ref)).filter(isAssigned).sort((a, b) => (typeof a === 'number' ? (a as number) - (b as number) : Date.parse(String(a)) - Date.parse(String(b))))[0];
      cases.push({ name: 'gt', op: 'gt', operand: lowest });
    }
  }
  for (const [i, c] of cases.entries()) {
    const filter = c.op === 'pr' ? `${path} pr` : `${path} ${c.op} ${JSON.stringify(c.operand)}`;
    const { ids, response } = await listIds(t, `filter=${encodeURIComponent(filter)}`);
    if (i === 0) {
      // RFC 7644 §3.12 lets a server refuse an attribute in filters (invalidFilter); whether it
      // does is one check, and the operators are checked only where filtering is supported.
      log.record(`${ref.label}: filters on it are supported`, ids !== undefined, `${filter}: ${describe(response)}`);
      if (!ids) return;
    }
    const expected = population.filter((r) => matches(r, ref, c.op, c.operand)).map((r) => String(r.id)).sort();
    const got = ids?.filter((id) => population.some((r) => r.id === id)).sort();
    log.record(`${ref.label}: filter ${c.name}`, got !== undefined && JSON.stringify(got) === JSON.stringify(expected), got ? `${filter}: got ${got.length}, expected ${expected.length}` : `${filter}: ${describe(response)}`);
  }
}

/** sortBy on every single value (a sub-attribute of a multi-valued attribute sorts by the primary, else first, value). */
async function sortChecks(t: TypeUnderTest, ref: AttrRef, population: Json[], log: CheckLog): Promise<void> {
  if (ref.def.type === 'complex') return;
  for (const order of ['ascending', 'descending'] as const) {
    const { ids, response } = await listIds(t, `sortBy=${encodeURIComponent(ref.path)}&sortOrder=${order}`);
    if (order === 'ascending') {
      // Sorting is optional (RFC 7644 §3.4.2.3); whether an attribute sorts is one check.
      log.record(`${ref.label}: sortBy on it is supported`, ids !== undefined, describe(response));
      if (!ids) return;
    }
    const expected = sortedIds(population, ref, order === 'descending');
    const got = ids?.filter((id) => population.some((r) => r.id === id));
    log.record(`${ref.label}: sortBy ${order}`, got !== undefined && JSON.stringify(got) === JSON.stringify(expected), got ? `got ${got.join(' ')}, expected ${expected.join(' ')}` : describe(response));
  }
}
