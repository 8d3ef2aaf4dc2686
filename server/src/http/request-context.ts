import type { FastifyRequest } from 'fastify';
import type { TokenRecord } from '../tokens/index.js';

/** What the SCIM routes know about the caller once the bearer token was accepted. */
export interface ScimCaller {
  token: TokenRecord;
  clientIp: string | null;
  requestId: string;
  /** Base URL of the SCIM API as the client sees it, for meta.location (no trailing slash). */
  baseUrl: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    scimCaller?: ScimCaller;
    clientIp: string | null;
  }
}

export function callerOf(req: FastifyRequest): ScimCaller {
  if (!req.scimCaller) throw new Error('route reached without authentication');
  return req.scimCaller;
}
