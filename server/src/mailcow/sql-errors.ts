/**
 * The only file that knows mysql2 / MariaDB error codes. recognizeDriverError tells the error
 * boundary (ScimError.from) what a driver error means; createPool registers it, so wherever a
 * pool exists every surface answers a database outage alike (503 / UNAVAILABLE).
 */
import { ScimError } from '../scim/index.js';

interface DriverError {
  code?: string;
  errno?: number;
  sqlMessage?: string;
  fatal?: boolean;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_SERVER_GONE_ERROR',
  'POOL_CLOSED',
]);

/**
 * MariaDB answers but will not let the sidecar in: as unusable as a server that is down, and
 * nothing the client can fix. By number, as MariaDB numbers them: mysql2 names errors after
 * MySQL's list, where 4151 (MariaDB's ER_ACCOUNT_HAS_BEEN_LOCKED) is an unrelated parser error.
 */
const LOGIN_REFUSED_ERRNOS = new Set([
  1045, // ER_ACCESS_DENIED_ERROR: DBUSER's password changed
  4151, // ER_ACCOUNT_HAS_BEEN_LOCKED: ALTER USER … ACCOUNT LOCK
  1129, // ER_HOST_IS_BLOCKED: too many connection errors (FLUSH HOSTS)
  1130, // ER_HOST_NOT_PRIVILEGED: no DBUSER for this host
]);

/** Error numbers that mean "run the whole transaction again" (InnoDB deadlock, lock wait, Galera certification). */
const RETRYABLE_ERRNOS = new Set([1213, 1205, 1180, 1047]);

const ER_DUP_ENTRY = 1062;
/** "Data truncated for column": for mailbox.authsource, the ENUM lost 'scim' (docs/architecture.md §3). */
const ER_WARN_DATA_TRUNCATED = 1265;

/**
 * A mysql2 error: a statement the server refused (sqlMessage/sqlState), a connection the
 * driver gave up on (fatal), or one of the driver's own codes. A Node system error from
 * anything else (Redis, a file) has a code and errno too, and is not one.
 */
function asDriverError(e: unknown): DriverError | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const d = e as DriverError & { sqlState?: unknown };
  if (typeof d.code === 'string' && d.code.startsWith('FST_')) return undefined;
  if (d.sqlMessage !== undefined || d.sqlState !== undefined || d.fatal === true) return d;
  if (typeof d.code === 'string' && (d.code.startsWith('ER_') || d.code.startsWith('PROTOCOL_') || d.code === 'POOL_CLOSED')) return d;
  return undefined;
}

export function isRetryableSqlError(e: unknown): boolean {
  const d = asDriverError(e);
  return d?.errno !== undefined && RETRYABLE_ERRNOS.has(d.errno);
}

export function isDuplicateKeyError(e: unknown): boolean {
  return asDriverError(e)?.errno === ER_DUP_ENTRY;
}

export function isDatabaseUnreachable(e: unknown): boolean {
  const d = asDriverError(e);
  if (!d) return false;
  if (d.code && UNREACHABLE_CODES.has(d.code)) return true;
  if (d.errno !== undefined && LOGIN_REFUSED_ERRNOS.has(d.errno)) return true;
  return d.fatal === true && d.errno === undefined;
}

export function isAuthsourceTruncation(e: unknown): boolean {
  const d = asDriverError(e);
  return d?.errno === ER_WARN_DATA_TRUNCATED && /authsource/i.test(d.sqlMessage ?? '');
}

/** The 503 for an unreachable database; the driver's message (host, port) stays in `cause`, for the logs. */
export function databaseUnreachableError(cause?: unknown): ScimError {
  return new ScimError('database_unreachable', 'The mailcow database is unreachable; try again shortly.', { retryAfter: 5, cause });
}

/**
 * What a driver error means for a client, or undefined for anything that is not one. The
 * error boundary (ScimError.from) asks this for every link of a cause chain.
 */
export function recognizeDriverError(e: unknown): ScimError | undefined {
  if (!asDriverError(e)) return undefined;
  if (isDatabaseUnreachable(e)) return databaseUnreachableError(e);
  if (isAuthsourceTruncation(e)) {
    return new ScimError(
      'authsource_missing',
      "mailbox.authsource does not accept 'scim' (a mailcow update re-declared the column); " +
        'SCIM writes are paused until `mailcow-scim doctor --repair` or the phpfpm hook restores it.',
      { retryAfter: 60, cause: e },
    );
  }
  if (isDuplicateKeyError(e)) return ScimError.uniqueness('A resource with the same unique value already exists.');
  return new ScimError('internal', 'Internal server error.', { cause: e });
}

/** Any error from the data layer as a ScimError (the error boundary, driver errors known). */
export function translateSqlError(e: unknown): ScimError {
  return ScimError.from(e, recognizeDriverError);
}
