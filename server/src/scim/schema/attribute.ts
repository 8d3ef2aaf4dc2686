/**
 * Attribute characteristics of RFC 7643 §2.2 and §7, as plain data.
 *
 * Every schema in this folder is built from `defineAttribute`, which fills in the RFC 7643 §2.2
 * defaults (required false, caseExact false, mutability readWrite, returned default, uniqueness
 * none, multiValued false), so a definition only states what differs from them.
 */

/** RFC 7643 §2.3 data types. */
export type AttributeType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'reference'
  | 'complex'
  | 'binary';

/** RFC 7643 §7 `mutability`. */
type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';

/** RFC 7643 §7 `returned`. */
type Returned = 'always' | 'never' | 'default' | 'request';

/** RFC 7643 §7 `uniqueness`. */
type Uniqueness = 'none' | 'server' | 'global';

/** One attribute (or sub-attribute) definition with all RFC 7643 §7 characteristics. */
export interface AttributeDef {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  readonly canonicalValues?: readonly string[];
  /** For `reference` attributes: `User`, `Group`, `external`, `uri` (RFC 7643 §2.3.7). */
  readonly referenceTypes?: readonly string[];
  /**
   * For `complex` attributes: their sub-attributes. Resource schemas nest one level only (RFC
   * 7643 §2.3.8); the Schema schema's `attributes.subAttributes` nests a second (§8.7.2).
   */
  readonly subAttributes?: readonly AttributeDef[];
}

/** A schema (RFC 7643 §7): its URN, name, description and top-level attributes. */
export interface SchemaDef {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDef[];
}

/** What a definition may state; everything left out takes its RFC 7643 §2.2 default. */
export type AttributeOptions = Partial<Omit<AttributeDef, 'name' | 'type'>>;

/** An attribute definition with the RFC 7643 §2.2 defaults applied. */
export function defineAttribute(
  name: string,
  type: AttributeType,
  options: AttributeOptions = {},
): AttributeDef {
  const def: AttributeDef = {
    name,
    type,
    multiValued: false,
    description: '',
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  };
  return def;
}

/**
 * The sub-attributes RFC 7643 §2.4 gives multi-valued attributes by default (`value`, `display`,
 * `type`, `primary`), with `type`'s canonical values and `value`'s type given by the caller.
 */
export function defaultMultiValuedSubAttributes(
  valueType: AttributeType,
  typeValues: readonly string[],
  options: { valueReferenceTypes?: readonly string[]; valueDescription?: string } = {},
): AttributeDef[] {
  const valueOptions: AttributeOptions = {
    description: options.valueDescription ?? 'The value.',
    ...(options.valueReferenceTypes ? { referenceTypes: options.valueReferenceTypes } : {}),
  };
  return [
    defineAttribute('value', valueType, valueOptions),
    defineAttribute('display', 'string', {
      description: 'A human-readable name, primarily used for display purposes.',
    }),
    defineAttribute('type', 'string', {
      description: 'A label indicating the attribute\'s function.',
      ...(typeValues.length > 0 ? { canonicalValues: typeValues } : {}),
    }),
    defineAttribute('primary', 'boolean', {
      description: 'A Boolean value indicating the \'primary\' or preferred attribute value.',
    }),
  ];
}

/** Freeze a definition tree so that no caller can change the shared schema data. */
export function freezeDeep<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) freezeDeep(child);
  }
  return value;
}

/**
 * Lower-cased name → first attribute of that name, per frozen list of definitions. Every
 * attribute of every resource a response shows is looked up by name; lower-casing each
 * definition's name on every lookup was a measurable share of a list page's CPU. Only frozen
 * lists (the schemas' own, see freezeDeep) are indexed: one that can still change is searched.
 */
const nameIndexes = new WeakMap<readonly AttributeDef[], Map<string, AttributeDef>>();

function nameIndexOf(attributes: readonly AttributeDef[]): Map<string, AttributeDef> | undefined {
  let index = nameIndexes.get(attributes);
  if (index === undefined) {
    if (!Object.isFrozen(attributes)) return undefined;
    index = new Map();
    for (const a of attributes) {
      const lower = a.name.toLowerCase();
      if (!index.has(lower)) index.set(lower, a);
    }
    nameIndexes.set(attributes, index);
  }
  return index;
}

/** The attribute named `name` among `attributes`, compared case-insensitively (RFC 7643 §2.1). */
export function findAttribute(
  attributes: readonly AttributeDef[] | undefined,
  name: string,
): AttributeDef | undefined {
  if (!attributes) return undefined;
  const lower = name.toLowerCase();
  const index = nameIndexOf(attributes);
  return index ? index.get(lower) : attributes.find((a) => a.name.toLowerCase() === lower);
}
