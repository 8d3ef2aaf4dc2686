/**
 * The /ResourceTypes and /Schemas answers as the schema-truth test reads them (RFC 7643 §6,
 * §7), and every attribute and sub-attribute they publish, each named by the path a client
 * would use for it in a filter, a PATCH or `attributes=`.
 */

export interface PublishedAttribute {
  name: string;
  type: string;
  multiValued: boolean;
  description?: string;
  required: boolean;
  caseExact?: boolean;
  mutability: string;
  returned: string;
  uniqueness: string;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: PublishedAttribute[];
}

export interface PublishedSchema {
  id: string;
  name: string;
  attributes: PublishedAttribute[];
}

export interface PublishedResourceType {
  name: string;
  endpoint: string;
  schema: string;
  schemaExtensions?: { schema: string; required: boolean }[];
}

/** One published attribute (top-level or sub-attribute) of one resource type. */
export interface AttrRef {
  resourceType: string;
  endpoint: string;
  /** The schema URN the attribute belongs to. */
  schema: string;
  /** True for extension attributes (kept under the schema URN in a resource). */
  extension: boolean;
  top: PublishedAttribute;
  sub?: PublishedAttribute;
  /** What the path ends at: `sub ?? top`. */
  def: PublishedAttribute;
  /** `userName`, `name.givenName`, `urn:…:enterprise:2.0:User:manager.value`. */
  path: string;
  /** `User name.givenName`: the prefix of every check about this attribute. */
  label: string;
}

/** Every attribute and sub-attribute of `rt`, in /Schemas order: core schema first, then extensions. */
export function attributeRefs(rt: PublishedResourceType, schemas: ReadonlyMap<string, PublishedSchema>): AttrRef[] {
  const urns = [rt.schema, ...(rt.schemaExtensions ?? []).map((e) => e.schema)];
  const out: AttrRef[] = [];
  for (const urn of urns) {
    const schema = schemas.get(urn);
    if (!schema) throw new Error(`/ResourceTypes/${rt.name} names ${urn}, which /Schemas does not publish`);
    const extension = urn !== rt.schema;
    for (const top of schema.attributes) {
      const topPath = extension ? `${urn}:${top.name}` : top.name;
      const base = { resourceType: rt.name, endpoint: rt.endpoint, schema: urn, extension, top };
      out.push({ ...base, def: top, path: topPath, label: `${rt.name} ${topPath}` });
      for (const sub of top.subAttributes ?? []) {
        const path = `${topPath}.${sub.name}`;
        out.push({ ...base, sub, def: sub, path, label: `${rt.name} ${path}` });
      }
    }
  }
  return out;
}

/** Whether a client may write the attribute at all (RFC 7643 §2.2 `mutability`). */
export function isWritable(def: PublishedAttribute): boolean {
  return def.mutability !== 'readOnly';
}

/** Whether a value compares as text (RFC 7643 §2.2: caseExact applies to these). */
export function isText(def: PublishedAttribute): boolean {
  return def.type === 'string' || def.type === 'reference' || def.type === 'binary';
}
