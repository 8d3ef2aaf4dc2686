/**
 * Attribute paths as written in filters, PATCH paths and `attributes` lists (RFC 7644 §3.10):
 * `attr`, `attr.sub`, or either one prefixed with a schema URN (`urn:…:User:name.familyName`).
 *
 * This module only splits text; it does not know any schema. Resolving a path against a resource
 * type (case-insensitively, to canonical names) is `resolveAttribute` in ./schema.
 */

/** An attribute path exactly as written: `{ uri?, attr, sub? }`. */
export interface AttrPath {
  /** The schema URN prefix, when the path is URN-qualified (everything before the last colon). */
  readonly uri?: string;
  readonly attr: string;
  readonly sub?: string;
}

/** ATTRNAME of RFC 7644 §3.4.2.2 (`ALPHA *(nameChar)`), plus `$ref` (RFC 7643 §2.3.7). */
const ATTR_NAME = /^(?:[A-Za-z][A-Za-z0-9_-]*|\$ref)$/;
/** A URN prefix: `urn:` and then anything that is not whitespace or filter punctuation. */
const URN = /^urn:[^\s"()[\]]+$/i;

/** Whether `name` is a valid attribute name (RFC 7644 §3.4.2.2 ATTRNAME, or `$ref`). */
export function isAttrName(name: string | undefined): name is string {
  return name !== undefined && ATTR_NAME.test(name);
}

/**
 * Split `text` into an AttrPath. URN-qualified paths split at the last colon, so the dots inside
 * the URN (`2.0`) never count as sub-attribute separators. Returns undefined when the text is not
 * a well-formed attribute path (empty parts, more than one dot after the URN, bad characters).
 */
export function parseAttrPath(text: string): AttrPath | undefined {
  let uri: string | undefined;
  let rest = text;
  if (/^urn:/i.test(text)) {
    const colon = text.lastIndexOf(':');
    uri = text.slice(0, colon);
    rest = text.slice(colon + 1);
    if (!URN.test(uri) || uri.length <= 4) return undefined;
  }
  const parts = rest.split('.');
  if (parts.length > 2) return undefined;
  const [attr, sub] = parts;
  if (!isAttrName(attr)) return undefined;
  if (sub !== undefined && !isAttrName(sub)) return undefined;
  const path: { uri?: string; attr: string; sub?: string } = { attr };
  if (uri !== undefined) path.uri = uri;
  if (sub !== undefined) path.sub = sub;
  return path;
}

/** The text form of an AttrPath (`uri:attr.sub`). */
export function formatAttrPath(path: AttrPath): string {
  const local = path.sub === undefined ? path.attr : `${path.attr}.${path.sub}`;
  return path.uri === undefined ? local : `${path.uri}:${local}`;
}
