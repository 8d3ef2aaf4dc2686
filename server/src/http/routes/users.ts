/** /Users (RFC 7644 §3.3–§3.6): thin routes over UserService; statuses come from ScimError. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isNotModified, preconditionsOf, toETag } from '../../scim/etag.js';
import { toPagedListResponse } from '../../scim/list-params.js';
import { ScimError } from '../../scim/index.js';
import { SEARCH_REQUEST_SCHEMA } from '../../scim/schema/index.js';
import { toUserResource, type StoredUser, type UserService } from '../../users/index.js';
import { SCIM_CONTENT_TYPE } from '../error-response.js';
import { callerOf } from '../request-context.js';
import type { SearchTarget } from './search.js';

/** attributes / excludedAttributes applied to one representation (RFC 7644 §3.4.2.5, §3.9). */
export type Projector = (resource: Record<string, unknown>, attributes?: string, excludedAttributes?: string) => Record<string, unknown>;

interface Params {
  id: string;
}
type Query = Record<string, string | undefined>;

export function sendResource(reply: FastifyReply, status: number, body: unknown, extra: Record<string, string> = {}): FastifyReply {
  reply.code(status).header('content-type', SCIM_CONTENT_TYPE);
  for (const [k, v] of Object.entries(extra)) reply.header(k, v);
  return reply.send(JSON.stringify(body));
}

/** The body of a POST .search (RFC 7644 §3.4.3), checked. */
export function readSearchRequest(body: unknown): Query {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw ScimError.invalidSyntax('A .search body must be a SearchRequest object.');
  const b = body as Record<string, unknown>;
  const schemas = b.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(SEARCH_REQUEST_SCHEMA)) throw ScimError.invalidSyntax(`A .search body must have "schemas": ["${SEARCH_REQUEST_SCHEMA}"].`);
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String).join(',') : typeof v === 'string' ? v : undefined);
  return {
    filter: typeof b.filter === 'string' ? b.filter : undefined,
    sortBy: typeof b.sortBy === 'string' ? b.sortBy : undefined,
    sortOrder: typeof b.sortOrder === 'string' ? b.sortOrder : undefined,
    startIndex: b.startIndex === undefined ? undefined : String(b.startIndex),
    count: b.count === undefined ? undefined : String(b.count),
    // RFC 9865 §3: "cursor": "" asks for the first cursor page.
    cursor: b.cursor === undefined || b.cursor === null ? undefined : typeof b.cursor === 'string' ? b.cursor : JSON.stringify(b.cursor),
    attributes: list(b.attributes),
    excludedAttributes: list(b.excludedAttributes),
  };
}

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
