/** /Groups (RFC 7644 §3.3–§3.6): thin routes over GroupService; statuses come from ScimError. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readOptionsFor, toGroupResource, type GroupService, type StoredGroup } from '../../groups/index.js';
import { isNotModified, preconditionsOf, toETag } from '../../scim/etag.js';
import { toPagedListResponse } from '../../scim/list-params.js';
import { parseAttributeList } from '../../scim/projection/index.js';
import { callerOf } from '../request-context.js';
import { sendResource, type Projector } from './resource-reply.js';
import { readSearchRequest } from '../../scim/search-request.js';
import type { SearchTarget } from './search-target.js';

interface Params {
  id: string;
}
type Query = Record<string, string | undefined>;

/** Whether the answer needs the member list at all (a large group's members are costly to read). */
function readOptions(q: Query) {
  return readOptionsFor(parseAttributeList(q.attributes), parseAttributeList(q.excludedAttributes));
}

/** Groups for the root POST /.search (search.ts), members read only when the answer shows them. */
export function groupSearchTarget(groups: GroupService, project: Projector): SearchTarget {
  return {
    resourceType: 'Group',
    async search(req, q) {
      const page = await groups.list(callerOf(req), q, readOptions(q));
      return { total: page.total, resources: page.items.map((g) => project(toGroupResource(g, callerOf(req).baseUrl), q.attributes, q.excludedAttributes)) };
    },
  };
}

/**
 * PATCH answers 200 with the group (RFC 7644 §3.5.2 allows 200 or 204). Entra documents 204 as
 * expected but accepts 200; `excludedAttributes=members` keeps a large group's answer small.
 */
export function groupRoutes(groups: GroupService, project: Projector) {
  return (app: FastifyInstance) => {
    const represent = (req: FastifyRequest, group: StoredGroup, q: Query = {}) =>
      project(toGroupResource(group, callerOf(req).baseUrl), q.attributes, q.excludedAttributes);
    const headersFor = (req: FastifyRequest, group: StoredGroup) => ({ etag: toETag(group.version), location: `${callerOf(req).baseUrl}/Groups/${group.id}` });

    const list = async (req: FastifyRequest, reply: FastifyReply, q: Query) => {
      const page = await groups.list(callerOf(req), q, readOptions(q));
      return sendResource(reply, 200, toPagedListResponse(page, page.items.map((g) => represent(req, g, q))));
    };

    app.get<{ Querystring: Query }>('/Groups', (req, reply) => list(req, reply, req.query));
    app.post('/Groups/.search', (req, reply) => list(req, reply, readSearchRequest(req.body)));

    app.post<{ Querystring: Query }>('/Groups', async (req, reply) => {
      const group = await groups.create(callerOf(req), req.body, readOptions(req.query));
      return sendResource(reply, 201, represent(req, group, req.query), headersFor(req, group));
    });

    app.get<{ Params: Params; Querystring: Query }>('/Groups/:id', async (req, reply) => {
      const group = await groups.get(callerOf(req), req.params.id, readOptions(req.query));
      if (isNotModified(preconditionsOf(req.headers), group.version)) {
        return reply.code(304).header('etag', toETag(group.version)).send();
      }
      return sendResource(reply, 200, represent(req, group, req.query), headersFor(req, group));
    });

    app.put<{ Params: Params; Querystring: Query }>('/Groups/:id', async (req, reply) => {
      const p = preconditionsOf(req.headers);
      const group = await groups.replace(callerOf(req), req.params.id, req.body, p.ifMatch, p.ifNoneMatch, readOptions(req.query));
      return sendResource(reply, 200, represent(req, group, req.query), headersFor(req, group));
    });

    app.patch<{ Params: Params; Querystring: Query }>('/Groups/:id', async (req, reply) => {
      const p = preconditionsOf(req.headers);
      const group = await groups.patch(callerOf(req), req.params.id, req.body, p.ifMatch, p.ifNoneMatch, readOptions(req.query));
      return sendResource(reply, 200, represent(req, group, req.query), headersFor(req, group));
    });

    app.delete<{ Params: Params }>('/Groups/:id', async (req, reply) => {
      const p = preconditionsOf(req.headers);
      await groups.delete(callerOf(req), req.params.id, p.ifMatch, p.ifNoneMatch);
      return reply.code(204).send();
    });
  };
}
