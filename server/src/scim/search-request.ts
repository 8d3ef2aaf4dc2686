/**
 * The body of a POST .search (RFC 7644 §3.4.3) read into the parameters a GET list takes as a
 * query string, so both are checked by parseListParams alike. Each member is type-checked here:
 * a filter that is not a string would otherwise be ignored (and the answer list everything), and
 * a value that is not text cannot be turned into one safely (an object whose toString is not a
 * function throws).
 */
import { ScimError } from './scim-error.js';
import { isJsonObject, SEARCH_REQUEST_SCHEMA } from './schema/index.js';

export type SearchParams = Record<string, string | undefined>;

const absent = (v: unknown): v is null | undefined => v === undefined || v === null;

function text(name: string, v: unknown, refuse: (detail: string) => ScimError): string | undefined {
  if (absent(v)) return undefined;
  if (typeof v !== 'string') throw refuse(`"${name}" must be a string.`);
  return v;
}

function integer(name: string, v: unknown): string | undefined {
  if (absent(v)) return undefined;
  if (typeof v === 'number' || typeof v === 'string') return String(v);
  throw ScimError.invalidValue(`"${name}" must be an integer.`);
}

function attributeNames(name: string, v: unknown): string | undefined {
  if (absent(v)) return undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((a) => typeof a === 'string')) return v.join(',');
  throw ScimError.invalidValue(`"${name}" must be a list of attribute names.`);
}

export function readSearchRequest(body: unknown): SearchParams {
  if (!isJsonObject(body)) throw ScimError.invalidSyntax('A .search body must be a SearchRequest object.');
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(SEARCH_REQUEST_SCHEMA)) {
    throw ScimError.invalidSyntax(`A .search body must have "schemas": ["${SEARCH_REQUEST_SCHEMA}"].`);
  }
  return {
    filter: text('filter', body.filter, ScimError.invalidFilter),
    sortBy: text('sortBy', body.sortBy, ScimError.invalidValue),
    sortOrder: text('sortOrder', body.sortOrder, ScimError.invalidValue),
    startIndex: integer('startIndex', body.startIndex),
    count: integer('count', body.count),
    // RFC 9865 §3: "cursor": "" asks for the first cursor page.
    cursor: text('cursor', body.cursor, ScimError.invalidCursor),
    attributes: attributeNames('attributes', body.attributes),
    excludedAttributes: attributeNames('excludedAttributes', body.excludedAttributes),
  };
}
