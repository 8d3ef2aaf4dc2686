/** `attr`: an operation on a whole attribute (RFC 7644 §3.5.2.1–§3.5.2.3). */
import { coerceAttributeValue, findAttribute, isJsonObject, isUnassigned, type ResolvedAttribute } from '../../schema/index.js';
import { isDeepEqual } from '../json-value.js';
import { readCurrent, removeAttribute, writeAttribute, type Context, type Op } from './context.js';
import { canonicalObject, elementsOf, isSameElement, settlePrimary } from './elements.js';
import { guardWrite } from './mutability.js';

export function applyWhole(ctx: Context, op: Op, target: ResolvedAttribute, raw: unknown, path: string): void {
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
