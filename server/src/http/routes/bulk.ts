/**
 * /Bulk (RFC 7644 §3.7): the request is checked and run by scim/bulk.ts; each operation goes to
 * the Users or Groups use case exactly as its own request would, so it is its own transaction
 * with its own audit row. The body limit (maxPayloadSize) is fastify's bodyLimit, the same
 * SCIM_MAX_BODY_BYTES every request has, answered 413 by error-response.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { GroupService } from '../../groups/index.js';
import { parseBulkRequest, runBulk, type BulkCall, type BulkCallResult } from '../../scim/bulk.js';
import { toETag } from '../../scim/etag.js';
import { ScimError } from '../../scim/index.js';
import type { UserService } from '../../users/index.js';
import { callerOf, type ScimCaller } from '../request-context.js';
import { sendResource } from './resource-reply.js';

export interface BulkRouteDeps {
  users: UserService;
  groups: GroupService;
  /** SCIM_MAX_BULK_OPERATIONS: more operations are refused with 413. */
  maxOperations: number;
}

/** One operation on the use cases; the answer carries no resource body (RFC 7644 §3.7.3 makes it optional for 2xx). */
async function dispatch(deps: BulkRouteDeps, caller: ScimCaller, call: BulkCall): Promise<BulkCallResult> {
  const located = (id: string, version: number, status: number): BulkCallResult => ({
    status,
    id,
    location: `${caller.baseUrl}/${call.endpoint}/${id}`,
    version: toETag(version),
  });
  const id = call.id ?? '';
  if (call.endpoint === 'Users') {
    switch (call.method) {
      case 'POST': {
        const u = await deps.users.create(caller, call.data);
        return located(u.id, u.version, 201);
      }
      case 'PUT': {
        const u = await deps.users.replace(caller, id, call.data, call.version);
        return located(u.id, u.version, 200);
      }
      case 'PATCH': {
        const u = await deps.users.patch(caller, id, call.data, call.version);
        return located(u.id, u.version, 200);
      }
      case 'DELETE':
        await deps.users.delete(caller, id, call.version);
        return { status: 204, id, location: `${caller.baseUrl}/Users/${id}` };
    }
  }
  const noMembers = { members: false };
  switch (call.method) {
    case 'POST': {
      const g = await deps.groups.create(caller, call.data, noMembers);
      return located(g.id, g.version, 201);
    }
    case 'PUT': {
      const g = await deps.groups.replace(caller, id, call.data, call.version, undefined, noMembers);
      return located(g.id, g.version, 200);
    }
    case 'PATCH': {
      const g = await deps.groups.patch(caller, id, call.data, call.version, undefined, noMembers);
      return located(g.id, g.version, 200);
    }
    case 'DELETE':
      await deps.groups.delete(caller, id, call.version);
      return { status: 204, id, location: `${caller.baseUrl}/Groups/${id}` };
  }
}

export function bulkRoutes(deps: BulkRouteDeps) {
  return (app: FastifyInstance) => {
    app.post('/Bulk', async (req, reply) => {
      const caller = callerOf(req);
      const request = parseBulkRequest(req.body, deps.maxOperations);
      const response = await runBulk(request, async (call) => {
        try {
          return await dispatch(deps, caller, call);
        } catch (e) {
          const error = ScimError.from(e);
          if (error.status >= 500) req.log.error({ err: error.cause ?? error, status: error.status, bulk: { method: call.method, endpoint: call.endpoint } }, 'bulk operation failed');
          throw error;
        }
      });
      req.log.info({ operations: request.operations.length, ran: response.Operations.length, failed: response.Operations.filter((o) => Number(o.status) >= 400).length }, 'bulk');
      return sendResource(reply, 200, response);
    });
  };
}
