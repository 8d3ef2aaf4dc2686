/**
 * The one error type of the SCIM protocol core (RFC 7644 §3.12).
 *
 * Everything the core, the data layer or an adapter rejects is a ScimError. The HTTP surface
 * turns it into an Error body (http/error-response.ts) and the gRPC surface into a status
 * (rpc/status.ts); nothing else chooses a status code.
 */

/**
 * The scimType keywords of RFC 7644 §3.12, Table 9, and the three cursor-pagination keywords
 * RFC 9865 §2.1 adds to it (invalidCursor, expiredCursor, invalidCount).
 */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive'
  | 'invalidCursor'
  | 'expiredCursor'
  | 'invalidCount';

/** HTTP statuses a SCIM error may carry (RFC 7644 §3.12, plus 415 and 503 for transport limits). */
export type ScimErrorStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 429 | 500 | 501 | 503;

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export interface ScimErrorOptions {
  scimType?: ScimType;
  /** Logged, never sent. */
  cause?: unknown;
  /** Seconds a client should wait (sent as Retry-After with 503 and 429). */
  retryAfter?: number;
}

export class ScimError extends Error {
  readonly status: ScimErrorStatus;
  readonly scimType?: ScimType;
  readonly detail: string;
  readonly retryAfter?: number;

  constructor(status: ScimErrorStatus, detail: string, options: ScimErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ScimError';
    this.status = status;
    this.detail = detail;
    if (options.scimType) this.scimType = options.scimType;
    if (options.retryAfter !== undefined) this.retryAfter = options.retryAfter;
  }

  /** Any thrown value as a ScimError: a ScimError stays as it is, anything else becomes a 500. */
  static from(reason: unknown): ScimError {
    if (reason instanceof ScimError) return reason;
    return new ScimError(500, 'Internal server error.', { cause: reason });
  }

  static invalidFilter(detail: string): ScimError {
    return new ScimError(400, detail, { scimType: 'invalidFilter' });
  }
  static tooMany(detail: string): ScimError {
    return new ScimError(400, detail, { scimType: 'tooMany' });
  }
  static uniqueness(detail: string): ScimError {
    return new ScimError(409, detail, { scimType: 'uniqueness' });
  }
  static mutability(detail: string): ScimError {
    return new ScimError(400, detail, { scimType: 'mutability' });
  }
  static invalidSyntax(detail: string): ScimError {
    return new ScimError(400, detail, { scimType: 'invalidSyntax' });
  }
  static invalidPath(detail: string): ScimError {
    return new ScimError(400, detail, { scimType: 'invalidPath' });
  }
  static noTarget(detail: string): ScimError {
    return new ScimError(400, detail, { scimType: 'noTarget' });
  }
  static invalidValue(detail: string): ScimError {
    return new ScimError(400, detail, { scimType: 'invalidValue' });
  }
  static invalidVers(detail: string): ScimError {
    return new ScimError(400, detail, { scimType: 'invalidVers' });
  }
  /** RFC 9865 §2.1: a cursor that was not issued by this server for this query. */
  static invalidCursor(detail: string): ScimError {
    return new ScimError(400, detail, { scimType: 'invalidCursor' });
  }
  /** RFC 9865 §2.1: a cursor past its lifetime (advertised as `cursorTimeout`). */
  static expiredCursor(detail: string): ScimError {
    return new ScimError(400, detail, { scimType: 'expiredCursor' });
  }
  /** RFC 9865 §2.1: a count that differs from the one of the query that issued the cursor. */
  static invalidCount(detail: string): ScimError {
    return new ScimError(400, detail, { scimType: 'invalidCount' });
  }
  static sensitive(detail: string): ScimError {
    return new ScimError(403, detail, { scimType: 'sensitive' });
  }
  static unauthorized(detail = 'Authorization failure: a valid bearer token is required.'): ScimError {
    return new ScimError(401, detail);
  }
  static forbidden(detail: string): ScimError {
    return new ScimError(403, detail);
  }
  static notFound(detail: string): ScimError {
    return new ScimError(404, detail);
  }
  /** A version conflict without a uniqueness violation (RFC 7644 §3.12: 409 without scimType). */
  static conflict(detail: string): ScimError {
    return new ScimError(409, detail);
  }
  static preconditionFailed(detail: string): ScimError {
    return new ScimError(412, detail);
  }
  static payloadTooLarge(detail: string): ScimError {
    return new ScimError(413, detail);
  }
  static unsupportedMediaType(detail: string): ScimError {
    return new ScimError(415, detail);
  }
  static notImplemented(detail: string): ScimError {
    return new ScimError(501, detail);
  }
  static unavailable(detail: string, retryAfter = 5, cause?: unknown): ScimError {
    return new ScimError(503, detail, { retryAfter, cause });
  }
}

/** The RFC 7644 §3.12 JSON body of an error (status as a string, as the RFC's examples show). */
export function toScimErrorBody(error: ScimError): {
  schemas: string[];
  status: string;
  scimType?: ScimType;
  detail: string;
} {
  const body: { schemas: string[]; status: string; scimType?: ScimType; detail: string } = {
    schemas: [SCIM_ERROR_SCHEMA],
    status: String(error.status),
    detail: error.detail,
  };
  if (error.scimType) body.scimType = error.scimType;
  return body;
}
