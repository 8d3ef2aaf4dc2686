import type { AttrPath } from '../attribute-path.js';
import type { AttributeDef, AttributeType } from '../schema/index.js';

/**
 * Filter trees (RFC 7644 §3.4.2.2). `FilterNode` is what the parser returns: attribute paths
 * exactly as written. `CheckedFilter` is what `checkFilter` returns: every path resolved against
 * a resource type, with the type and caseExact facts the evaluator and the SQL compiler need.
 */

/** An attribute path as written (`{ uri?, attr, sub? }`), from ../attribute-path.ts. */

/** The comparison operators of RFC 7644 §3.4.2.2, Table 3 (always lower case in the tree). */
export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** A comparison value: a JSON string, number, `true`/`false` or `null` (RFC 7644 §3.4.2.2 compValue). */
export type FilterValue = string | number | boolean | null;

/** `attrPath op compValue`. */
export interface CompareNode {
  readonly kind: 'compare';
  readonly path: AttrPath;
  readonly op: CompareOperator;
  readonly value: FilterValue;
}

/** `attrPath pr`. */
interface PresentNode {
  readonly kind: 'present';
  readonly path: AttrPath;
}

/** `left and right`, `left or right` (`and` binds tighter than `or`). */
interface LogicalNode {
  readonly kind: 'and' | 'or';
  readonly left: FilterNode;
  readonly right: FilterNode;
}

/** `not (filter)`. */
interface NotNode {
  readonly kind: 'not';
  readonly filter: FilterNode;
}

/**
 * `attrPath[valFilter]`: `filter` is evaluated against each value of the attribute, and its
 * paths name sub-attributes of `path` (`emails[type eq "work"]`), or `value` for the element
 * itself when the attribute is simple and multi-valued.
 */
export interface ValuePathNode {
  readonly kind: 'valuePath';
  readonly path: AttrPath;
  readonly filter: FilterNode;
}

/** A parsed filter. */
export type FilterNode = CompareNode | PresentNode | LogicalNode | NotNode | ValuePathNode;

/** An attribute of a checked filter: canonical names plus what comparisons need. */
export interface CheckedAttribute {
  /** The schema the attribute belongs to (the core schema for common attributes). */
  readonly schemaUrn: string;
  /** True when the values live under `resource[schemaUrn]` (RFC 7643 §3.3). */
  readonly extension: boolean;
  /** Canonical top-level attribute name (`emails`). */
  readonly attribute: string;
  /**
   * Canonical sub-attribute name (`value`), if any. `emails co "x"` is checked as
   * `emails.value co "x"` (RFC 7644 §3.4.2.2: a complex attribute without a sub-attribute
   * compares its `value`).
   */
  readonly sub?: string;
  /** `emails.value`, or `urn:…:enterprise:2.0:User:department` for extension attributes. */
  readonly canonicalPath: string;
  /** The type of the compared value (the sub-attribute's when there is one). */
  readonly type: AttributeType;
  /** Whether string comparisons are case-sensitive (RFC 7643 §2.2 caseExact). */
  readonly caseExact: boolean;
  /** Whether the top-level attribute is multi-valued: any one value matching is a match. */
  readonly multiValued: boolean;
  /** The definition of the compared value (sub-attribute or attribute). */
  readonly definition: AttributeDef;
  /** The definition of the top-level attribute. */
  readonly parent: AttributeDef;
}

/**
 * A comparison whose value suits the attribute's type. `eq null` and `ne null` never appear:
 * `checkFilter` turns them into `not (attr pr)` and `attr pr` (RFC 7643 §2.5: null and
 * unassigned are the same state).
 */
interface CheckedCompare {
  readonly kind: 'compare';
  readonly attribute: CheckedAttribute;
  readonly op: CompareOperator;
  /** A string (string, reference, binary and dateTime attributes), number or boolean. */
  readonly value: string | number | boolean;
}

/** `attr pr`, resolved (also what `attr ne null` becomes). */
interface CheckedPresent {
  readonly kind: 'present';
  readonly attribute: CheckedAttribute;
}

/** `and` / `or` of two checked filters. */
interface CheckedLogical {
  readonly kind: 'and' | 'or';
  readonly left: CheckedFilter;
  readonly right: CheckedFilter;
}

/** `not (filter)`, resolved (also what `attr eq null` becomes, around a CheckedPresent). */
interface CheckedNot {
  readonly kind: 'not';
  readonly filter: CheckedFilter;
}

/**
 * `attr[filter]`, resolved. `attribute` is the multi-valued (or complex) attribute; the inner
 * filter's attributes carry the same `attribute` plus their `sub` (or no `sub` for the element
 * itself of a simple multi-valued attribute), and all of them must hold for the same value.
 */
export interface CheckedValuePath {
  readonly kind: 'valuePath';
  readonly attribute: CheckedAttribute;
  readonly filter: CheckedFilter;
}

/** A filter resolved against a resource type; safe to evaluate or compile to SQL. */
export type CheckedFilter = CheckedCompare | CheckedPresent | CheckedLogical | CheckedNot | CheckedValuePath;
