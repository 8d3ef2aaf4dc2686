/** `attr.sub` of a single complex attribute. */
import { coerceAttributeValue, isJsonObject, isUnassigned, type AttributeDef, type ResolvedAttribute } from '../../schema/index.js';
import { readCurrent, removeAttribute, writeAttribute, type Context, type Op } from './context.js';
import { canonicalObject } from './elements.js';
import { guardContainer, guardWrite } from './mutability.js';

/** `name.givenName`, `urn:…:enterprise:2.0:User:manager.value`: a single complex attribute's member. */
export function applyComplexSub(
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
