/**
 * `attr[filter]`, `attr[filter].sub` and `attr.sub` of a multi-valued attribute: one operation
 * on the values a path selects (those its filter matches, or all of them).
 */
import { matchesValueFilter, type CheckedFilter, type CheckedValuePath } from '../../filter/index.js';
import { coerceAttributeValue, isJsonObject, isUnassigned, type AttributeDef, type ResolvedAttribute } from '../../schema/index.js';
import { ScimError } from '../../scim-error.js';
import { cloneJson } from '../../json-clone.js';
import { isDeepEqual } from '../json-value.js';
import { readCurrent, removeAttribute, writeAttribute, type Context, type Op } from './context.js';
import { elementsOf, settlePrimary } from './elements.js';
import { guardContainer, guardWrite } from './mutability.js';

/**
 * - remove: the selected values (with `sub`: that sub-attribute of them); a filter matching
 *   nothing changes nothing (clients retry removals).
 * - add/replace with nothing selected: a new value, built from the filter's `eq` comparisons
 *   (Entra: `replace emails[type eq "work"].value` when there is no work e-mail yet).
 * - replace sets each selected value ("all matching record values SHALL be replaced", RFC 7644
 *   §3.5.2.3); add merges into each; with `sub`, either sets that sub-attribute.
 */
export function applyToSelected(
  ctx: Context,
  op: Op,
  target: ResolvedAttribute,
  filter: CheckedValuePath | undefined,
  sub: AttributeDef | undefined,
  raw: unknown,
  path: string,
): void {
  const def = target.attribute;
  const list = elementsOf(def, readCurrent(ctx, target));
  const selected = filter ? matchingIndexes(list, filter) : list.map((_, i) => i);
  const value = op === 'remove' ? null : coerceAttributeValue(sub ?? { ...def, multiValued: false }, raw, path);
  if (value === null || (sub === undefined && isUnassigned(value))) {
    if (op === 'add') return;
    if (sub) removeSubFrom(ctx, target, list, selected, sub, path);
    else removeValues(ctx, target, list, selected, path);
    return;
  }
  guardContainer(def, path);
  if (selected.length === 0) {
    const base = filter ? newElementFor(filter, path) : {};
    const element = sub ? { ...base, [sub.name]: value } : def.type === 'complex' ? { ...base, ...(value as object) } : value;
    list.push(element);
    writeAttribute(ctx, target, list);
    settlePrimary(def, list, [element], path);
    return;
  }
  const written = sub ? setSubOn(list, selected, sub, value, path) : setValues(op, list, selected, value);
  if (written.length === 0) return;
  writeAttribute(ctx, target, list);
  settlePrimary(def, list, written, path);
}

function removeValues(ctx: Context, target: ResolvedAttribute, list: unknown[], indexes: number[], path: string): void {
  if (indexes.length === 0) return;
  guardContainer(target.attribute, path);
  const remaining = list.filter((_, i) => !indexes.includes(i));
  if (remaining.length === 0) removeAttribute(ctx, target, path);
  else writeAttribute(ctx, target, remaining);
}

function setValues(op: Op, list: unknown[], indexes: number[], value: unknown): unknown[] {
  const written: unknown[] = [];
  for (const i of indexes) {
    const next = op === 'replace' || !isJsonObject(list[i]) || !isJsonObject(value) ? cloneJson(value) : { ...(list[i] as Record<string, unknown>), ...value };
    list[i] = next;
    written.push(next);
  }
  return written;
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
