/**
 * The one place SCIM errors become HTTP answers (RFC 7644 §3.12): an Error message body in
 * application/scim+json with the status as a string. Fastify's own errors (body too large,
 * bad JSON, wrong media type) are mapped here too, so every answer has the same shape.
 */
import type { FastifyReply } from 'fastify';
import { ScimError, toScimErrorBody } from '../scim/index.js';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
  validation?: unknown;
}

/** Maps an error thrown anywhere in a request to a ScimError. */
export function toScimError(error: unknown): ScimError {
  if (error instanceof ScimError) return error;
  const e = error as FastifyLikeError;
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return ScimError.payloadTooLarge('The request body is larger than this server accepts.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return ScimError.unsupportedMediaType('Send the body as application/scim+json (or application/json).');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return ScimError.invalidSyntax('The request body is empty; a JSON object was expected.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return ScimError.invalidSyntax('The request body is not valid JSON.');
  }
  if (error instanceof SyntaxError || e?.statusCode === 400) {
    return ScimError.invalidSyntax('The request body is not valid JSON.');
  }
  if (e?.statusCode === 413) return ScimError.payloadTooLarge('The request body is larger than this server accepts.');
  if (e?.statusCode === 415) return ScimError.unsupportedMediaType('Send the body as application/scim+json (or application/json).');
  return ScimError.from(error);
}

export function sendScimError(reply: FastifyReply, error: ScimError): FastifyReply {
  reply.code(error.status).header('content-type', SCIM_CONTENT_TYPE);
  if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
  if (error.status === 401) reply.header('www-authenticate', 'Bearer realm="mailcow-scim"');
  return reply.send(JSON.stringify(toScimErrorBody(error)));
}
