/** `remove` of a whole extension (`remove urn:…:mailcow:2.0:User`). */
import { findKey, getIgnoringCase, getSchemaDef, isJsonObject } from '../../schema/index.js';
import { removeKey, type Context } from './context.js';
import { guardWrite } from './mutability.js';

/** Remove an extension's client-writable attributes; readOnly ones are the server's and stay. */
export function removeExtension(ctx: Context, urn: string): void {
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
