/**
 * The two sides of a filter agreement test: what `evaluateFilter` selects among resources as
 * GET shows them, and what the server selects in SQL, as comparable outcomes (sorted ids, or
 * the error status and scimType).
 */
import { evaluateFilter } from '../../server/src/scim/filter/index.js';
import { parseListParams } from '../../server/src/scim/list-params.js';
import type { ResourceTypeDef } from '../../server/src/scim/schema/index.js';
import { ScimError } from '../../server/src/scim/scim-error.js';
import type { scimClient } from './http.js';

export type Outcome = { ids: string[] } | { error: string };

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** The resources `filter` selects in memory, read exactly as a list request reads it. */
export function filterInMemory(filter: string, rt: ResourceTypeDef, resources: Record<string, unknown>[]): Outcome {
  try {
    const p = parseListParams({ filter }, rt, 500);
    return { ids: resources.filter((r) => !p.filter || evaluateFilter(p.filter, r)).map((r) => String(r.id)).sort() };
  } catch (e) {
    if (e instanceof ScimError) return { error: `${e.status} ${e.scimType}` };
    throw e;
  }
}

/** The resources the server selects for `filter` at `endpoint` (`/Users`), by GET or by POST .search. */
export async function filterOverHttp(
  api: ReturnType<typeof scimClient>,
  endpoint: string,
  filter: string,
  search: boolean,
): Promise<{ outcome: Outcome; status: number; detail?: string }> {
  const r = search
    ? await api.post(`${endpoint}/.search`, { schemas: [SEARCH], filter, count: 500 })
    : await api.get(`${endpoint}?count=500&filter=${encodeURIComponent(filter)}`);
  if (r.status !== 200) return { outcome: { error: `${r.status} ${r.body?.scimType}` }, status: r.status, detail: r.body?.detail };
  return { outcome: { ids: (r.body.Resources as { id: string }[]).map((x) => x.id).sort() }, status: 200 };
}
