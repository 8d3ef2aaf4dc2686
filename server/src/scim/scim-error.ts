/**
 * The one error type of the SCIM protocol core (RFC 7644 §3.12) and the one function that turns
 * any thrown value into it.
 *
 * Every refusal or failure is a ScimError with a stable `code` from SCIM_ERROR_CATALOGUE (a closed
 * list, documented in docs/errors.md). The code fixes the HTTP status and scimType here; the gRPC
 * surface maps the same code once (rpc/status.ts), the HTTP surface sends the body once
 * (http/error-response.ts). Nothing else chooses a status.
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

/** HTTP statuses a SCIM error may carry (RFC 7644 §3.12, plus the transport's own: 405, 408, 414, 415, 429, 431, 503). */
export type ScimErrorStatus = 400 | 401 | 403 | 404 | 405 | 408 | 409 | 412 | 413 | 414 | 415 | 429 | 431 | 500 | 501 | 503;

const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

interface CatalogueEntry {
  readonly status: ScimErrorStatus;
  readonly scimType?: ScimType;
}

/**
 * Every error this server gives, by stable code. A code is never renamed or reused for another
 * meaning: logs, audit rows, gRPC metadata (`scim-code`) and the admin page rely on it.
 */
export const SCIM_ERROR_CATALOGUE = {
  invalid_filter: { status: 400, scimType: 'invalidFilter' },
  too_many: { status: 400, scimType: 'tooMany' },
  mutability: { status: 400, scimType: 'mutability' },
  invalid_syntax: { status: 400, scimType: 'invalidSyntax' },
  invalid_path: { status: 400, scimType: 'invalidPath' },
  no_target: { status: 400, scimType: 'noTarget' },
  invalid_value: { status: 400, scimType: 'invalidValue' },
  invalid_version: { status: 400, scimType: 'invalidVers' },
  invalid_cursor: { status: 400, scimType: 'invalidCursor' },
  expired_cursor: { status: 400, scimType: 'expiredCursor' },
  invalid_count: { status: 400, scimType: 'invalidCount' },
  // RFC 7644 makes scimType optional, but clients key 400s on it: a broken request is a syntax error.
  malformed_request: { status: 400, scimType: 'invalidSyntax' },
  unauthorized: { status: 401 },
  forbidden: { status: 403 },
  sensitive: { status: 403, scimType: 'sensitive' },
  address_not_allowed: { status: 403 },
  not_found: { status: 404 },
  no_endpoint: { status: 404 },
  method_not_allowed: { status: 405 },
  request_timeout: { status: 408 },
  uniqueness: { status: 409, scimType: 'uniqueness' },
  conflict: { status: 409 },
  precondition_failed: { status: 412 },
  payload_too_large: { status: 413 },
  uri_too_long: { status: 414 },
  unsupported_media_type: { status: 415 },
  overloaded: { status: 429 },
  headers_too_large: { status: 431 },
  internal: { status: 500 },
  not_implemented: { status: 501 },
  unavailable: { status: 503 },
  database_unreachable: { status: 503 },
  writes_paused: { status: 503 },
  authsource_missing: { status: 503 },
  shutting_down: { status: 503 },
} as const satisfies Record<string, CatalogueEntry>;

export type ScimErrorCode = keyof typeof SCIM_ERROR_CATALOGUE;

export const SCIM_ERROR_CODES = Object.keys(SCIM_ERROR_CATALOGUE) as ScimErrorCode[];

/** The code an error built from a bare status (and scimType) stands for: the first catalogue entry with them. */
function codeFor(status: ScimErrorStatus, scimType: ScimType | undefined): ScimErrorCode {
  for (const code of SCIM_ERROR_CODES) {
    const e: CatalogueEntry = SCIM_ERROR_CATALOGUE[code];
    if (e.status === status && e.scimType === scimType) return code;
  }
  return status >= 500 ? 'internal' : 'malformed_request';
}

export interface ScimErrorOptions {
  /** Only with a bare status: the scimType it comes with. A code brings its own. */
  scimType?: ScimType;
  /** Logged, never sent. */
  cause?: unknown;
  /** Seconds a client should wait (Retry-After with 429 and 503, `retry-after` metadata over gRPC). */
  retryAfter?: number;
}

export class ScimError extends Error {
  readonly code: ScimErrorCode;
  readonly status: ScimErrorStatus;
  readonly scimType?: ScimType;
  readonly detail: string;
  readonly retryAfter?: number;

  /** `new ScimError('invalid_value', …)`; a bare status (and options.scimType) picks its generic code. */
  constructor(codeOrStatus: ScimErrorCode | ScimErrorStatus, detail: string, options: ScimErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ScimError';
    this.code = typeof codeOrStatus === 'number' ? codeFor(codeOrStatus, options.scimType) : codeOrStatus;
    const entry: CatalogueEntry = SCIM_ERROR_CATALOGUE[this.code];
    this.status = entry.status;
    if (entry.scimType) this.scimType = entry.scimType;
    this.detail = detail;
    if (options.retryAfter !== undefined) this.retryAfter = options.retryAfter;
  }

  /** The same error (code, cause, Retry-After) with another detail, e.g. prefixed by where it happened. */
  withDetail(detail: string): ScimError {
    return new ScimError(this.code, detail, {
      ...(this.cause === undefined ? {} : { cause: this.cause }),
      ...(this.retryAfter === undefined ? {} : { retryAfter: this.retryAfter }),
    });
  }

  /**
   * Any thrown value as a ScimError: the value itself or the first link of its `cause` chain
   * that is a ScimError or that a recognizer knows (those given here first, then the registered
   * ones: the data layer registers its driver errors). Anything else is `internal`, the value
   * kept as the cause for the log and never sent.
   */
  static from(reason: unknown, ...recognizers: ErrorRecognizer[]): ScimError {
    const all = recognizers.length ? [...recognizers, ...registered] : registered;
    let link = reason;
    for (let depth = 0; depth < MAX_CAUSE_DEPTH && link !== null && link !== undefined; depth++) {
      if (link instanceof ScimError) return link;
      for (const recognize of all) {
        const known = recognize(link);
        if (known) return known;
      }
      link = typeof link === 'object' ? (link as { cause?: unknown }).cause : undefined;
    }
    return new ScimError('internal', 'Internal server error.', { cause: reason });
  }

  static invalidFilter(detail: string): ScimError {
    return new ScimError('invalid_filter', detail);
  }
  static tooMany(detail: string): ScimError {
    return new ScimError('too_many', detail);
  }
  static uniqueness(detail: string): ScimError {
    return new ScimError('uniqueness', detail);
  }
  static mutability(detail: string): ScimError {
    return new ScimError('mutability', detail);
  }
  static invalidSyntax(detail: string): ScimError {
    return new ScimError('invalid_syntax', detail);
  }
  static invalidPath(detail: string): ScimError {
    return new ScimError('invalid_path', detail);
  }
  static noTarget(detail: string): ScimError {
    return new ScimError('no_target', detail);
  }
  static invalidValue(detail: string): ScimError {
    return new ScimError('invalid_value', detail);
  }
  static invalidVers(detail: string): ScimError {
    return new ScimError('invalid_version', detail);
  }
  /** RFC 9865 §2.1: a cursor that was not issued by this server for this query. */
  static invalidCursor(detail: string): ScimError {
    return new ScimError('invalid_cursor', detail);
  }
  /** RFC 9865 §2.1: a cursor past its lifetime (advertised as `cursorTimeout`). */
  static expiredCursor(detail: string): ScimError {
    return new ScimError('expired_cursor', detail);
  }
  /** RFC 9865 §2.1: a count that differs from the one of the query that issued the cursor. */
  static invalidCount(detail: string): ScimError {
    return new ScimError('invalid_count', detail);
  }
  static sensitive(detail: string): ScimError {
    return new ScimError('sensitive', detail);
  }
  static unauthorized(detail = 'Authorization failure: a valid bearer token is required.'): ScimError {
    return new ScimError('unauthorized', detail);
  }
  static forbidden(detail: string): ScimError {
    return new ScimError('forbidden', detail);
  }
  static notFound(detail: string): ScimError {
    return new ScimError('not_found', detail);
  }
  /** A version conflict without a uniqueness violation (RFC 7644 §3.12: 409 without scimType). */
  static conflict(detail: string): ScimError {
    return new ScimError('conflict', detail);
  }
  static preconditionFailed(detail: string): ScimError {
    return new ScimError('precondition_failed', detail);
  }
  static payloadTooLarge(detail: string): ScimError {
    return new ScimError('payload_too_large', detail);
  }
  static unsupportedMediaType(detail: string): ScimError {
    return new ScimError('unsupported_media_type', detail);
  }
  static notImplemented(detail: string): ScimError {
    return new ScimError('not_implemented', detail);
  }
  static unavailable(detail: string, retryAfter = 5, cause?: unknown): ScimError {
    return new ScimError('unavailable', detail, { retryAfter, cause });
  }
}

/** Knows one family of foreign errors (a driver's, a framework's): its ScimError, or undefined. */
export type ErrorRecognizer = (reason: unknown) => ScimError | undefined;

/** A cause chain longer than this is a cycle or a bug; the rest is not walked. */
const MAX_CAUSE_DEPTH = 16;

const registered: ErrorRecognizer[] = [];

/** Teaches ScimError.from a family of errors, process-wide (once per recognizer). */
export function registerErrorRecognizer(recognize: ErrorRecognizer): void {
  if (!registered.includes(recognize)) registered.push(recognize);
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
