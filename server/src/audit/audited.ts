import { ScimError } from '../scim/index.js';

/** Records a refused or failed change in the audit log (successes are written with the change). */
export type FailureRecorder<C> = (caller: C, operation: string, resourceId: string | null, error: ScimError) => Promise<void>;

/**
 * Runs one use case and, when it fails, records the failure before rethrowing it as a
 * ScimError. The audit write is best effort: it never hides the original error.
 */
export async function withFailureAudit<C, T>(
  record: FailureRecorder<C> | undefined,
  caller: C,
  operation: string,
  resourceId: string | null,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const error = ScimError.from(e);
    await record?.(caller, operation, resourceId, error).catch(() => undefined);
    throw error;
  }
}
