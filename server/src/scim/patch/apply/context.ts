/** The document a PATCH request is applied to, and reading and writing an attribute in it. */
import { findKey, getIgnoringCase, isJsonObject, type ResolvedAttribute, type ResourceTypeDef } from '../../schema/index.js';
import type { PatchOperation } from '../normalize.js';
import { guardWrite } from './mutability.js';

/** How `applyPatch` treats names it does not know in a path-less `value` object. */
export interface ApplyPatchOptions {
  /**
   * `ignore` (default): skip them, as clients send attributes we do not store (docs/idp/clients.md §9:
   * accept and discard). `reject`: answer `invalidPath`. An unknown attribute in a `path` is
   * always `invalidPath`.
   */
  unknownAttributes: 'ignore' | 'reject';
}

export type Op = PatchOperation['op'];

export interface Context {
  readonly rt: ResourceTypeDef;
  readonly doc: Record<string, unknown>;
  readonly options: ApplyPatchOptions;
}

export function readCurrent(ctx: Context, target: ResolvedAttribute): unknown {
  const container = containerOf(ctx, target, false);
  return container === undefined ? undefined : getIgnoringCase(container, target.attribute.name);
}

export function writeAttribute(ctx: Context, target: ResolvedAttribute, value: unknown): void {
  const container = containerOf(ctx, target, true) as Record<string, unknown>;
  removeKey(container, target.attribute.name);
  container[target.attribute.name] = value;
}

/**
 * The object holding the attribute: the resource, or the extension object under its URN
 * (created, and renamed to the canonical URN, when `create` is set).
 */
function containerOf(ctx: Context, target: ResolvedAttribute, create: boolean): Record<string, unknown> | undefined {
  if (!target.extension) return ctx.doc;
  const key = findKey(ctx.doc, target.schemaUrn);
  const existing = key === undefined ? undefined : ctx.doc[key];
  if (!create) return isJsonObject(existing) ? existing : undefined;
  const container = isJsonObject(existing) ? existing : {};
  if (key !== undefined) delete ctx.doc[key];
  ctx.doc[target.schemaUrn] = container;
  return container;
}

export function removeKey(container: Record<string, unknown>, name: string): void {
  const lower = name.toLowerCase();
  for (const key of Object.keys(container)) if (key.toLowerCase() === lower) delete container[key];
}

export function removeAttribute(ctx: Context, target: ResolvedAttribute, path: string): void {
  const container = containerOf(ctx, target, false);
  if (!container) return;
  const current = getIgnoringCase(container, target.attribute.name);
  guardWrite(target.attribute, current, undefined, path);
  removeKey(container, target.attribute.name);
}
