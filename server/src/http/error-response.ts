/**
 * The one place SCIM errors become HTTP answers (RFC 7644 §3.12): an Error message body in
 * application/scim+json with the status as a string. Fastify's own errors (a malformed URL, body
 * too large, bad JSON, wrong media type, any other FST_ERR_*) and Node's parser errors are
 * recognised here too, so every answer the surface gives has the same shape.
 */
import type { Socket } from 'node:net';
import type { FastifyReply } from 'fastify';
import { ScimError, toScimErrorBody, type ErrorRecognizer, type ScimErrorCode } from '../scim/index.js';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
}

const BODY_TOO_LARGE = 'The request body is larger than this server accepts.';
const MEDIA_TYPE = 'Send the body as application/scim+json (or application/json).';

/** Fastify's errors by code; an FST_ERR_* not listed is mapped by its statusCode. */
const FASTIFY_ERRORS: Readonly<Record<string, [ScimErrorCode, string]>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ['payload_too_large', BODY_TOO_LARGE],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported_media_type', MEDIA_TYPE],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['invalid_syntax', 'The request body is empty; a JSON object was expected.'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['invalid_syntax', 'The request body is not valid JSON.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['malformed_request', 'The Content-Length header does not match the body.'],
  FST_ERR_BAD_URL: ['malformed_request', 'The request URL is malformed (an invalid percent-encoding).'],
  FST_ERR_MAX_PARAM_LENGTH: ['uri_too_long', 'A path segment of the request URL is longer than this server accepts.'],
  FST_ERR_NOT_FOUND: ['no_endpoint', 'No SCIM endpoint at this path.'],
};

const BY_STATUS: Readonly<Record<number, [ScimErrorCode, string]>> = {
  400: ['malformed_request', 'The request is malformed.'],
  404: ['no_endpoint', 'No SCIM endpoint at this path.'],
  413: ['payload_too_large', BODY_TOO_LARGE],
  414: ['uri_too_long', 'The request URL is longer than this server accepts.'],
  415: ['unsupported_media_type', MEDIA_TYPE],
  503: ['unavailable', 'The service is unavailable; try again shortly.'],
};

/** Fastify's errors (FST_ERR_*), and a JSON.parse SyntaxError from a body parser. */
export const recognizeFastifyError: ErrorRecognizer = (reason) => {
  if (reason instanceof SyntaxError) return ScimError.invalidSyntax('The request body is not valid JSON.');
  const e = reason as FastifyLikeError | null;
  if (typeof e !== 'object' || e === null || typeof e.code !== 'string' || !e.code.startsWith('FST_')) return undefined;
  const known = FASTIFY_ERRORS[e.code] ?? (e.statusCode === undefined ? undefined : BY_STATUS[e.statusCode]);
  if (known) return new ScimError(known[0], known[1], { cause: reason });
  return new ScimError('internal', 'Internal server error.', { cause: reason });
};

/** The error boundary of the HTTP surface: any thrown value as a ScimError. */
export function toScimError(error: unknown): ScimError {
  return ScimError.from(error, recognizeFastifyError);
}

export function sendScimError(reply: FastifyReply, error: ScimError): FastifyReply {
  reply.code(error.status).header('content-type', SCIM_CONTENT_TYPE);
  if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
  if (error.status === 401) reply.header('www-authenticate', 'Bearer realm="mailcow-scim"');
  return reply.send(JSON.stringify(toScimErrorBody(error)));
}

/** Node's HTTP parser errors, answered before any request exists (fastify's clientErrorHandler). */
function clientErrorOf(err: NodeJS.ErrnoException): ScimError {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new ScimError('headers_too_large', 'The request headers are larger than this server accepts.');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ScimError('request_timeout', 'The request was not received in time.');
    default:
      return new ScimError('malformed_request', 'The request is not valid HTTP.');
  }
}

const REASONS: Readonly<Record<number, string>> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** Writes the SCIM answer to a request Node could not parse, then closes the connection. */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  // ECONNRESET and friends: the peer is gone, there is no one to answer.
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const error = clientErrorOf(err);
  const body = JSON.stringify(toScimErrorBody(error));
  // Half-close and read on for a moment, so the client reads the answer instead of a reset.
  const linger = setTimeout(() => socket.destroy(), 2_000);
  linger.unref();
  socket.once('close', () => clearTimeout(linger));
  socket.on('end', () => socket.destroy());
  socket.resume();
  socket.end(
    `HTTP/1.1 ${error.status} ${REASONS[error.status] ?? 'Bad Request'}\r\n` +
      `Content-Type: ${SCIM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
