/**
 * How a failed command reports: one stable error code and exit status per kind of failure (the
 * sidecar's codes of docs/errors.md, and a few of the command line's own), as
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
    // The sidecar's own stable codes (docs/errors.md), so a script sees the same code as the logs and gRPC.
    return { code: e.code, exitCode: 1, message: e.detail, details: { status: e.status, ...(e.scimType ? { scimType: e.scimType } : {}) } };
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
