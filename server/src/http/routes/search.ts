/**
 * POST /.search at the root (RFC 7644 §3.4.3): one SearchRequest over every resource type.
 *
 * The result is the resources of each type in /ResourceTypes order (Users, then Groups), each
 * type in its own list order, and startIndex/count page across that concatenation exactly.
 * What a type cannot express counts as "no value" there:
 * - a filter naming attributes a type does not have (userName for Groups) matches none of it;
 * - a sortBy a type does not have sorts that type as if the value were absent (after the sorted
 *   types when ascending, before them when descending, RFC 7644 §3.4.2.3), in its default order.
 * Cursor paging is offered per resource type (/Users/.search, /Groups/.search), not here.
 */
import type { FastifyInstance } from 'fastify';
import { ScimError } from '../../scim/index.js';
import { parsePageWindow, toListResponse } from '../../scim/list-params.js';
import { sendResource } from './resource-reply.js';
import { readSearchRequest } from '../../scim/search-request.js';
import type { SearchTarget } from './search-target.js';

type Query = Record<string, string | undefined>;

function isRefusal(e: unknown, scimType: 'invalidFilter' | 'invalidValue'): e is ScimError {
  return e instanceof ScimError && e.status === 400 && e.scimType === scimType;
}

export function rootSearchRoutes(targets: readonly SearchTarget[], maxPageSize: number) {
  return (app: FastifyInstance) => {
    app.post('/.search', async (req, reply) => {
      const q = readSearchRequest(req.body);
      if (q.cursor !== undefined) {
        throw ScimError.invalidValue('Cursor paging is per resource type: POST /Users/.search or /Groups/.search with "cursor".');
      }
      const { startIndex, count } = parsePageWindow(q, maxPageSize);
      const sorted: { target: SearchTarget; q: Query; total: number }[] = [];
      const unsorted: typeof sorted = [];
      let refused: ScimError | undefined;
      let unsortable: ScimError | undefined;
      for (const target of targets) {
        const total = async (query: Query) => (await target.search(req, { ...query, startIndex: '1', count: '0' })).total;
        try {
          sorted.push({ target, q, total: await total(q) });
        } catch (e) {
          if (isRefusal(e, 'invalidFilter')) {
            refused ??= e;
          } else if (isRefusal(e, 'invalidValue') && q.sortBy) {
            unsortable ??= e;
            const unsortedQuery = { ...q, sortBy: undefined, sortOrder: undefined };
            unsorted.push({ target, q: unsortedQuery, total: await total(unsortedQuery) });
          } else {
            throw e;
          }
        }
      }
      if (sorted.length + unsorted.length === 0) throw refused!;
      // A sortBy no resource type has is a mistake, not an order.
      if (sorted.length === 0) throw unsortable!;
      const parts = String(q.sortOrder ?? '').toLowerCase() === 'descending' ? [...unsorted, ...sorted] : [...sorted, ...unsorted];
      const resources: Record<string, unknown>[] = [];
      let skip = startIndex - 1;
      let left = count;
      for (const part of parts) {
        if (left === 0) break;
        if (skip >= part.total) {
          skip -= part.total;
          continue;
        }
        const page = await part.target.search(req, { ...part.q, startIndex: String(skip + 1), count: String(Math.min(left, part.total - skip)) });
        resources.push(...page.resources);
        left -= page.resources.length;
        skip = 0;
      }
      const total = parts.reduce((n, p) => n + p.total, 0);
      return sendResource(reply, 200, toListResponse(total, startIndex, resources));
    });
  };
}
