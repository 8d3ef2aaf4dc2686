import { expect } from 'vitest';
import { applyPatch, normalizePatchRequest } from '../../../../server/src/scim/patch/index.js';
import { USER_RESOURCE_TYPE, type ResourceTypeDef } from '../../../../server/src/scim/schema/index.js';
import { ScimError } from '../../../../server/src/scim/scim-error.js';
import { PATCH_OP } from '../fixtures/resources.js';

/** Run a PatchOp body (as a client sends it) through normalize + apply. */
export function patch(
  resource: Record<string, unknown>,
  operations: unknown[],
  rt: ResourceTypeDef = USER_RESOURCE_TYPE,
  options?: Parameters<typeof applyPatch>[3],
): Record<string, unknown> {
  const ops = normalizePatchRequest({ schemas: [PATCH_OP], Operations: operations });
  return applyPatch(resource, ops, rt, options);
}

/** The ScimError a PATCH fails with; also checks the input was left alone. */
export function patchError(
  resource: Record<string, unknown>,
  operations: unknown[],
  rt: ResourceTypeDef = USER_RESOURCE_TYPE,
  options?: Parameters<typeof applyPatch>[3],
): ScimError {
  const before = structuredClone(resource);
  try {
    patch(resource, operations, rt, options);
  } catch (e) {
    expect(e).toBeInstanceOf(ScimError);
    expect(resource).toEqual(before);
    return e as ScimError;
  }
  throw new Error('PATCH succeeded');
}
