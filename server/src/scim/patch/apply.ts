import { matchesValueFilter, type CheckedFilter, type CheckedValuePath } from '../filter/index.js';
import {
  coerceAttributeValue,
  findAttribute,
  findKey,
  getIgnoringCase,
  getSchemaDef,
  isJsonObject,
  isUnassigned,
  resolveSchemaUrn,
  type AttributeDef,
  type ResolvedAttribute,
  type ResourceTypeDef,
} from '../schema/index.js';
import { ScimError } from '../scim-error.js';
import { cloneJson, isDeepEqual, isSameMultiset } from './json-value.js';
import type { PatchOperation } from './normalize.js';
import { resolvePatchPath, type PatchTarget } from './path.js';

/**
 * Applying PATCH operations (RFC 7644 §3.5.2) to a resource held as JSON.
 *
 * Guarantees: the input is never mutated; the result is a new object; the request is atomic
 * (the first failing operation throws and nothing is returned); attribute names are matched
 * ignoring case and written with their canonical spelling; values are checked and coerced
 * against the schema (`coerceAttributeValue`: Entra's `"False"`, a bare manager id...).
 * `meta` is not touched: the caller sets `lastModified` and `version` after a change.
 *
 * Choices where the RFC leaves room (each also noted where it is implemented):
 * - add/replace with a value filter that matches nothing creates the value from the filter's
 *   `eq` comparisons (Entra: `replace emails[type eq "work"].value` on a user without a work
 *   e-mail; idp-clients.md §1 #4). RFC 7644 §3.5.2.3 would answer noTarget; we still do when the
 *   filter is not a plain `and` of `eq` comparisons, since no value can be built from it.
 * - remove with a value filter that matches nothing changes nothing and is not an error
 *   (clients retry removals; RFC 7644 §3.5.2.2 defines no error for it).
 * - remove with a path to a multi-valued attribute and a `value` list removes only the listed
 *   values (Entra's default job, authentik, JumpCloud: `remove members value:[{value:id}]`).
 * - add to a multi-valued attribute skips values already present and merges into the existing
 *   value with the same `value` (and `type`, when both have one); RFC 7644 §3.5.2.1.
 * - a readOnly attribute may be "written" with the value it already has (authentik and Okta
 *   send the group's own `id` in a path-less replace); any other write is `mutability`. An
 *   immutable attribute may only be set while unassigned.
 * - setting `primary: true` on one value sets it to false on the others (RFC 7644 §3.5.2);
 *   one operation making two values primary is `invalidValue` (RFC 7643 §2.4).
 * - `null`, `""`-free empty values: add of null/[] changes nothing; replace with null/[] removes
 *   the attribute (RFC 7643 §2.5: null and unassigned are the same state).
 * - removing a required attribute (userName, displayName) is `invalidValue` once all
 *   operations ran (so remove-then-add in one request works).
 * - removing a whole extension (`remove urn:…:mailcow:2.0:User`) removes its client-writable
 *   attributes and keeps the readOnly ones, which the server maintains.
 * - `schemas` follows the extensions: their URN is added when one of their attributes is set
 *   and dropped when the request empties them; a `schemas` member in a value is ignored.
 */

/** How `applyPatch` treats names it does not know in a path-less `value` object. */
export interface ApplyPatchOptions {
  /**
   * `ignore` (default): skip them, as clients send attributes we do not store (idp-clients.md §9:
   * accept and discard). `reject`: answer `invalidPath`. An unknown attribute in a `path` is
   * always `invalidPath`.
   */
  unknownAttributes: 'ignore' | 'reject';
}

const DEFAULT_OPTIONS: ApplyPatchOptions = { unknownAttributes: 'ignore' };

type Op = PatchOperation['op'];

interface Context {
  readonly rt: ResourceTypeDef;
  readonly doc: Record<string, unknown>;
  readonly options: ApplyPatchOptions;
}

/**
 * Apply `operations` (from `normalizePatchRequest`) to `resource` of type `rt` and return the
 * new resource. Errors are ScimErrors whose detail names the failing operation: `invalidPath`
 * (unknown attribute or malformed path), `invalidFilter` (bad value filter), `invalidValue`
 * (wrong value type), `mutability` (readOnly/immutable), `noTarget` (nothing to act on).
 */
export function applyPatch(
  resource: Record<string, unknown>,
  operations: readonly PatchOperation[],
  rt: ResourceTypeDef,
  options: Partial<ApplyPatchOptions> = {},
): Record<string, unknown> {
  const ctx: Context = { rt, doc: cloneJson(resource), options: { ...DEFAULT_OPTIONS, ...options } };
  operations.forEach((operation, index) => {
    try {
      applyOperation(ctx, operation);
    } catch (error) {
      throw inOperation(error, index, operation);
    }
  });
  assertRequiredKept(resource, ctx.doc, rt);
  syncSchemas(resource, ctx.doc, rt);
  return ctx.doc;
}

function applyOperation(ctx: Context, operation: PatchOperation): void {
  if (operation.path === undefined) {
    if (operation.op === 'remove') throw ScimError.noTarget('"remove" needs a "path" (RFC 7644 §3.5.2.2).');
    if (!isJsonObject(operation.value)) {
      throw ScimError.invalidValue('Without a "path", "value" must be an object whose keys are attribute names.');
    }
    applyAttributeSet(ctx, operation.op, operation.value, undefined);
    return;
  }
  applyToTarget(ctx, operation.op, resolvePatchPath(ctx.rt, operation.path), operation.value);
}

/**
 * A path-less value (RFC 7644 §3.5.2.1/§3.5.2.3: "the target location is assumed to be the
 * resource itself"): each key is an attribute name, a dotted `name.givenName` (Entra with
 * aadOptscim062020), a URN-qualified attribute, or an extension URN holding an object.
 */
function applyAttributeSet(
  ctx: Context,
  op: Exclude<Op, 'remove'>,
  value: Record<string, unknown>,
  withinSchema: string | undefined,
): void {
  for (const [key, member] of Object.entries(value)) {
    if (withinSchema === undefined) {
      if (key.toLowerCase() === 'schemas') continue; // kept in step with the data by syncSchemas
      const urn = resolveSchemaUrn(ctx.rt, key);
      if (urn === ctx.rt.schema) {
        if (!isJsonObject(member)) throw ScimError.invalidValue(`'${urn}' expects an object of attributes.`);
        applyAttributeSet(ctx, op, member, undefined);
        continue;
      }
      if (urn !== undefined) {
        applyExtensionObject(ctx, op, urn, member);
        continue;
      }
    }
    let target: PatchTarget;
    try {
      target = resolvePatchPath(ctx.rt, withinSchema === undefined ? key : `${withinSchema}:${key}`);
    } catch (error) {
      if (ctx.options.unknownAttributes === 'ignore' && error instanceof ScimError && error.scimType === 'invalidPath') {
        continue;
      }
      throw error;
    }
    applyToTarget(ctx, op, target, member);
  }
}

function applyToTarget(ctx: Context, op: Op, target: PatchTarget, raw: unknown): void {
  if (target.kind === 'schema') {
    if (op === 'remove') removeExtension(ctx, target.schemaUrn);
    else applyExtensionObject(ctx, op, target.schemaUrn, raw);
    return;
  }
  const { attribute, sub, filter, canonicalPath } = target;
  if (filter) {
    if (sub) applyFilteredSub(ctx, op, attribute, filter, sub, raw, canonicalPath);
    else applyFiltered(ctx, op, attribute, filter, raw, canonicalPath);
  } else if (sub) {
    if (attribute.attribute.multiValued) applyEverySub(ctx, op, attribute, sub, raw, canonicalPath);
    else applyComplexSub(ctx, op, attribute, sub, raw, canonicalPath);
  } else {
    applyWhole(ctx, op, attribute, raw, canonicalPath);
  }
}

// --- whole extensions -------------------------------------------------------------------------

function applyExtensionObject(ctx: Context, op: Exclude<Op, 'remove'>, urn: string, raw: unknown): void {
  if (raw === null || raw === undefined) {
    if (op === 'replace') removeExtension(ctx, urn);
    return;
  }
  if (!isJsonObject(raw)) throw ScimError.invalidValue(`'${urn}' expects an object of its attributes.`);
  applyAttributeSet(ctx, op, raw, urn);
}

/** Remove an extension's client-writable attributes; readOnly ones are the server's and stay. */
function removeExtension(ctx: Context, urn: string): void {
  const schema = getSchemaDef(urn);
  const key = findKey(ctx.doc, urn);
  const container = key === undefined ? undefined : ctx.doc[key];
  if (!schema || !isJsonObject(container)) return;
  for (const def of schema.attributes) {
    if (def.mutability === 'readOnly') continue;
    const current = getIgnoringCase(container, def.name);
    guardWrite(def, current, undefined, `${urn}:${def.name}`);
    removeKey(container, def.name);
  }
}

// --- attr ---------------------------------------------------------------------------------------

function applyWhole(ctx: Context, op: Op, target: ResolvedAttribute, raw: unknown, path: string): void {
  const def = target.attribute;
  if (op === 'remove') {
    if (raw !== undefined && raw !== null && def.multiValued) removeListedValues(ctx, target, raw, path);
    else removeAttribute(ctx, target, path);
    return;
  }
  let value = coerceAttributeValue(def, raw, path);
  if (Array.isArray(value)) value = value.filter((v) => !isUnassigned(v));
  if (value === null || (Array.isArray(value) && value.length === 0)) {
    if (op === 'replace') removeAttribute(ctx, target, path);
    return;
  }
  if (def.type === 'complex' && !def.multiValued && isUnassigned(value)) return; // merging nothing
  const current = readCurrent(ctx, target);

  if (def.multiValued) {
    const items = value as unknown[];
    if (op === 'replace') {
      if (guardWrite(def, current, items, path) === 'unchanged') return;
      writeAttribute(ctx, target, items);
      settlePrimary(def, items, items, path);
      return;
    }
    // add: append what is new, merge into what is already there (RFC 7644 §3.5.2.1).
    const list = elementsOf(def, current);
    const written: unknown[] = [];
    let changed = false;
    for (const item of items) {
      const index = list.findIndex((existing) => isSameElement(def, existing, item));
      if (index < 0) {
        list.push(item);
        written.push(item);
        changed = true;
      } else if (isJsonObject(item) && isJsonObject(list[index])) {
        // The stored `value` keeps its spelling (it matched ignoring case, where not caseExact).
        const existing = list[index] as Record<string, unknown>;
        const merged = { ...existing, ...item, ...('value' in existing ? { value: existing.value } : {}) };
        if (!isDeepEqual(merged, list[index])) changed = true;
        list[index] = merged;
        written.push(merged);
      }
    }
    if (!changed) return;
    guardWrite(def, current, list, path);
    writeAttribute(ctx, target, list);
    settlePrimary(def, list, written, path);
    return;
  }

  if (def.type === 'complex') {
    // add and replace both merge: "sub-attributes that are not specified in the value
    // parameter are left unchanged" (RFC 7644 §3.5.2.3; §3.5.2.1 for add).
    const base = isJsonObject(current) ? canonicalObject(def, current) : {};
    const incoming = value as Record<string, unknown>;
    for (const [name, subValue] of Object.entries(incoming)) {
      const sub = findAttribute(def.subAttributes, name);
      if (sub) guardWrite(sub, base[sub.name], subValue, `${path}.${sub.name}`);
    }
    const merged = { ...base, ...incoming };
    if (guardWrite(def, current, merged, path) === 'unchanged') return;
    writeAttribute(ctx, target, merged);
    return;
  }

  if (guardWrite(def, current, value, path) === 'unchanged') return;
  writeAttribute(ctx, target, value);
}

function removeAttribute(ctx: Context, target: ResolvedAttribute, path: string): void {
  const container = containerOf(ctx, target, false);
  if (!container) return;
  const current = getIgnoringCase(container, target.attribute.name);
  guardWrite(target.attribute, current, undefined, path);
  removeKey(container, target.attribute.name);
}

/** `remove` + path to a multi-valued attribute + `value` list: remove just those values. */
function removeListedValues(ctx: Context, target: ResolvedAttribute, raw: unknown, path: string): void {
  const def = target.attribute;
  const items = (coerceAttributeValue(def, raw, path) as unknown[]).filter((v) => !isUnassigned(v));
  const list = elementsOf(def, readCurrent(ctx, target));
  const remaining = list.filter((existing) => !items.some((item) => isSameElement(def, existing, item)));
  if (remaining.length === list.length) return; // none of them present: nothing to do
  guardWrite(def, list, remaining, path);
  if (remaining.length === 0) removeAttribute(ctx, target, path);
  else writeAttribute(ctx, target, remaining);
}

// --- attr.sub -----------------------------------------------------------------------------------

/** `name.givenName`, `urn:…:enterprise:2.0:User:manager.value`: a single complex attribute's member. */
function applyComplexSub(
  ctx: Context,
  op: Op,
  target: ResolvedAttribute,
  sub: AttributeDef,
  raw: unknown,
  path: string,
): void {
  const def = target.attribute;
  const current = readCurrent(ctx, target);
  const object = isJsonObject(current) ? canonicalObject(def, current) : {};
  const value = op === 'remove' ? null : coerceAttributeValue(sub, raw, path);
  if (value === null) {
    if (op === 'add' || isUnassigned(object[sub.name])) return;
    guardWrite(sub, object[sub.name], undefined, path);
    guardContainer(def, path);
    delete object[sub.name];
    if (isUnassigned(object)) removeAttribute(ctx, target, path);
    else writeAttribute(ctx, target, object);
    return;
  }
  if (guardWrite(sub, object[sub.name], value, path) === 'unchanged') return;
  guardContainer(def, path);
  object[sub.name] = value;
  writeAttribute(ctx, target, object);
}

/** `emails.type` without a filter: every value of the multi-valued attribute. */
function applyEverySub(
  ctx: Context,
  op: Op,
  target: ResolvedAttribute,
  sub: AttributeDef,
  raw: unknown,
  path: string,
): void {
  const def = target.attribute;
  const list = elementsOf(def, readCurrent(ctx, target));
  const value = op === 'remove' ? null : coerceAttributeValue(sub, raw, path);
  if (value === null) {
    if (op === 'add') return;
    removeSubFrom(ctx, target, list, list.map((_, i) => i), sub, path);
    return;
  }
  guardContainer(def, path);
  if (list.length === 0) {
    // Nothing to set it on: the sub-attribute becomes a new value of its own.
    const element = { [sub.name]: value };
    writeAttribute(ctx, target, [element]);
    settlePrimary(def, [element], [element], path);
    return;
  }
  const written = setSubOn(list, list.map((_, i) => i), sub, value, path);
  if (written.length === 0) return;
  writeAttribute(ctx, target, list);
  settlePrimary(def, list, written, path);
}

// --- attr[filter] and attr[filter].sub ----------------------------------------------------------

function applyFiltered(
  ctx: Context,
  op: Op,
  target: ResolvedAttribute,
  filter: CheckedValuePath,
  raw: unknown,
  path: string,
): void {
  const def = target.attribute;
  const list = elementsOf(def, readCurrent(ctx, target));
  const matched = matchingIndexes(list, filter);
  const value = op === 'remove' ? null : coerceAttributeValue({ ...def, multiValued: false }, raw, path);
  if (value === null || isUnassigned(value)) {
    if (op === 'add') return;
    // Remove the matching values; a filter matching nothing changes nothing (see the header).
    if (matched.length === 0) return;
    guardContainer(def, path);
    const remaining = list.filter((_, i) => !matched.includes(i));
    if (remaining.length === 0) removeAttribute(ctx, target, path);
    else writeAttribute(ctx, target, remaining);
    return;
  }
  guardContainer(def, path);
  if (matched.length === 0) {
    const element = def.type === 'complex' ? { ...newElementFor(filter, path), ...(value as object) } : value;
    list.push(element);
    writeAttribute(ctx, target, list);
    settlePrimary(def, list, [element], path);
    return;
  }
  const written: unknown[] = [];
  for (const i of matched) {
    // replace: "all matching record values SHALL be replaced" (RFC 7644 §3.5.2.3);
    // add: merged into each matching value.
    const next = op === 'replace' || !isJsonObject(list[i]) || !isJsonObject(value)
      ? cloneJson(value)
      : { ...(list[i] as Record<string, unknown>), ...value };
    list[i] = next;
    written.push(next);
  }
  writeAttribute(ctx, target, list);
  settlePrimary(def, list, written, path);
}

function applyFilteredSub(
  ctx: Context,
  op: Op,
  target: ResolvedAttribute,
  filter: CheckedValuePath,
  sub: AttributeDef,
  raw: unknown,
  path: string,
): void {
  const def = target.attribute;
  const list = elementsOf(def, readCurrent(ctx, target));
  const matched = matchingIndexes(list, filter);
  const value = op === 'remove' ? null : coerceAttributeValue(sub, raw, path);
  if (value === null) {
    if (op === 'add') return;
    removeSubFrom(ctx, target, list, matched, sub, path);
    return;
  }
  guardContainer(def, path);
  if (matched.length === 0) {
    // Entra: `replace emails[type eq "work"].value` when there is no work e-mail yet.
    const element = { ...newElementFor(filter, path), [sub.name]: value };
    list.push(element);
    writeAttribute(ctx, target, list);
    settlePrimary(def, list, [element], path);
    return;
  }
  const written = setSubOn(list, matched, sub, value, path);
  if (written.length === 0) return;
  writeAttribute(ctx, target, list);
  settlePrimary(def, list, written, path);
}

function matchingIndexes(list: unknown[], filter: CheckedValuePath): number[] {
  const out: number[] = [];
  list.forEach((element, i) => {
    if (matchesValueFilter(filter, element)) out.push(i);
  });
  return out;
}

function setSubOn(list: unknown[], indexes: number[], sub: AttributeDef, value: unknown, path: string): unknown[] {
  const written: unknown[] = [];
  for (const i of indexes) {
    const element = list[i];
    if (!isJsonObject(element)) continue;
    if (guardWrite(sub, element[sub.name], value, path) === 'unchanged') continue;
    element[sub.name] = cloneJson(value);
    written.push(element);
  }
  return written;
}

function removeSubFrom(
  ctx: Context,
  target: ResolvedAttribute,
  list: unknown[],
  indexes: number[],
  sub: AttributeDef,
  path: string,
): void {
  let changed = false;
  for (const i of indexes) {
    const element = list[i];
    if (!isJsonObject(element) || isUnassigned(element[sub.name])) continue;
    guardWrite(sub, element[sub.name], undefined, path);
    guardContainer(target.attribute, path);
    delete element[sub.name];
    changed = true;
  }
  if (!changed) return;
  // "Sub-attributes whose values have been removed SHALL be considered unassigned"; a value
  // left with nothing assigned is dropped, and so is the attribute when no value is left.
  const remaining = list.filter((element) => !isUnassigned(element));
  if (remaining.length === 0) removeAttribute(ctx, target, path);
  else writeAttribute(ctx, target, remaining);
}

/**
 * The value an add/replace with a non-matching filter creates: the filter's `eq` comparisons
 * (joined by `and`) as sub-attributes, e.g. `{type: "work"}` for `emails[type eq "work"]`.
 * Any other filter describes no single value: `noTarget`, as RFC 7644 §3.5.2.3 prescribes.
 */
function newElementFor(filter: CheckedValuePath, path: string): Record<string, unknown> {
  const element: Record<string, unknown> = {};
  const collect = (node: CheckedFilter): boolean => {
    if (node.kind === 'and') return collect(node.left) && collect(node.right);
    if (node.kind !== 'compare' || node.op !== 'eq' || node.attribute.sub === undefined) return false;
    const name = node.attribute.sub;
    if (name in element && !isDeepEqual(element[name], node.value)) return false;
    element[name] = node.value;
    return true;
  };
  if (!collect(filter.filter)) {
    throw ScimError.noTarget(
      `No value matches '${path}', and its filter does not describe a new one (only "eq" comparisons joined by "and" do).`,
    );
  }
  return element;
}

// --- values, containers and mutability ----------------------------------------------------------

/**
 * The current values of a multi-valued attribute as a fresh list, objects copied with their
 * sub-attribute names in canonical case (so writes never leave `Primary` next to `primary`).
 */
function elementsOf(def: AttributeDef, current: unknown): unknown[] {
  if (current === undefined || current === null) return [];
  const list = Array.isArray(current) ? current : [current];
  return list
    .filter((e) => e !== null && e !== undefined)
    .map((e) => (isJsonObject(e) ? canonicalObject(def, e) : cloneJson(e)));
}

/** A copy of a complex value with known member names in canonical case; unknown ones kept. */
function canonicalObject(def: AttributeDef, object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    const sub = findAttribute(def.subAttributes, key);
    out[sub ? sub.name : key] = cloneJson(value);
  }
  return out;
}

/**
 * Whether two values of a multi-valued attribute are "the same value" (RFC 7644 §3.5.2.1: an
 * add of a value already there changes nothing): for complex values, equal `value` (per its
 * caseExact) and, when both have one, equal `type`; without `value`, structural equality.
 */
function isSameElement(def: AttributeDef, a: unknown, b: unknown): boolean {
  if (def.type !== 'complex') return isSameScalar(def, a, b);
  if (!isJsonObject(a) || !isJsonObject(b)) return isDeepEqual(a, b);
  const valueDef = findAttribute(def.subAttributes, 'value');
  const av = getIgnoringCase(a, 'value');
  const bv = getIgnoringCase(b, 'value');
  if (valueDef && av !== undefined && av !== null && bv !== undefined && bv !== null) {
    if (!isSameScalar(valueDef, av, bv)) return false;
    const typeDef = findAttribute(def.subAttributes, 'type');
    const at = getIgnoringCase(a, 'type');
    const bt = getIgnoringCase(b, 'type');
    if (typeDef && at !== undefined && at !== null && bt !== undefined && bt !== null) {
      return isSameScalar(typeDef, at, bt);
    }
    return true;
  }
  return isDeepEqual(canonicalObject(def, a), canonicalObject(def, b));
}

function isSameScalar(def: AttributeDef, a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string' && !def.caseExact) return a.toLowerCase() === b.toLowerCase();
  return isDeepEqual(a, b);
}

/**
 * RFC 7643 §2.2 mutability for writing `next` (undefined: removing) over `current`.
 * Returns 'unchanged' when a readOnly/immutable attribute is "written" with the value it has.
 */
function guardWrite(def: AttributeDef, current: unknown, next: unknown, path: string): 'ok' | 'unchanged' {
  if (def.mutability !== 'readOnly' && def.mutability !== 'immutable') return 'ok';
  if (next === undefined ? isUnassigned(current) : isSameValue(def, current, next)) return 'unchanged';
  if (def.mutability === 'immutable' && isUnassigned(current) && next !== undefined) return 'ok';
  throw ScimError.mutability(
    def.mutability === 'readOnly'
      ? `'${path}' is readOnly and cannot be changed.`
      : `'${path}' is immutable and already has a value.`,
  );
}

/** A sub-attribute write also writes its parent: refused when the parent is readOnly. */
function guardContainer(def: AttributeDef, path: string): void {
  if (def.mutability === 'readOnly') throw ScimError.mutability(`'${path}' is readOnly and cannot be changed.`);
}

function isSameValue(def: AttributeDef, current: unknown, next: unknown): boolean {
  if (isUnassigned(current) || isUnassigned(next)) return isUnassigned(current) && isUnassigned(next);
  let normalized: unknown;
  try {
    normalized = coerceAttributeValue(def, current, def.name);
  } catch {
    return false;
  }
  if (def.multiValued && Array.isArray(normalized) && Array.isArray(next)) return isSameMultiset(normalized, next);
  return isDeepEqual(normalized, next);
}

/** RFC 7644 §3.5.2: a value made primary takes `primary` away from the others. */
function settlePrimary(def: AttributeDef, list: unknown[], written: unknown[], path: string): void {
  if (def.type !== 'complex' || !findAttribute(def.subAttributes, 'primary')) return;
  const winners = [...new Set(written)].filter((e) => isJsonObject(e) && e.primary === true);
  if (winners.length > 1) {
    throw ScimError.invalidValue(`Only one value of '${path}' may have "primary": true (RFC 7643 §2.4).`);
  }
  if (winners.length === 0) return;
  for (const element of list) {
    if (element !== winners[0] && isJsonObject(element) && element.primary === true) element.primary = false;
  }
}

function readCurrent(ctx: Context, target: ResolvedAttribute): unknown {
  const container = containerOf(ctx, target, false);
  return container === undefined ? undefined : getIgnoringCase(container, target.attribute.name);
}

function writeAttribute(ctx: Context, target: ResolvedAttribute, value: unknown): void {
  const container = containerOf(ctx, target, true) as Record<string, unknown>;
  removeKey(container, target.attribute.name);
  container[target.attribute.name] = value;
}

/**
 * The object holding the attribute: the resource, or the extension object under its URN
 * (created, and renamed to the canonical URN, when `create` is set).
 */
function containerOf(ctx: Context, target: ResolvedAttribute, create: boolean): Record<string, unknown> | undefined {
  if (!target.extension) return ctx.doc;
  const key = findKey(ctx.doc, target.schemaUrn);
  const existing = key === undefined ? undefined : ctx.doc[key];
  if (!create) return isJsonObject(existing) ? existing : undefined;
  const container = isJsonObject(existing) ? existing : {};
  if (key !== undefined) delete ctx.doc[key];
  ctx.doc[target.schemaUrn] = container;
  return container;
}

function removeKey(container: Record<string, unknown>, name: string): void {
  const lower = name.toLowerCase();
  for (const key of Object.keys(container)) if (key.toLowerCase() === lower) delete container[key];
}

// --- whole-resource rules ----------------------------------------------------------------------

function assertRequiredKept(before: Record<string, unknown>, after: Record<string, unknown>, rt: ResourceTypeDef): void {
  const schema = getSchemaDef(rt.schema);
  for (const def of schema?.attributes ?? []) {
    if (!def.required) continue;
    if (!isUnassigned(getIgnoringCase(before, def.name)) && isUnassigned(getIgnoringCase(after, def.name))) {
      throw ScimError.invalidValue(`'${def.name}' is required and cannot be removed.`);
    }
  }
}

/** Keep `schemas` and the extension objects in step (RFC 7643 §3: `schemas` lists what is used). */
function syncSchemas(before: Record<string, unknown>, doc: Record<string, unknown>, rt: ResourceTypeDef): void {
  const schemasKey = findKey(doc, 'schemas');
  let schemas = schemasKey === undefined ? undefined : doc[schemasKey];
  for (const { schema: urn } of rt.schemaExtensions) {
    const key = findKey(doc, urn);
    const value = key === undefined ? undefined : doc[key];
    const present = isJsonObject(value) && !isUnassigned(value);
    if (key !== undefined && (key !== urn || !present)) delete doc[key];
    if (present && key !== urn) doc[urn] = value;
    const listed = Array.isArray(schemas) && schemas.some((s) => typeof s === 'string' && s.toLowerCase() === urn.toLowerCase());
    const wasPresent = !isUnassigned(getIgnoringCase(before, urn));
    if (present && !listed) {
      schemas = Array.isArray(schemas) ? [...schemas, urn] : [rt.schema, urn];
    } else if (!present && listed && wasPresent) {
      schemas = (schemas as unknown[]).filter((s) => !(typeof s === 'string' && s.toLowerCase() === urn.toLowerCase()));
    }
  }
  if (schemas !== undefined) {
    if (schemasKey !== undefined && schemasKey !== 'schemas') delete doc[schemasKey];
    doc.schemas = schemas;
  }
}

function inOperation(error: unknown, index: number, operation: PatchOperation): unknown {
  if (!(error instanceof ScimError)) return error;
  const what = operation.path === undefined ? operation.op : `${operation.op} '${operation.path}'`;
  return new ScimError(error.status, `Operations[${index}] (${what}): ${error.detail}`, {
    ...(error.scimType ? { scimType: error.scimType } : {}),
    ...(error.cause === undefined ? {} : { cause: error.cause }),
  });
}
