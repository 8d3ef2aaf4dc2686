import { findKey, getIgnoringCase, isJsonObject, PATCH_OP_SCHEMA } from '../schema/index.js';
import { ScimError } from '../scim-error.js';

/** One PATCH operation after normalisation (RFC 7644 §3.5.2). */
export interface PatchOperation {
  readonly op: 'add' | 'replace' | 'remove';
  /** Absent when the client sent none (or an empty one). */
  readonly path?: string;
  /** Absent when the client sent none; `null` when it sent `null`. */
  readonly value?: unknown;
}

/** Limits on a PatchOp message (docs/architecture.md §8: every input is bounded). */
export interface NormalizePatchOptions {
  /** Most operations accepted in one request. */
  maxOperations: number;
}

const DEFAULT_OPTIONS: NormalizePatchOptions = { maxOperations: 1000 };

/**
 * Validate a PatchOp message (RFC 7644 §3.5.2) and return its operations in one shape,
 * tolerating what real clients send (docs/idp/clients.md §1):
 * - `op` in any case: Entra's default job sends `Add`/`Replace`/`Remove` (E1, E2);
 * - member names in any case: `Operations`/`operations`, `op`/`Op`, `path`/`Path`, `value`/`Value`;
 * - an empty or whitespace `path` counts as no path.
 *
 * Type coercion (Entra's `"False"` for booleans) needs the schema and happens in `applyPatch`.
 *
 * Errors: not an object, `schemas` without the PatchOp URN, `Operations` missing, not an array or
 * empty, an operation that is not an object or has an unknown `op` → `invalidSyntax`; `remove`
 * without `path` → `noTarget` (RFC 7644 §3.5.2.2); `add`/`replace` without `value` →
 * `invalidValue` ("a required value was missing", RFC 7644 §3.12); a non-string `path` →
 * `invalidPath`; more than `maxOperations` operations → 413, the status RFC 7644 §3.7.4 gives a
 * Bulk request over its operation limit.
 */
export function normalizePatchRequest(
  body: unknown,
  options: Partial<NormalizePatchOptions> = {},
): PatchOperation[] {
  const { maxOperations } = { ...DEFAULT_OPTIONS, ...options };
  if (!isJsonObject(body)) throw ScimError.invalidSyntax('A PATCH body must be a JSON object (a PatchOp message).');

  const schemas = getIgnoringCase(body, 'schemas');
  const lowerPatchOp = PATCH_OP_SCHEMA.toLowerCase();
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === lowerPatchOp)) {
    throw ScimError.invalidSyntax(`A PATCH body must list "${PATCH_OP_SCHEMA}" in "schemas".`);
  }

  const operationsKey = findKey(body, 'Operations');
  const operations = operationsKey === undefined ? undefined : body[operationsKey];
  if (!Array.isArray(operations)) {
    throw ScimError.invalidSyntax('A PATCH body must have an "Operations" array.');
  }
  if (operations.length === 0) throw ScimError.invalidSyntax('"Operations" must not be empty.');
  if (operations.length > maxOperations) {
    throw ScimError.payloadTooLarge(
      `A PATCH request may carry at most ${maxOperations} operations; this one has ${operations.length}.`,
    );
  }
  return operations.map((operation, index) => normalizeOperation(operation, index));
}

function normalizeOperation(operation: unknown, index: number): PatchOperation {
  const where = `Operations[${index}]`;
  if (!isJsonObject(operation)) throw ScimError.invalidSyntax(`${where} must be an object.`);

  const rawOp = getIgnoringCase(operation, 'op');
  const op = typeof rawOp === 'string' ? rawOp.trim().toLowerCase() : undefined;
  if (op !== 'add' && op !== 'replace' && op !== 'remove') {
    throw ScimError.invalidSyntax(
      `${where}: "op" must be "add", "replace" or "remove"; got ${rawOp === undefined ? 'nothing' : JSON.stringify(rawOp)}.`,
    );
  }

  const rawPath = getIgnoringCase(operation, 'path');
  if (rawPath !== undefined && rawPath !== null && typeof rawPath !== 'string') {
    throw ScimError.invalidPath(`${where}: "path" must be a string.`);
  }
  const path = typeof rawPath === 'string' && rawPath.trim() !== '' ? rawPath.trim() : undefined;

  const valueKey = findKey(operation, 'value');
  const hasValue = valueKey !== undefined;

  if (op === 'remove' && path === undefined) {
    throw ScimError.noTarget(`${where}: "remove" needs a "path" (RFC 7644 §3.5.2.2).`);
  }
  if (op !== 'remove' && !hasValue) {
    throw ScimError.invalidValue(`${where}: "${op}" needs a "value".`);
  }
  const out: { op: PatchOperation['op']; path?: string; value?: unknown } = { op };
  if (path !== undefined) out.path = path;
  if (hasValue) out.value = operation[valueKey];
  return out;
}
