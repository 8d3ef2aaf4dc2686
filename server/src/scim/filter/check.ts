import { formatAttrPath, type AttrPath } from '../attribute-path.js';
import {
  findAttribute,
  isDateTime,
  resolveAttribute,
  type AttributeDef,
  type ResolvedAttribute,
  type ResourceTypeDef,
} from '../schema/index.js';
import { ScimError } from '../scim-error.js';
import { FilterError, pathPosition } from './filter-error.js';
import type {
  CheckedAttribute,
  CheckedFilter,
  CompareNode,
  FilterNode,
  ValuePathNode,
} from './ast.js';

/**
 * Resolve every attribute of a parsed filter against a resource type and check that each
 * comparison makes sense for the attribute's type (RFC 7644 §3.4.2.2). The result carries
 * canonical names, types and caseExact, for `evaluateFilter` and for the SQL compiler.
 *
 * Rules beyond the grammar, all `invalidFilter`:
 * - unknown attributes are rejected (a filter on something we do not store cannot be honoured);
 * - a complex attribute compared without a sub-attribute compares its `value` sub-attribute
 *   (`emails co "x"` ≡ `emails.value co "x"`); without a `value` sub-attribute (`name eq "x"`)
 *   it is an error. `pr` works on any attribute;
 * - boolean attributes take only `eq`/`ne` with `true`/`false` (RFC: gt/ge/lt/le on booleans
 *   SHALL fail); binary attributes take no ordering operators either;
 * - `co`/`sw`/`ew` need a string attribute (string, reference, binary);
 * - integer and decimal attributes take numbers; dateTime attributes take xsd:dateTime strings;
 * - attributes returned never (password) cannot be filtered on;
 * - `eq null` means "not present" and `ne null` means "present" (RFC 7643 §2.5: null equals
 *   unassigned); any other operator with `null` is an error.
 */
export function checkFilter(node: FilterNode, rt: ResourceTypeDef): CheckedFilter {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { kind: node.kind, left: checkFilter(node.left, rt), right: checkFilter(node.right, rt) };
    case 'not':
      return { kind: 'not', filter: checkFilter(node.filter, rt) };
    case 'present':
      return at(node.path, () => ({ kind: 'present', attribute: toChecked(resolveTopLevel(node.path, rt), node.path, true) }));
    case 'compare':
      return at(node.path, () => checkCompare(node, toChecked(resolveTopLevel(node.path, rt), node.path, false)));
    case 'valuePath':
      return checkValuePath(node, rt);
  }
}

/**
 * Runs the check of one comparison and gives an error from it the position where the parser
 * found the attribute, so a message about `department eq 5` points at `department`.
 */
function at<T>(path: AttrPath, check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof ScimError && !(e instanceof FilterError) && e.scimType === 'invalidFilter') throw new FilterError(e.detail, pathPosition(path));
    throw e;
  }
}

/**
 * Check `node` (a `valuePath`) and return it checked; exported for PATCH paths and `attributes`
 * lists, which carry a value filter outside a full filter.
 */
export function checkValuePath(node: ValuePathNode, rt: ResourceTypeDef): CheckedFilter & { kind: 'valuePath' } {
  const resolved = at(node.path, () => resolveTopLevel(node.path, rt));
  if (resolved.subAttribute) {
    throw new FilterError(`a value filter applies to an attribute, not to the sub-attribute '${formatAttrPath(node.path)}'`, pathPosition(node.path));
  }
  const def = resolved.attribute;
  if (def.type !== 'complex' && !def.multiValued) {
    throw new FilterError(`'${resolved.canonicalPath}' is single-valued and not complex; a value filter cannot apply to it`, pathPosition(node.path));
  }
  const attribute = toChecked(resolved, node.path, true);
  return { kind: 'valuePath', attribute, filter: checkInner(node.filter, resolved) };
}

/** The inner filter of `attr[...]`: its paths are sub-attributes of `parent`. */
function checkInner(node: FilterNode, parent: ResolvedAttribute): CheckedFilter {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { kind: node.kind, left: checkInner(node.left, parent), right: checkInner(node.right, parent) };
    case 'not':
      return { kind: 'not', filter: checkInner(node.filter, parent) };
    case 'valuePath':
      throw ScimError.invalidFilter('value filters cannot be nested');
    case 'present':
      return at(node.path, () => ({ kind: 'present', attribute: toChecked(resolveInner(node.path, parent), node.path, true) }));
    case 'compare':
      return at(node.path, () => checkCompare(node, toChecked(resolveInner(node.path, parent), node.path, false)));
  }
}

function resolveTopLevel(path: AttrPath, rt: ResourceTypeDef): ResolvedAttribute {
  const resolved = resolveAttribute(rt, path);
  if (!resolved) throw ScimError.invalidFilter(`unknown attribute '${formatAttrPath(path)}' in filter`);
  refuseNeverReturned(resolved.target, resolved.canonicalPath);
  return resolved;
}

/**
 * An attribute that is never returned (the password) cannot be filtered on either: a filter
 * would reveal it one guess at a time.
 */
function refuseNeverReturned(def: AttributeDef, path: string): void {
  if (def.returned === 'never') throw ScimError.invalidFilter(`'${path}' is never returned and cannot be filtered on`);
}

/**
 * A path inside `parent[...]`: a plain sub-attribute name of a complex parent, or `value` for
 * the element itself of a simple multi-valued parent (RFC 7644 §3.5.2.2 speaks of "a complex
 * filter ... comparing a value" for those). The element is then described by a resolution
 * without a sub-attribute.
 */
function resolveInner(path: AttrPath, parent: ResolvedAttribute): ResolvedAttribute {
  const where = parent.canonicalPath;
  if (path.uri !== undefined || path.sub !== undefined) {
    throw ScimError.invalidFilter(
      `'${formatAttrPath(path)}' inside '${where}[...]' must be a plain sub-attribute name of '${where}'`,
    );
  }
  if (parent.attribute.type !== 'complex') {
    if (path.attr.toLowerCase() === 'value') return parent;
    throw ScimError.invalidFilter(
      `unknown attribute '${path.attr}' in filter: inside '${where}[...]' only 'value' names the element`,
    );
  }
  const sub = findAttribute(parent.attribute.subAttributes, path.attr);
  if (!sub) throw ScimError.invalidFilter(`unknown attribute '${where}.${path.attr}' in filter`);
  refuseNeverReturned(sub, `${where}.${sub.name}`);
  return {
    schemaUrn: parent.schemaUrn,
    extension: parent.extension,
    attribute: parent.attribute,
    subAttribute: sub,
    target: sub,
    canonicalPath: `${parent.canonicalPath}.${sub.name}`,
  };
}

/**
 * The checked form of a resolved path. For comparisons a complex attribute without a
 * sub-attribute becomes its `value` sub-attribute (RFC 7644 §3.4.2.2).
 */
function toChecked(resolved: ResolvedAttribute, written: AttrPath, forPresence: boolean): CheckedAttribute {
  let target: AttributeDef = resolved.target;
  let sub = resolved.subAttribute?.name;
  let canonicalPath = resolved.canonicalPath;
  if (!forPresence && target.type === 'complex') {
    const value = findAttribute(target.subAttributes, 'value');
    if (!value) {
      throw ScimError.invalidFilter(
        `'${formatAttrPath(written)}' is complex; compare one of its sub-attributes (e.g. ${resolved.canonicalPath}.${target.subAttributes?.[0]?.name ?? 'value'})`,
      );
    }
    target = value;
    sub = value.name;
    canonicalPath = `${canonicalPath}.value`;
  }
  const checked: CheckedAttribute = {
    schemaUrn: resolved.schemaUrn,
    extension: resolved.extension,
    attribute: resolved.attribute.name,
    ...(sub === undefined ? {} : { sub }),
    canonicalPath,
    type: target.type,
    caseExact: target.caseExact,
    multiValued: resolved.attribute.multiValued,
    definition: target,
    parent: resolved.attribute,
  };
  return checked;
}

function checkCompare(node: CompareNode, attribute: CheckedAttribute): CheckedFilter {
  const { op, value } = node;
  const path = attribute.canonicalPath;
  if (value === null) {
    if (op === 'eq') return { kind: 'not', filter: { kind: 'present', attribute } };
    if (op === 'ne') return { kind: 'present', attribute };
    throw ScimError.invalidFilter(`'${op} null' is not a comparison; only 'eq null' and 'ne null' are (on '${path}')`);
  }
  const isSubstring = op === 'co' || op === 'sw' || op === 'ew';
  const isOrdering = op === 'gt' || op === 'ge' || op === 'lt' || op === 'le';
  switch (attribute.type) {
    case 'boolean':
      if (isSubstring || isOrdering) {
        throw ScimError.invalidFilter(`'${op}' cannot be used with the boolean attribute '${path}'; use eq or ne`);
      }
      if (typeof value !== 'boolean') {
        throw ScimError.invalidFilter(`'${path}' is boolean; compare it with true or false, not ${describeValue(value)}`);
      }
      break;
    case 'integer':
    case 'decimal':
      if (isSubstring) {
        throw ScimError.invalidFilter(`'${op}' needs a string attribute; '${path}' is ${attribute.type}`);
      }
      if (typeof value !== 'number') {
        throw ScimError.invalidFilter(`'${path}' is ${attribute.type}; compare it with a number, not ${describeValue(value)}`);
      }
      break;
    case 'dateTime':
      if (isSubstring) {
        throw ScimError.invalidFilter(`'${op}' needs a string attribute; '${path}' is dateTime`);
      }
      if (typeof value !== 'string' || !isDateTime(value)) {
        throw ScimError.invalidFilter(
          `'${path}' is dateTime; compare it with an xsd:dateTime string such as "2011-05-13T04:42:34Z", not ${describeValue(value)}`,
        );
      }
      break;
    case 'binary':
      if (isOrdering) {
        throw ScimError.invalidFilter(`'${op}' cannot be used with the binary attribute '${path}'`);
      }
      if (typeof value !== 'string') {
        throw ScimError.invalidFilter(`'${path}' is binary; compare it with a string, not ${describeValue(value)}`);
      }
      break;
    case 'string':
    case 'reference':
      if (typeof value !== 'string') {
        throw ScimError.invalidFilter(`'${path}' is a string; compare it with a quoted string, not ${describeValue(value)}`);
      }
      break;
    case 'complex':
      // toChecked never yields a complex comparison; kept for exhaustiveness.
      throw ScimError.invalidFilter(`'${path}' is complex; compare one of its sub-attributes`);
  }
  return { kind: 'compare', attribute, op, value };
}

function describeValue(value: string | number | boolean): string {
  return typeof value === 'string' ? `the string ${JSON.stringify(value).slice(0, 40)}` : String(value);
}
