/** How every SCIM route answers with a resource or a list (application/scim+json). */
import type { FastifyReply } from 'fastify';
import { SCIM_CONTENT_TYPE } from '../error-response.js';

/** attributes / excludedAttributes applied to one representation (RFC 7644 §3.4.2.5, §3.9). */
export type Projector = (resource: Record<string, unknown>, attributes?: string, excludedAttributes?: string) => Record<string, unknown>;

export function sendResource(reply: FastifyReply, status: number, body: unknown, extra: Record<string, string> = {}): FastifyReply {
  reply.code(status).header('content-type', SCIM_CONTENT_TYPE);
  for (const [k, v] of Object.entries(extra)) reply.header(k, v);
  return reply.send(JSON.stringify(body));
}
