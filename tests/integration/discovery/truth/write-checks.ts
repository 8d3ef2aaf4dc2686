/**
 * What writing an attribute does, against what /Schemas says about it (RFC 7643 §2.2, §7; RFC
 * 7644 §3.3, §3.5): POST, PUT and PATCH for `mutability`, a second resource for `uniqueness`,
 * wrong types for `type`, lists for `multiValued`, a missing value for `required`, and every
 * canonical value and reference type. Each attribute gets resources of its own.
 */
import type { ScimResponse } from '../../../helpers/http.js';
import type { CheckLog } from './checks.js';
import { isAssigned, leafValues, sameList, sameValue } from './oracle.js';
import { isText, isWritable, type AttrRef } from './published.js';
import {
  bodyWith,
  describe,
  isError,
  minimalBody,
  patchBody,
  place,
  read,
  topValueFor,
  uniqueTag,
  type TypeUnderTest,
} from './resources.js';
import { referenceTo, sampleOf, swapCase, UNIQUENESS_PROBES, wrongValueOf } from './samples.js';

type Json = Record<string, unknown>;

/** Whether `resource` shows exactly `value` at `ref` (readOnly sub-attributes of a complex value aside). */
function shows(ref: AttrRef, resource: Json | undefined, value: unknown): boolean {
  if (!resource) return false;
  const actual = leafValues(resource, ref);
  const def = ref.def.type === 'complex' ? { ...ref.def, subAttributes: (ref.def.subAttributes ?? []).filter(isWritable) } : ref.def;
  return sameList(def, actual, Array.isArray(value) ? value : [value]);
}

function seen(ref: AttrRef, resource: Json | undefined): string {
  return resource ? `read back ${JSON.stringify(leafValues(resource, ref)).slice(0, 300)}` : 'the resource could not be read';
}

/** The query that shows the attribute: none, or attributes= naming it when it is returned on request only. */
function showing(ref: AttrRef): string {
  return ref.def.returned === 'request' || ref.top.returned === 'request' ? `?attributes=${encodeURIComponent(ref.path)}` : '';
}

export async function writeChecks(t: TypeUnderTest, ref: AttrRef, log: CheckLog): Promise<void> {
  if (!isWritable(ref.def) || (ref.sub && !isWritable(ref.top))) return readOnlyChecks(t, ref, log);
  const L = ref.label;
  const def = ref.def;
  const never = def.returned === 'never';
  const endpoint = t.rt.endpoint;
  const uniq = uniqueTag();
  const v0 = sampleOf(ref, 0, uniq, t.ctx);
  // Three different values; with fewer canonical values than that, values outside them too.
  const distinct = (v: unknown) => (sameValue({ ...def, multiValued: false }, [v].flat()[0], [v0].flat()[0]) ? sampleOf({ ...ref, def: { ...def, canonicalValues: undefined } }, 2, `other${uniq}`, t.ctx) : v);
  const v1 = distinct(sampleOf(ref, 1, uniq, t.ctx));
  const v2 = distinct(sampleOf(ref, 2, uniq, t.ctx));

  // POST, read back.
  const created = await t.api.post(endpoint, bodyWith(t, ref, v0, uniq));
  const id = created.status === 201 ? String(created.body.id) : undefined;
  const afterPost = id ? await read(t, id, showing(ref)) : undefined;
  if (never) {
    log.record(`${L}: POST accepts it and never returns it`, created.status === 201 && !!afterPost && leafValues(afterPost, ref).length === 0, created.status === 201 ? seen(ref, afterPost) : describe(created));
  } else {
    log.record(`${L}: POST stores it and GET returns what was written`, created.status === 201 && shows(ref, afterPost, v0), created.status === 201 ? `${seen(ref, afterPost)}, wrote ${JSON.stringify(v0)}` : describe(created));
  }

  await typeChecks(t, ref, log);
  if (def.required && !ref.sub) await requiredCheck(t, ref, log);
  await uniquenessChecks(t, ref, log);
  await canonicalChecks(t, ref, log);
  await referenceChecks(t, ref, log);
  if (!id) return;

  // PUT: the whole resource again, with another value.
  const immutable = def.mutability === 'immutable';
  const inList = !!ref.sub && ref.top.multiValued;
  if (!(immutable && inList)) {
    // An immutable sub-attribute of a multi-valued attribute fixes one element; PUT replaces the
    // list (readWrite) with other elements, which is no change of an element: checked by PATCH below.
    const base = minimalBody(t, uniq);
    const put = await t.api.put(`${endpoint}/${id}`, place(base, ref, topValueFor(t, ref, v1, 1, uniq)));
    const afterPut = await read(t, id, showing(ref));
    if (immutable) {
      log.record(`${L}: PUT with another value is refused with 400 mutability (immutable)`, isError(put, 400, 'mutability') && shows(ref, afterPut, v0), `${describe(put)}; ${seen(ref, afterPut)}`);
      const same = await t.api.put(`${endpoint}/${id}`, bodyWith(t, ref, v0, uniq));
      log.record(`${L}: PUT with the same value is accepted (immutable)`, same.status === 200, describe(same));
    } else if (never) {
      log.record(`${L}: PUT accepts it and never returns it`, put.status === 200 && !!afterPut && leafValues(afterPut, ref).length === 0, describe(put));
    } else {
      log.record(`${L}: PUT replaces the value`, put.status === 200 && shows(ref, afterPut, v1), `${describe(put)}; ${seen(ref, afterPut)}, wrote ${JSON.stringify(v1)}`);
    }
  }

  // PATCH replace, remove, add; `emails.type` as a path reaches the sub-attribute of every value.
  const current = immutable ? v0 : v1;
  const replaced = await t.api.patch(`${endpoint}/${id}`, patchBody({ op: 'replace', path: ref.path, value: v2 }));
  const afterReplace = await read(t, id, showing(ref));
  if (immutable) {
    log.record(`${L}: PATCH replace with another value is refused with 400 mutability (immutable)`, isError(replaced, 400, 'mutability') && shows(ref, afterReplace, current), `${describe(replaced)}; ${seen(ref, afterReplace)}`);
  } else if (never) {
    log.record(`${L}: PATCH replace accepts it and never returns it`, replaced.status === 200 || replaced.status === 204, describe(replaced));
  } else {
    log.record(`${L}: PATCH replace changes the value`, (replaced.status === 200 || replaced.status === 204) && shows(ref, afterReplace, v2), `${describe(replaced)}; ${seen(ref, afterReplace)}, wrote ${JSON.stringify(v2)}`);
  }

  const removed = await t.api.patch(`${endpoint}/${id}`, patchBody({ op: 'remove', path: ref.path }));
  const afterRemove = await read(t, id, showing(ref));
  if (immutable) {
    log.record(`${L}: PATCH remove is refused with 400 mutability (immutable)`, isError(removed, 400, 'mutability'), `${describe(removed)}; ${seen(ref, afterRemove)}`);
    return;
  }
  if (def.required && !ref.sub) {
    log.record(`${L}: PATCH remove is refused with 400 invalidValue (required)`, isError(removed, 400, 'invalidValue') && isAssigned(leafValues(afterRemove ?? {}, ref)), describe(removed));
    return;
  }
  log.record(`${L}: PATCH remove takes the value away`, (removed.status === 200 || removed.status === 204) && !!afterRemove && leafValues(afterRemove, ref).filter(isAssigned).length === 0, `${describe(removed)}; ${seen(ref, afterRemove)}`);
  const added = await t.api.patch(`${endpoint}/${id}`, patchBody({ op: 'add', path: ref.path, value: v0 }));
  const afterAdd = await read(t, id, showing(ref));
  log.record(
    never ? `${L}: PATCH add accepts it and never returns it` : `${L}: PATCH add sets it again`,
    (added.status === 200 || added.status === 204) && (never ? !!afterAdd && leafValues(afterAdd, ref).length === 0 : shows(ref, afterAdd, v0)),
    `${describe(added)}; ${seen(ref, afterAdd)}`,
  );
}

/** `type` and `multiValued`: a wrong type and the wrong plurality are refused, two values of a multi-valued one kept. */
async function typeChecks(t: TypeUnderTest, ref: AttrRef, log: CheckLog): Promise<void> {
  const L = ref.label;
  const def = ref.def;
  const uniq = uniqueTag();
  const wrong = await t.api.post(t.rt.endpoint, bodyWith(t, ref, wrongValueOf(def), uniq));
  log.record(`${L}: POST with a value that is not of type ${def.type} is refused with 400 invalidValue`, isError(wrong, 400, 'invalidValue'), describe(wrong));

  // Plurality of the value itself: a list at a single-valued path, two values at a multi-valued one.
  const a = sampleOf({ ...ref, def: { ...def, multiValued: false } }, 0, uniq, t.ctx);
  const b = sampleOf({ ...ref, def: { ...def, multiValued: false } }, 1, uniq, t.ctx);
  const two = [a, b];
  if (def.multiValued) {
    const r = await t.api.post(t.rt.endpoint, bodyWith(t, ref, two, uniq));
    const back = r.status === 201 ? await read(t, String(r.body.id), showing(ref)) : undefined;
    log.record(
      def.returned === 'never' ? `${L}: POST with two values is accepted (multiValued)` : `${L}: POST with two values keeps both (multiValued)`,
      r.status === 201 && (def.returned === 'never' || shows(ref, back, two)),
      r.status === 201 ? seen(ref, back) : describe(r),
    );
  } else {
    const r = await t.api.post(t.rt.endpoint, bodyWith(t, ref, two, uniq));
    log.record(`${L}: POST with a list of two values is refused with 400 invalidValue (single-valued)`, isError(r, 400, 'invalidValue'), describe(r));
  }
}

async function requiredCheck(t: TypeUnderTest, ref: AttrRef, log: CheckLog): Promise<void> {
  const body = minimalBody(t, uniqueTag());
  if (ref.extension) delete (body[ref.schema] as Json | undefined)?.[ref.top.name];
  else delete body[ref.top.name];
  const r = await t.api.post(t.rt.endpoint, body);
  log.record(`${ref.label}: POST without it is refused with 400 invalidValue (required)`, isError(r, 400, 'invalidValue'), describe(r));
}

/** RFC 7643 §2.2 `uniqueness`: a second resource with the same value, and for text compared ignoring case, in the other case. */
async function uniquenessChecks(t: TypeUnderTest, ref: AttrRef, log: CheckLog): Promise<void> {
  const uniq = uniqueTag();
  await uniquenessCheck(t, ref, log, sampleOf(ref, 0, uniq, t.ctx), uniq, '');
  const probe = UNIQUENESS_PROBES[ref.label];
  if (probe) {
    const other = uniqueTag();
    await uniquenessCheck(t, ref, log, probe.value(0, other, t.ctx), other, ` (${probe.what})`);
  }
}

async function uniquenessCheck(t: TypeUnderTest, ref: AttrRef, log: CheckLog, value: unknown, uniq: string, what: string): Promise<void> {
  const L = ref.label;
  const def = ref.def;
  // Both resources carry `value`; everything else (userName, displayName) is their own.
  const first = await t.api.post(t.rt.endpoint, bodyWith(t, ref, value, `${uniq}a`));
  if (first.status !== 201) {
    log.record(`${L}: uniqueness ${def.uniqueness}: the first resource could be created${what}`, false, describe(first));
    return;
  }
  const twin = bodyWith(t, ref, value, `${uniq}b`);
  const second = await t.api.post(t.rt.endpoint, twin);
  if (def.uniqueness === 'none') {
    log.record(`${L}: uniqueness none: a second resource may have the same value${what}`, second.status === 201, describe(second));
    return;
  }
  log.record(`${L}: uniqueness ${def.uniqueness}: a second resource with the same value is refused with 409 uniqueness${what}`, isError(second, 409, 'uniqueness'), describe(second));
  if (isText(def) && typeof value === 'string' && swapCase(value) !== value) {
    const other = await t.api.post(t.rt.endpoint, bodyWith(t, ref, swapCase(value), `${uniq}c`));
    if (def.caseExact) {
      log.record(`${L}: uniqueness ${def.uniqueness}, caseExact: the same value in other case is another value${what}`, other.status === 201, describe(other));
    } else {
      log.record(`${L}: uniqueness ${def.uniqueness}, caseExact false: the same value in other case is refused with 409 uniqueness${what}`, isError(other, 409, 'uniqueness'), describe(other));
    }
  }
}

/** Every canonical value is accepted and read back; one outside them is too (RFC 7643 §7: they are suggestions). */
async function canonicalChecks(t: TypeUnderTest, ref: AttrRef, log: CheckLog): Promise<void> {
  const values = ref.def.canonicalValues;
  if (!values?.length) return;
  const single = { ...ref, def: { ...ref.def, multiValued: false } };
  for (const c of [...values, 'zzOtherValue']) {
    const uniq = uniqueTag();
    const value = ref.def.multiValued ? [c] : c;
    const r = await t.api.post(t.rt.endpoint, bodyWith(t, ref, value, uniq));
    const back = r.status === 201 ? await read(t, String(r.body.id), showing(ref)) : undefined;
    const ok = r.status === 201 && shows(single, back, c);
    const key = values.includes(c) ? `${ref.label}: canonical value "${c}" is accepted and read back` : `${ref.label}: a value outside canonicalValues is accepted and read back (RFC 7643 §7: canonical values are suggestions)`;
    log.record(key, ok, r.status === 201 ? seen(ref, back) : describe(r));
  }
}

/** Every published reference type can be written and is read back. */
async function referenceChecks(t: TypeUnderTest, ref: AttrRef, log: CheckLog): Promise<void> {
  if (ref.def.type !== 'reference') return;
  for (const kind of ref.def.referenceTypes ?? []) {
    const uniq = uniqueTag();
    const one = referenceTo(kind, 0, uniq, t.ctx);
    const r = await t.api.post(t.rt.endpoint, bodyWith(t, ref, ref.def.multiValued ? [one] : one, uniq));
    const back = r.status === 201 ? await read(t, String(r.body.id), showing(ref)) : undefined;
    log.record(`${ref.label}: a reference to ${kind} is accepted and read back (referenceTypes)`, r.status === 201 && shows({ ...ref, def: { ...ref.def, multiValued: false } }, back, one), r.status === 201 ? seen(ref, back) : describe(r));
  }
}

/** A value of `ref` that no server would compute: what a client sends to a readOnly attribute. */
function bogusOf(t: TypeUnderTest, ref: AttrRef, uniq: string): unknown {
  const all = { ...ref.def, subAttributes: ref.def.subAttributes?.map((s) => ({ ...s, mutability: 'readWrite' })) };
  return sampleOf({ ...ref, def: all }, 2, `bogus${uniq}`, t.ctx);
}

/** readOnly (RFC 7644 §3.3, §3.5.1: ignored in POST and PUT; §3.5.2: a PATCH is refused with mutability). */
async function readOnlyChecks(t: TypeUnderTest, ref: AttrRef, log: CheckLog): Promise<void> {
  const L = ref.label;
  const uniq = uniqueTag();
  const bogus = bogusOf(t, ref, uniq);
  const ignored = (resource: Json | undefined) => {
    if (!resource) return false;
    const values = leafValues(resource, ref);
    const sent = Array.isArray(bogus) ? bogus : [bogus];
    return !values.some((v) => sent.some((s) => sameValue({ ...ref.def, multiValued: false }, v, s)));
  };
  const created = await t.api.post(t.rt.endpoint, bodyWith(t, ref, bogus, uniq, 2));
  const id = created.status === 201 ? String(created.body.id) : undefined;
  const afterPost = id ? await read(t, id, showing(ref)) : undefined;
  log.record(`${L}: readOnly: a value sent with POST is ignored`, created.status === 201 && ignored(afterPost), created.status === 201 ? seen(ref, afterPost) : describe(created));
  if (!id) return;
  const put = await t.api.put(`${t.rt.endpoint}/${id}`, bodyWith(t, ref, bogus, uniq, 2));
  const afterPut = await read(t, id, showing(ref));
  log.record(`${L}: readOnly: a value sent with PUT is ignored`, put.status === 200 && ignored(afterPut), put.status === 200 ? seen(ref, afterPut) : describe(put));
  const patched: ScimResponse = await t.api.patch(`${t.rt.endpoint}/${id}`, patchBody({ op: 'replace', path: ref.path, value: bogus }));
  const afterPatch = await read(t, id, showing(ref));
  log.record(`${L}: readOnly: PATCH replace is refused with 400 mutability`, isError(patched, 400, 'mutability') && ignored(afterPatch), `${describe(patched)}; ${seen(ref, afterPatch)}`);
}
