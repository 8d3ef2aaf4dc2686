/**
 * How a failed command reports: one stable error code and exit status per kind of failure, as
 * text for people and, under --json, as `{"error": {...}}` on stdout for scripts (issue 13: JSON
 * errors used to be plain text). Exit status: 2 for a bad command line or configuration, 1 for
 * everything the command refused or could not do.
 */
import { ConfigError } from '../config.js';
import { NotMailcowDatabaseError } from '../mailcow/mailcow-prerequisites.js';
import { NotImportableError } from '../mailcow/pr7148-import.js';
import { isDatabaseUnreachable } from '../mailcow/sql-errors.js';
import { ScimError } from '../scim/index.js';
import { AmbiguousTokenError, PolicyError, describeProblem } from '../tokens/index.js';
import { UsageError } from './io.js';

export interface CliFailure {
  /** Stable, snake_case: usage, config, invalid_policy, ambiguous_token, not_found, … */
  code: string;
  exitCode: 1 | 2;
  message: string;
  /** Extra fields for --json (problems, candidates, missing, status, scimType). */
  details: Record<string, unknown>;
}

const SCIM_TYPE_CODES: Record<string, string> = {
  invalidFilter: 'invalid_filter',
  invalidValue: 'invalid_value',
  uniqueness: 'already_exists',
  invalidSyntax: 'invalid_syntax',
  mutability: 'invalid_value',
};

function scimCode(e: ScimError): string {
  if (e.scimType && SCIM_TYPE_CODES[e.scimType]) return SCIM_TYPE_CODES[e.scimType]!;
  if (e.status === 404) return 'not_found';
  if (e.status === 409) return 'conflict';
  if (e.status === 503) return 'unavailable';
  if (e.status >= 500) return 'internal';
  return 'refused';
}

export function describeCliFailure(e: unknown): CliFailure {
  if (e instanceof UsageError || (e as { code?: string })?.code?.startsWith?.('ERR_PARSE_ARGS')) {
    return { code: 'usage', exitCode: 2, message: (e as Error).message, details: {} };
  }
  if (e instanceof ConfigError) return { code: 'config', exitCode: 2, message: e.message, details: { problems: e.problems } };
  if (e instanceof NotMailcowDatabaseError) {
    return { code: 'not_mailcow_database', exitCode: 1, message: e.message, details: { database: e.database, missing: e.report.missing, incompatible: e.report.incompatible } };
  }
  if (e instanceof PolicyError) {
    return {
      code: 'invalid_policy',
      exitCode: 1,
      message: `Invalid token policy:\n${e.problems.map((p) => `  ${describeProblem(p).trimEnd()}`).join('\n')}`,
      details: { status: e.status, scimType: e.scimType, problems: e.problems },
    };
  }
  if (e instanceof NotImportableError) return { code: 'not_importable', exitCode: 1, message: e.detail, details: {} };
  if (e instanceof AmbiguousTokenError) {
    return { code: 'ambiguous_token', exitCode: 1, message: e.detail, details: { ref: e.ref, candidates: e.candidates } };
  }
  if (e instanceof ScimError) {
    return { code: scimCode(e), exitCode: 1, message: e.detail, details: { status: e.status, ...(e.scimType ? { scimType: e.scimType } : {}) } };
  }
  if (isDatabaseUnreachable(e)) {
    return { code: 'database_unreachable', exitCode: 1, message: `MariaDB is not reachable (${(e as Error).message}): check MARIADB_URL.`, details: {} };
  }
  if (typeof (e as { sqlMessage?: unknown })?.sqlMessage === 'string') {
    return { code: 'database_error', exitCode: 1, message: `MariaDB: ${(e as { sqlMessage: string }).sqlMessage}`, details: { errno: (e as { errno?: number }).errno } };
  }
  return { code: 'internal', exitCode: 1, message: (e as Error)?.message ?? String(e), details: {} };
}

/** The --json form of a failure. */
export function failureJson(f: CliFailure): string {
  return JSON.stringify({ error: { code: f.code, message: f.message, ...f.details } });
}
