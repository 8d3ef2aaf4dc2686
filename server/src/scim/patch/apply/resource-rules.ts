/** Rules over the whole resource once every operation ran. */
import { findKey, getIgnoringCase, getSchemaDef, isJsonObject, isUnassigned, type ResourceTypeDef } from '../../schema/index.js';
import { ScimError } from '../../scim-error.js';

export function assertRequiredKept(before: Record<string, unknown>, after: Record<string, unknown>, rt: ResourceTypeDef): void {
  const schema = getSchemaDef(rt.schema);
  for (const def of schema?.attributes ?? []) {
    if (!def.required) continue;
    if (!isUnassigned(getIgnoringCase(before, def.name)) && isUnassigned(getIgnoringCase(after, def.name))) {
      throw ScimError.invalidValue(`'${def.name}' is required and cannot be removed.`);
    }
  }
}

/** Keep `schemas` and the extension objects in step (RFC 7643 §3: `schemas` lists what is used). */
export function syncSchemas(before: Record<string, unknown>, doc: Record<string, unknown>, rt: ResourceTypeDef): void {
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
