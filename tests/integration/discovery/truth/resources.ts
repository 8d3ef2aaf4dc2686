/**
 * Building request bodies for one attribute at a time, and the HTTP calls the checks make,
 * through a client bound to one token.
 */
import { randomBytes } from 'node:crypto';
import type { scimClient, ScimResponse } from '../../../helpers/http.js';
import { isWritable, type AttrRef, type PublishedResourceType } from './published.js';
import { elementBase, sampleOf, type SampleContext } from './samples.js';

export type Client = ReturnType<typeof scimClient>;
type Json = Record<string, unknown>;

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let counter = 0;
/** A short value unique in this run, lower case (it ends up in mailbox local parts). */
export function uniqueTag(): string {
  counter += 1;
  return `${randomBytes(3).toString('hex')}${counter.toString(36)}`;
}

/** One resource type as the checks write it: its endpoint, attributes and sample context. */
export interface TypeUnderTest {
  rt: PublishedResourceType;
  refs: AttrRef[];
  api: Client;
  ctx: SampleContext;
}

/** The top-level attributes of `t` (one per attribute, not its sub-attributes). */
function topLevel(t: TypeUnderTest): AttrRef[] {
  return t.refs.filter((r) => !r.sub);
}

/** `schemas` plus every required writable top-level attribute: the least a POST needs. */
export function minimalBody(t: TypeUnderTest, uniq: string): Json {
  const body: Json = { schemas: [t.rt.schema, ...(t.rt.schemaExtensions ?? []).map((e) => e.schema)] };
  for (const ref of topLevel(t)) {
    if (ref.def.required && isWritable(ref.def)) place(body, ref, sampleOf(ref, 0, uniq, t.ctx));
  }
  return body;
}

/** Every writable attribute at `variant`: what a population resource carries. */
export function fullBody(t: TypeUnderTest, variant: number, uniq: string): Json {
  const body = minimalBody(t, uniq);
  for (const ref of topLevel(t)) {
    if (isWritable(ref.def)) place(body, ref, sampleOf(ref, variant, uniq, t.ctx));
  }
  return body;
}

/** The top-level value that carries `value` at `ref` (a sub-attribute inside its element). */
export function topValueFor(t: TypeUnderTest, ref: AttrRef, value: unknown, variant = 0, uniq = 'x'): unknown {
  if (!ref.sub) return value;
  const element = { ...elementBase(ref, variant, uniq, t.ctx), [ref.sub.name]: value };
  return ref.top.multiValued ? [element] : element;
}

/** `body` with the top-level attribute of `ref` set to `topValue` (under the extension URN when it is one). */
export function place(body: Json, ref: AttrRef, topValue: unknown): Json {
  if (ref.extension) {
    const ext = (body[ref.schema] as Json | undefined) ?? {};
    body[ref.schema] = { ...ext, [ref.top.name]: topValue };
  } else {
    body[ref.top.name] = topValue;
  }
  return body;
}

/** A body for POST or PUT: the minimal resource with `value` at `ref`. */
export function bodyWith(t: TypeUnderTest, ref: AttrRef, value: unknown, uniq: string, variant = 0): Json {
  return place(minimalBody(t, uniq), ref, topValueFor(t, ref, value, variant, uniq));
}

export function patchBody(...Operations: Json[]): Json {
  return { schemas: [PATCH_OP], Operations };
}

/** GET one resource; undefined when it is not there. */
export async function read(t: TypeUnderTest, id: string, query = ''): Promise<Json | undefined> {
  const r = await t.api.get(`${t.rt.endpoint}/${id}${query}`);
  return r.status === 200 ? (r.body as Json) : undefined;
}

/** The ids a list request answers, or the failing response. */
export async function listIds(t: TypeUnderTest, query: string): Promise<{ ids?: string[]; response: ScimResponse }> {
  const r = await t.api.get(`${t.rt.endpoint}?${query}&attributes=id&count=500`);
  if (r.status !== 200) return { response: r };
  return { ids: ((r.body.Resources ?? []) as Json[]).map((x) => String(x.id)), response: r };
}

/** `400 invalidValue`, `409 uniqueness`…: what a response was, for check details. */
export function describe(r: ScimResponse): string {
  const scimType = r.body && typeof r.body === 'object' && 'scimType' in r.body ? ` ${String(r.body.scimType)}` : '';
  const detail = r.body && typeof r.body === 'object' && 'detail' in r.body ? `: ${String(r.body.detail).slice(0, 200)}` : '';
  return `${r.status}${scimType}${detail}`;
}

export function isError(r: ScimResponse, status: number, scimType?: string): boolean {
  return r.status === status && (scimType === undefined || (r.body as Json | undefined)?.scimType === scimType);
}
