/**
 * Query parameters of a list or .search (RFC 7644 §3.4.2–§3.4.3): filter, sortBy/sortOrder,
 * startIndex/count, checked once here so every resource type pages the same way.
 */
import { ScimError } from './scim-error.js';
import { checkFilter, parseFilter, type CheckedAttribute, type CheckedFilter } from './filter/index.js';
import type { ResourceTypeDef } from './schema/index.js';

export interface RawListParams {
  filter?: unknown;
  sortBy?: unknown;
  sortOrder?: unknown;
  startIndex?: unknown;
  count?: unknown;
}

export interface ListParams {
  filter?: CheckedFilter;
  sortBy?: CheckedAttribute;
  descending: boolean;
  startIndex: number;
  count: number;
}

/** Integers arrive as query strings or JSON numbers; anything else is invalidValue. */
function toInteger(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^-?\d{1,12}$/.test(text)) throw ScimError.invalidValue(`"${name}" must be an integer (got ${JSON.stringify(value)}).`);
  return Number(text);
}

export function parseListParams(raw: RawListParams, rt: ResourceTypeDef, maxPageSize: number): ListParams {
  const params: ListParams = { descending: false, startIndex: 1, count: maxPageSize };
  if (raw.filter !== undefined && raw.filter !== '') {
    if (typeof raw.filter !== 'string') throw ScimError.invalidFilter('"filter" must be a string.');
    // Entra's configurable matching attribute sends `emails[type eq "work"].value eq "x"`
    // (idp-clients.md §2): read it as `emails[type eq "work" and value eq "x"]`. Some authentik
    // releases sent the 409 lookup value unquoted (`userName eq x`, idp-clients.md §4): a string.
    params.filter = checkFilter(parseFilter(raw.filter, { valuePathSubAttribute: 'rewrite', unquotedValues: 'string' }), rt);
  }
  if (raw.sortBy !== undefined && raw.sortBy !== '') {
    if (typeof raw.sortBy !== 'string') throw ScimError.invalidValue('"sortBy" must be an attribute name.');
    let checked: CheckedFilter;
    try {
      checked = checkFilter(parseFilter(`${raw.sortBy} pr`), rt);
    } catch {
      throw ScimError.invalidValue(`"sortBy" names no sortable ${rt.name} attribute: "${raw.sortBy}".`);
    }
    if (checked.kind !== 'present') throw ScimError.invalidValue(`"sortBy" must be a single attribute path.`);
    params.sortBy = checked.attribute;
  }
  if (raw.sortOrder !== undefined && raw.sortOrder !== '') {
    const order = String(raw.sortOrder).toLowerCase();
    if (order !== 'ascending' && order !== 'descending') throw ScimError.invalidValue('"sortOrder" must be "ascending" or "descending".');
    params.descending = order === 'descending';
  }
  // RFC 7644 §3.4.2.4: startIndex < 1 is read as 1; a negative count as 0; count is capped.
  const startIndex = toInteger('startIndex', raw.startIndex);
  if (startIndex !== undefined) params.startIndex = Math.max(1, startIndex);
  const count = toInteger('count', raw.count);
  if (count !== undefined) params.count = Math.min(Math.max(0, count), maxPageSize);
  return params;
}

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export function toListResponse(total: number, startIndex: number, resources: Record<string, unknown>[]): Record<string, unknown> {
  return { schemas: [LIST_RESPONSE_SCHEMA], totalResults: total, itemsPerPage: resources.length, startIndex, Resources: resources };
}
