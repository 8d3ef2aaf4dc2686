import { isJsonObject, resolveSchemaUrn, type ResourceTypeDef } from '../../schema/index.js';
import { ScimError } from '../../scim-error.js';
import { cloneJson } from '../../json-clone.js';
import type { PatchOperation } from '../normalize.js';
import { resolvePatchPath, type PatchTarget } from '../path.js';
import { applyComplexSub } from './complex-sub.js';
import type { ApplyPatchOptions, Context, Op } from './context.js';
import { removeExtension } from './extension.js';
import { assertRequiredKept, syncSchemas } from './resource-rules.js';
import { applyToSelected } from './selected-values.js';
import { applyWhole } from './whole.js';

/**
 * Applying PATCH operations (RFC 7644 §3.5.2) to a resource held as JSON.
 *
 * Guarantees: the input is never mutated; the result is a new object; the request is atomic
 * (the first failing operation throws and nothing is returned); attribute names are matched
 * ignoring case and written with their canonical spelling; values are checked and coerced
 * against the schema (`coerceAttributeValue`: Entra's `"False"`, a bare manager id...).
 * `meta` is not touched: the caller sets `lastModified` and `version` after a change.
 *
 * Choices where the RFC leaves room (each also noted where it is implemented):
 * - add/replace with a value filter that matches nothing creates the value from the filter's
 *   `eq` comparisons (Entra: `replace emails[type eq "work"].value` on a user without a work
 *   e-mail; docs/idp/clients.md §1 #4). RFC 7644 §3.5.2.3 would answer noTarget; we still do when the
 *   filter is not a plain `and` of `eq` comparisons, since no value can be built from it.
 * - remove with a value filter that matches nothing changes nothing and is not an error
 *   (clients retry removals; RFC 7644 §3.5.2.2 defines no error for it).
 * - remove with a path to a multi-valued attribute and a `value` list removes only the listed
 *   values (Entra's default job, authentik, JumpCloud: `remove members value:[{value:id}]`).
 * - add to a multi-valued attribute skips values already present and merges into the existing
 *   value with the same `value` (and `type`, when both have one); RFC 7644 §3.5.2.1.
 * - a readOnly attribute may be "written" with the value it already has (authentik and Okta
 *   send the group's own `id` in a path-less replace); any other write is `mutability`. An
 *   immutable attribute may only be set while unassigned.
 * - setting `primary: true` on one value sets it to false on the others (RFC 7644 §3.5.2);
 *   one operation making two values primary is `invalidValue` (RFC 7643 §2.4).
 * - `null`, `""`-free empty values: add of null/[] changes nothing; replace with null/[] removes
 *   the attribute (RFC 7643 §2.5: null and unassigned are the same state).
 * - removing a required attribute (userName, displayName) is `invalidValue` once all
 *   operations ran (so remove-then-add in one request works).
 * - removing a whole extension (`remove urn:…:mailcow:2.0:User`) removes its client-writable
 *   attributes and keeps the readOnly ones, which the server maintains.
 * - `schemas` follows the extensions: their URN is added when one of their attributes is set
 *   and dropped when the request empties them; a `schemas` member in a value is ignored.
 *
 * One module per part of a path: whole.ts (`attr`), complex-sub.ts (`attr.sub` of a single
 * complex attribute), selected-values.ts (`attr[filter]`, `attr[filter].sub`, `attr.sub` of a
 * multi-valued one), extension.ts (a whole extension); elements.ts, mutability.ts and
 * context.ts are what they share, resource-rules.ts what holds once every operation ran.
 */

export type { ApplyPatchOptions } from './context.js';

const DEFAULT_OPTIONS: ApplyPatchOptions = { unknownAttributes: 'ignore' };

/**
 * Apply `operations` (from `normalizePatchRequest`) to `resource` of type `rt` and return the
 * new resource. Errors are ScimErrors whose detail names the failing operation: `invalidPath`
 * (unknown attribute or malformed path), `invalidFilter` (bad value filter), `invalidValue`
 * (wrong value type), `mutability` (readOnly/immutable), `noTarget` (nothing to act on).
 */
export function applyPatch(
  resource: Record<string, unknown>,
  operations: readonly PatchOperation[],
  rt: ResourceTypeDef,
  options: Partial<ApplyPatchOptions> = {},
): Record<string, unknown> {
  const ctx: Context = { rt, doc: cloneJson(resource), options: { ...DEFAULT_OPTIONS, ...options } };
  operations.forEach((operation, index) => {
    try {
      applyOperation(ctx, operation);
    } catch (error) {
      throw inOperation(error, index, operation);
    }
  });
  assertRequiredKept(resource, ctx.doc, rt);
  syncSchemas(resource, ctx.doc, rt);
  return ctx.doc;
}

function applyOperation(ctx: Context, operation: PatchOperation): void {
  if (operation.path === undefined) {
    if (operation.op === 'remove') throw ScimError.noTarget('"remove" needs a "path" (RFC 7644 §3.5.2.2).');
    if (!isJsonObject(operation.value)) {
      throw ScimError.invalidValue('Without a "path", "value" must be an object whose keys are attribute names.');
    }
    applyAttributeSet(ctx, operation.op, operation.value, undefined);
    return;
  }
  applyToTarget(ctx, operation.op, resolvePatchPath(ctx.rt, operation.path), operation.value);
}

/**
 * A path-less value (RFC 7644 §3.5.2.1/§3.5.2.3: "the target location is assumed to be the
 * resource itself"): each key is an attribute name, a dotted `name.givenName` (Entra with
 * aadOptscim062020), a URN-qualified attribute, or an extension URN holding an object.
 */
function applyAttributeSet(
  ctx: Context,
  op: Exclude<Op, 'remove'>,
  value: Record<string, unknown>,
  withinSchema: string | undefined,
): void {
  for (const [key, member] of Object.entries(value)) {
    if (withinSchema === undefined) {
      if (key.toLowerCase() === 'schemas') continue; // kept in step with the data by syncSchemas
      const urn = resolveSchemaUrn(ctx.rt, key);
      if (urn === ctx.rt.schema) {
        if (!isJsonObject(member)) throw ScimError.invalidValue(`'${urn}' expects an object of attributes.`);
        applyAttributeSet(ctx, op, member, undefined);
        continue;
      }
      if (urn !== undefined) {
        applyExtensionObject(ctx, op, urn, member);
        continue;
      }
    }
    let target: PatchTarget;
    try {
      target = resolvePatchPath(ctx.rt, withinSchema === undefined ? key : `${withinSchema}:${key}`);
    } catch (error) {
      if (ctx.options.unknownAttributes === 'ignore' && error instanceof ScimError && error.scimType === 'invalidPath') {
        continue;
      }
      throw error;
    }
    applyToTarget(ctx, op, target, member);
  }
}

function applyToTarget(ctx: Context, op: Op, target: PatchTarget, raw: unknown): void {
  if (target.kind === 'schema') {
    if (op === 'remove') removeExtension(ctx, target.schemaUrn);
    else applyExtensionObject(ctx, op, target.schemaUrn, raw);
    return;
  }
  const { attribute, sub, filter, canonicalPath } = target;
  if (filter || (sub && attribute.attribute.multiValued)) applyToSelected(ctx, op, attribute, filter, sub, raw, canonicalPath);
  else if (sub) applyComplexSub(ctx, op, attribute, sub, raw, canonicalPath);
  else applyWhole(ctx, op, attribute, raw, canonicalPath);
}

// --- whole extensions: their attributes, one by one ---------------------------------------------

function applyExtensionObject(ctx: Context, op: Exclude<Op, 'remove'>, urn: string, raw: unknown): void {
  if (raw === null || raw === undefined) {
    if (op === 'replace') removeExtension(ctx, urn);
    return;
  }
  if (!isJsonObject(raw)) throw ScimError.invalidValue(`'${urn}' expects an object of its attributes.`);
  applyAttributeSet(ctx, op, raw, urn);
}

function inOperation(error: unknown, index: number, operation: PatchOperation): unknown {
  if (!(error instanceof ScimError)) return error;
  const what = operation.path === undefined ? operation.op : `${operation.op} '${operation.path}'`;
  return new ScimError(error.status, `Operations[${index}] (${what}): ${error.detail}`, {
    ...(error.scimType ? { scimType: error.scimType } : {}),
    ...(error.cause === undefined ? {} : { cause: error.cause }),
  });
}
