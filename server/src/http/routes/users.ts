/** /Users (RFC 7644 §3.3–§3.6): thin routes over UserService; statuses come from ScimError. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isNotModified, preconditionsOf, toETag } from '../../scim/etag.js';
import { toPagedListResponse } from '../../scim/list-params.js';
import { readSearchRequest } from '../../scim/search-request.js';
import { toUserResource, type StoredUser, type UserService } from '../../users/index.js';
import { callerOf } from '../request-context.js';
import { sendResource, type Projector } from './resource-reply.js';
import type { SearchTarget } from './search-target.js';

export type { Projector };

interface Params {
  id: string;
}
type Query = Record<string, string | undefined>;

/** A user as a response shows it: the representation, projected by attributes/excludedAttributes. */
function representUser(req: FastifyRequest, user: StoredUser, project: Projector, q: Query = {}): Record<string, unknown> {
  return project(toUserResource(user, callerOf(req).baseUrl), q.attributes, q.excludedAttributes);
}

/** Users for the root POST /.search (search.ts). */
export function userSearchTarget(users: UserService, project: Projector): SearchTarget {
  return {
    resourceType: 'User',
    async search(req, q) {
      const page = await users.list(callerOf(req), q);
      return { total: page.total, resources: page.items.map((u) => representUser(req, u, project, q)) };
    },
  };
}

export function userRoutes(users: UserService, project: Projector) {
  return (app: FastifyInstance) => {
    const represent = (req: FastifyRequest, user: StoredUser, q: Query = {}) => representUser(req, user, project, q);
    const headersFor = (req: FastifyRequest, user: StoredUser) => ({ etag: toETag(user.version), location: `${callerOf(req).baseUrl}/Users/${user.id}` });

    const list = async (req: FastifyRequest, reply: FastifyReply, q: Query) => {
      const page = await users.list(callerOf(req), q);
      return sendResource(reply, 200, toPagedListResponse(page, page.items.map((u) => represent(req, u, q))));
    };

    app.get<{ Querystring: Query }>('/Users', (req, reply) => list(req, reply, req.query));
    app.post('/Users/.search', (req, reply) => list(req, reply, readSearchRequest(req.body)));

    app.post<{ Querystring: Query }>('/Users', async (req, reply) => {
      const user = await users.create(callerOf(req), req.body);
      return sendResource(reply, 201, represent(req, user, req.query), headersFor(req, user));
    });

    app.get<{ Params: Params; Querystring: Query }>('/Users/:id', async (req, reply) => {
      const user = await users.get(callerOf(req), req.params.id);
      if (isNotModified(preconditionsOf(req.headers), user.version)) {
        return reply.code(304).header('etag', toETag(user.version)).send();
      }
      return sendResource(reply, 200, represent(req, user, req.query), headersFor(req, user));
    });

    app.put<{ Params: Params; Querystring: Query }>('/Users/:id', async (req, reply) => {
      const p = preconditionsOf(req.headers);
      const user = await users.replace(callerOf(req), req.params.id, req.body, p.ifMatch, p.ifNoneMatch);
      return sendResource(reply, 200, represent(req, user, req.query), headersFor(req, user));
    });

    app.patch<{ Params: Params; Querystring: Query }>('/Users/:id', async (req, reply) => {
      const p = preconditionsOf(req.headers);
      const user = await users.patch(callerOf(req), req.params.id, req.body, p.ifMatch, p.ifNoneMatch);
      return sendResource(reply, 200, represent(req, user, req.query), headersFor(req, user));
    });

    app.delete<{ Params: Params }>('/Users/:id', async (req, reply) => {
      const p = preconditionsOf(req.headers);
      await users.delete(callerOf(req), req.params.id, p.ifMatch, p.ifNoneMatch);
      return reply.code(204).send();
    });
  };
}
