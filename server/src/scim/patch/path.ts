import { formatAttrPath, isAttrName, parseAttrPath, type AttrPath } from '../attribute-path.js';
import {
  checkValuePath,
  parseValueFilter,
  type CheckedValuePath,
  type FilterNode,
} from '../filter/index.js';
import {
  findAttribute,
  resolveAttribute,
  resolveSchemaUrn,
  type AttributeDef,
  type ResolvedAttribute,
  type ResourceTypeDef,
} from '../schema/index.js';
import { ScimError } from '../scim-error.js';

/**
 * PATCH paths (RFC 7644 §3.5.2, Figure 1): `PATH = attrPath / valuePath [subAttr]`, i.e.
 * `attr`, `attr.sub`, `urn:…:attr[.sub]`, `attr[filter]`, `attr[filter].sub`, plus a bare
 * extension schema URN (`urn:…:enterprise:2.0:User`) naming the whole extension object.
 */

/** A PATCH path as written. */
export interface PatchPath {
  readonly text: string;
  /** The part before `[` (or the whole path without a filter). */
  readonly attrPath: AttrPath;
  /** The value filter inside `[...]`, with paths relative to `attrPath`. */
  readonly filter?: FilterNode;
  /** The sub-attribute after `].`. */
  readonly subAttr?: string;
}

/**
 * Split a PATCH path. Malformed paths throw `invalidPath`; a malformed filter inside the
 * brackets throws `invalidFilter` (positions count from the start of the whole path).
 */
export function parsePatchPath(text: string): PatchPath {
  const open = text.indexOf('[');
  if (open < 0) {
    const attrPath = parseAttrPath(text.trim());
    if (!attrPath) throw ScimError.invalidPath(`'${clip(text)}' is not a valid attribute path`);
    return { text, attrPath };
  }
  const head = text.slice(0, open).trim();
  const attrPath = parseAttrPath(head);
  if (!attrPath) throw ScimError.invalidPath(`'${clip(head)}' before '[' is not a valid attribute path`);
  if (attrPath.sub !== undefined) {
    throw ScimError.invalidPath(`a value filter applies to an attribute, not to the sub-attribute '${clip(head)}'`);
  }
  const close = findClosingBracket(text, open);
  if (close < 0) throw ScimError.invalidPath(`'[' at position ${open} is never closed in '${clip(text)}'`);
  const filter = parseValueFilter(text.slice(open + 1, close), {}, open + 1);
  const rest = text.slice(close + 1).trim();
  if (rest === '') return { text, attrPath, filter };
  if (!rest.startsWith('.') || !isAttrName(rest.slice(1))) {
    throw ScimError.invalidPath(
      `unexpected '${clip(rest)}' after the value filter at position ${close + 1}; only '.subAttribute' may follow`,
    );
  }
  return { text, attrPath, filter, subAttr: rest.slice(1) };
}

/** What a PATCH path designates in a resource of a given type. */
export type PatchTarget =
  | {
      /** The whole extension object `resource[schemaUrn]`. */
      readonly kind: 'schema';
      readonly schemaUrn: string;
    }
  | {
      readonly kind: 'attribute';
      /** The top-level attribute (never narrowed to a sub-attribute). */
      readonly attribute: ResolvedAttribute;
      /** The sub-attribute written (`name.givenName`, `emails[...].value`). */
      readonly sub?: AttributeDef;
      /** The value filter selecting elements (`emails[type eq "work"]`). */
      readonly filter?: CheckedValuePath;
      /** Canonical text of the target, for error details. */
      readonly canonicalPath: string;
    };

/**
 * Resolve a PATCH path against `rt`: unknown attributes and sub-attributes throw `invalidPath`,
 * value filters are checked (`invalidFilter`) and only allowed on multi-valued attributes.
 */
export function resolvePatchPath(rt: ResourceTypeDef, text: string): PatchTarget {
  const schemaUrn = resolveSchemaUrn(rt, text.trim());
  if (schemaUrn !== undefined && schemaUrn !== rt.schema) return { kind: 'schema', schemaUrn };
  const path = parsePatchPath(text);
  const resolved = resolveAttribute(rt, path.attrPath);
  if (!resolved) {
    throw ScimError.invalidPath(`unknown attribute '${formatAttrPath(path.attrPath)}' in path '${clip(text)}'`);
  }
  if (!path.filter) {
    const top = topLevel(resolved);
    return {
      kind: 'attribute',
      attribute: top,
      ...(resolved.subAttribute ? { sub: resolved.subAttribute } : {}),
      canonicalPath: resolved.canonicalPath,
    };
  }
  if (!resolved.attribute.multiValued) {
    throw ScimError.invalidPath(
      `'${resolved.canonicalPath}' is single-valued; value filters select values of multi-valued attributes`,
    );
  }
  const filter = checkValuePath({ kind: 'valuePath', path: path.attrPath, filter: path.filter }, rt) as CheckedValuePath;
  let sub: AttributeDef | undefined;
  if (path.subAttr !== undefined) {
    sub = findAttribute(resolved.attribute.subAttributes, path.subAttr);
    if (!sub) throw ScimError.invalidPath(`unknown attribute '${resolved.canonicalPath}.${path.subAttr}' in path '${clip(text)}'`);
  }
  const filterText = text.slice(text.indexOf('['), findClosingBracket(text, text.indexOf('[')) + 1);
  return {
    kind: 'attribute',
    attribute: resolved,
    ...(sub ? { sub } : {}),
    filter,
    canonicalPath: `${resolved.canonicalPath}${filterText}${sub ? `.${sub.name}` : ''}`,
  };
}

function topLevel(resolved: ResolvedAttribute): ResolvedAttribute {
  if (!resolved.subAttribute) return resolved;
  const prefix = resolved.extension ? `${resolved.schemaUrn}:` : '';
  return {
    schemaUrn: resolved.schemaUrn,
    extension: resolved.extension,
    attribute: resolved.attribute,
    target: resolved.attribute,
    canonicalPath: prefix + resolved.attribute.name,
  };
}

/** Index of the `]` closing the `[` at `open`, skipping quoted strings; -1 when missing. */
function findClosingBracket(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (ch === '[') depth++;
    if (ch === ']' && --depth === 0) return i;
  }
  return -1;
}

function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
