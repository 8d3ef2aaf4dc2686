/**
 * Values for every published attribute, generated from its published type, plurality,
 * canonicalValues and referenceTypes. A short list of overrides supplies values whose meaning
 * constrains them (a userName that makes a mailbox, a template that exists, a member that is a
 * User); the schema-truth test fails when an override names an attribute /Schemas no longer has.
 *
 * Three variants per attribute, chosen so that sorting tells caseExact apart: variant 0 starts
 * with "b", 1 with "A", 2 with "C" (ignoring case: 1, 0, 2; by code point: 1, 2, 0).
 */
import { isWritable, type AttrRef, type PublishedAttribute } from './published.js';

export const VARIANTS = 3;
const PREFIX = ['b', 'A', 'C'] as const;

export interface SampleContext {
  baseUrl: string;
  /** A User per variant, for members and references to Users (of the token the resource is written with). */
  userIds: string[];
  /** A Group per variant, for references to Groups. */
  groupIds: string[];
  /** A mailcow mailbox template per variant. */
  templates: string[];
  /** The domain the token manages. */
  managedDomain: string;
}

type Override = (variant: number, uniq: string, ctx: SampleContext) => unknown;

const MC_USER = 'urn:ietf:params:scim:schemas:extension:mailcow:2.0:User';
const MC_GROUP = 'urn:ietf:params:scim:schemas:extension:mailcow:2.0:Group';

/** By attribute label. Everything not listed here is generated from its type. */
export const SAMPLE_OVERRIDES: Readonly<Record<string, Override>> = {
  // userName becomes the mailbox's local part at the token's default domain.
  'User userName': (v, u) => `${PREFIX[v]}User-${u}`,
  'User password': (v, u) => `${PREFIX[v]}Secret-${u}-9!`,
  // Outside the managed domain: an address there would be a mailcow mailbox or alias (see the exceptions).
  'User emails.value': (v, u) => `${PREFIX[v]}Mail-${u}@elsewhere.example`,
  'User preferredLanguage': (v) => ['de-DE', 'en-US', 'fr-CA'][v],
  'User locale': (v) => ['de-DE', 'en-US', 'fr-CA'][v],
  'User timezone': (v) => ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo'][v],
  'User addresses.country': (v) => ['DE', 'US', 'CA'][v],
  [`User ${MC_USER}:template`]: (v, _u, c) => c.templates[v],
  'Group members.value': (v, _u, c) => c.userIds[v],
  'Group members.$ref': (v, _u, c) => `${c.baseUrl}/Users/${c.userIds[v]}`,
  [`Group ${MC_GROUP}:address`]: (v, u, c) => `${PREFIX[v]}List-${u}@${c.managedDomain}`,
  [`Group ${MC_GROUP}:emails.value`]: (v, u) => `${PREFIX[v]}Group-${u}@elsewhere.example`,
};

/**
 * Values whose uniqueness depends on what they mean in mailcow, checked besides the generated
 * one: the same characteristic must hold for them too (or the exception list says why not).
 */
export const UNIQUENESS_PROBES: Readonly<Record<string, { what: string; value: Override }>> = {
  'User emails.value': { what: 'an address in the managed domain', value: (v, u, c) => `${PREFIX[v]}Mail-${u}@${c.managedDomain}` },
  [`Group ${MC_GROUP}:emails.value`]: { what: 'an address in the managed domain', value: (v, u, c) => `${PREFIX[v]}Group-${u}@${c.managedDomain}` },
};

/** A reference of one of the RFC 7643 §2.3.7 kinds. */
export function referenceTo(kind: string, variant: number, uniq: string, ctx: SampleContext): string {
  switch (kind) {
    case 'User':
      return `${ctx.baseUrl}/Users/${ctx.userIds[variant]}`;
    case 'Group':
      return `${ctx.baseUrl}/Groups/${ctx.groupIds[variant]}`;
    case 'uri':
      return `urn:example:${PREFIX[variant]}Ref-${uniq}`;
    default:
      return `https://${PREFIX[variant]}Ref-${uniq}.example.net/Profile`;
  }
}

/** A value of a single (not multi-valued) leaf attribute. */
function scalar(label: string, def: PublishedAttribute, variant: number, uniq: string, ctx: SampleContext): unknown {
  const override = SAMPLE_OVERRIDES[label];
  if (override) return override(variant, uniq, ctx);
  if (def.canonicalValues?.length) return def.canonicalValues[variant % def.canonicalValues.length];
  switch (def.type) {
    case 'boolean':
      return variant !== 1;
    case 'integer':
      return [20, 10, 30][variant];
    case 'decimal':
      return [2.5, 1.5, 3.5][variant];
    case 'dateTime':
      return `2021-0${variant + 1}-15T10:30:00Z`;
    case 'reference':
      return referenceTo(def.referenceTypes?.[0] ?? 'external', variant, uniq, ctx);
    case 'binary':
      return Buffer.from(`${PREFIX[variant]}Binary-${uniq}`).toString('base64');
    default:
      return `${PREFIX[variant]}${def.name.replace(/^\$/, '')}-${uniq}`;
  }
}

/**
 * The value of `ref` for a resource: a leaf's value (a list for a multi-valued simple attribute),
 * or for a complex attribute an object of all its writable sub-attributes (one element in a list
 * when multi-valued).
 */
export function sampleOf(ref: AttrRef, variant: number, uniq: string, ctx: SampleContext): unknown {
  const def = ref.def;
  if (def.type === 'complex') {
    const element: Record<string, unknown> = {};
    for (const sub of def.subAttributes ?? []) {
      if (isWritable(sub)) element[sub.name] = subValue(ref, sub, variant, uniq, ctx);
    }
    return def.multiValued ? [element] : element;
  }
  const one = scalar(ref.label, def, variant, uniq, ctx);
  return def.multiValued ? [one] : one;
}

function subValue(parent: AttrRef, sub: PublishedAttribute, variant: number, uniq: string, ctx: SampleContext): unknown {
  const one = scalar(`${parent.label}.${sub.name}`, sub, variant, uniq, ctx);
  return sub.multiValued ? [one] : one;
}

/**
 * The element a sub-attribute of a multi-valued complex attribute is written in: its `value`
 * (when the element has one and the sub-attribute is another), so that the element means
 * something (an e-mail with a type, a member with a type).
 */
export function elementBase(ref: AttrRef, variant: number, uniq: string, ctx: SampleContext): Record<string, unknown> {
  if (!ref.sub || !ref.top.multiValued) return {};
  const value = ref.top.subAttributes?.find((s) => s.name === 'value');
  if (!value || value === ref.sub || !isWritable(value)) return {};
  return { value: subValue({ ...ref, sub: undefined, def: ref.top, label: ref.label.slice(0, ref.label.lastIndexOf('.')) }, value, variant, uniq, ctx) };
}

/** A value of the wrong JSON type for `def` (RFC 7643 §2.3), which a server must refuse. */
export function wrongValueOf(def: PublishedAttribute): unknown {
  switch (def.type) {
    case 'boolean':
      return 'maybe';
    case 'integer':
      return 'many';
    case 'decimal':
      return 'lots';
    case 'dateTime':
      return 'yesterday';
    default:
      // string, reference, binary; and complex, whose bare scalar is refused or read as a wrong `value`.
      return 42;
  }
}

/** `ab` → `AB`, `Ab` → `aB`: the same text in the other case. */
export function swapCase(text: string): string {
  return [...text].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
}
