/**
 * Whether a JSON resource is what its published schema says (RFC 7643 §2, §7): every member a
 * published attribute under its exact name, every required attribute present, values of the
 * published type and plurality, and within canonicalValues where the attribute is readOnly
 * (the server chose the value, so it must be one it advertises). Used on the discovery
 * documents, whose schemas the server publishes too.
 */

export interface SchemaAttribute {
  name: string;
  type: string;
  multiValued: boolean;
  required: boolean;
  mutability: string;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: SchemaAttribute[];
}

/** The common attributes (RFC 7643 §3.1) and `schemas`, which schemas do not list (§7). */
const COMMON = ['schemas', 'meta', 'externalId'];

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case 'string':
    case 'reference':
    case 'binary':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'decimal':
      return typeof v === 'number';
    case 'dateTime':
      return typeof v === 'string' && !Number.isNaN(Date.parse(v));
    case 'complex':
      return isObject(v);
    default:
      return false;
  }
}

function check(attrs: SchemaAttribute[], object: Json, path: string, out: string[], top: boolean): void {
  for (const key of Object.keys(object)) {
    if (top && COMMON.includes(key)) continue;
    if (!attrs.some((a) => a.name === key)) out.push(`${path}${key}: not a published attribute`);
  }
  for (const a of attrs) {
    const value = object[a.name];
    const where = `${path}${a.name}`;
    if (value === undefined || value === null) {
      if (a.required) out.push(`${where}: required, absent`);
      continue;
    }
    if (a.multiValued !== Array.isArray(value)) out.push(`${where}: ${a.multiValued ? 'multiValued, not a list' : 'single-valued, a list'}`);
    for (const [i, v] of (Array.isArray(value) ? value : [value]).entries()) {
      const at = Array.isArray(value) ? `${where}[${i}]` : where;
      if (!typeOk(a.type, v)) {
        out.push(`${at}: not of type ${a.type} (${JSON.stringify(v)?.slice(0, 60)})`);
        continue;
      }
      if (a.canonicalValues && a.mutability === 'readOnly' && !a.canonicalValues.includes(String(v))) {
        out.push(`${at}: ${JSON.stringify(v)} is not among canonicalValues ${JSON.stringify(a.canonicalValues)}`);
      }
      if (a.type === 'complex') check(a.subAttributes ?? [], v as Json, `${at}.`, out, false);
    }
  }
}

/** What is wrong with `resource` under `attributes` (empty when nothing is). */
export function schemaViolations(resource: Json, attributes: SchemaAttribute[]): string[] {
  const out: string[] = [];
  check(attributes, resource, '', out, true);
  return out;
}
