import { ScimError } from '../scim-error.js';
import { findAttribute, type AttributeDef } from './attribute.js';
import { isJsonObject } from './resource-keys.js';

/**
 * Attribute values checked and coerced against their definition (RFC 7643 §2.3), with the client
 * quirks documented in docs/idp/clients.md §1 folded in at this one place.
 */

/** A surrogate code unit not part of a pair (with the u flag, a pair is one code point, not \p{Cs}). */
const LONE_SURROGATE = /\p{Cs}/u;

/** xsd:dateTime (RFC 7643 §2.3.5): date, `T`, time, optional fraction, optional offset. */
const DATE_TIME = /^(\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/i;

/**
 * The instant (milliseconds since the epoch) of an xsd:dateTime string, or undefined when the
 * text is not one. A value without an offset is read as UTC (xsd leaves it "local"; a server has
 * no better local time than UTC, and JavaScript would otherwise use the process's time zone).
 */
export function parseDateTime(text: string): number | undefined {
  const match = DATE_TIME.exec(text);
  if (!match) return undefined;
  const [, , month, day, hour, minute, second] = match;
  if (month === undefined || day === undefined || hour === undefined || minute === undefined || second === undefined) return undefined;
  if (+month < 1 || +month > 12 || +day < 1 || +day > 31) return undefined;
  if (+hour > 24 || +minute > 59 || +second > 60) return undefined;
  const ms = Date.parse(match[8] === undefined ? `${text}Z` : text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Whether `text` is a valid xsd:dateTime (see `parseDateTime`). */
export function isDateTime(text: string): boolean {
  return parseDateTime(text) !== undefined;
}

/**
 * The boolean a client meant, accepting the string forms `"True"`/`"False"` in any case:
 * Entra's default PATCH sends `"value": "False"` for `active` (E2, E5) and the Keycloak libre.sh
 * plugin sends `"false"` (K6). Undefined when `value` is neither.
 */
export function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

/**
 * `value` checked against `def` (a top-level attribute or a sub-attribute) and coerced where a
 * real client sends a near miss:
 * - boolean: `true`/`false` or the strings `"True"`/`"false"` (Entra, Keycloak);
 * - integer: an integral number, or a string of decimal digits (Entra sends every mapped
 *   attribute as a string unless the mapping says otherwise);
 * - decimal: a finite number or a numeric string;
 * - string, reference, binary: a string; dateTime: an xsd:dateTime string;
 * - complex: a bare string/number/boolean when the attribute has a `value` sub-attribute (read
 *   as `{ value }`: Entra sends the enterprise `manager` as an id string), or an object whose keys are matched to sub-attributes ignoring case and written with
 *   their canonical names; unknown sub-attributes and null members are dropped (RFC 7643 §2.5:
 *   null means unassigned; docs/idp/clients.md §9: accept and discard what we do not know).
 * - multi-valued: an array (a single value is wrapped), nulls dropped.
 * `null` is returned as `null` (unassigned) for the caller to interpret. Anything else throws
 * `invalidValue` naming `path`.
 */
export function coerceAttributeValue(def: AttributeDef, value: unknown, path: string): unknown {
  if (value === null || value === undefined) return null;
  if (def.multiValued) {
    const list = Array.isArray(value) ? value : [value];
    const out: unknown[] = [];
    for (const item of list) {
      if (item === null || item === undefined) continue;
      if (Array.isArray(item)) throw ScimError.invalidValue(`'${path}' expects a list of values, not nested lists.`);
      out.push(coerceSingleValue(def, item, path));
    }
    return out;
  }
  if (Array.isArray(value)) {
    // Entra and others sometimes wrap a single value in a one-element array.
    if (value.length === 1 && !Array.isArray(value[0])) return coerceSingleValue(def, value[0], path);
    if (value.length === 0) return null;
    throw ScimError.invalidValue(`'${path}' is single-valued; a list of ${value.length} values was given.`);
  }
  return coerceSingleValue(def, value, path);
}

/** One value (an element of a multi-valued attribute, or a single-valued attribute's value). */
function coerceSingleValue(def: AttributeDef, value: unknown, path: string): unknown {
  switch (def.type) {
    case 'boolean': {
      const b = toBoolean(value);
      if (b === undefined) throw invalid(path, 'a boolean', value);
      return b;
    }
    case 'integer': {
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
      if (typeof value === 'string' && /^\s*[+-]?\d{1,15}\s*$/.test(value)) return Number(value);
      throw invalid(path, 'an integer', value);
    }
    case 'decimal': {
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (typeof value === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value)) {
        return Number(value);
      }
      throw invalid(path, 'a decimal number', value);
    }
    case 'dateTime': {
      if (typeof value === 'string' && isDateTime(value)) return value;
      throw invalid(path, 'an xsd:dateTime string such as "2025-01-31T12:00:00Z"', value);
    }
    case 'string':
    case 'reference':
    case 'binary': {
      if (typeof value !== 'string') throw invalid(path, 'a string', value);
      // JSON can escape half a surrogate pair ("\ud800"), which is no character: MariaDB's JSON
      // functions then refuse the stored resource, and every filter over it failed.
      if (LONE_SURROGATE.test(value)) {
        throw ScimError.invalidValue(`'${path}' contains an unpaired UTF-16 surrogate (an escape such as \\ud800 without its pair), which is not a character; send valid Unicode text.`);
      }
      return value;
    }
    case 'complex': {
      const valueSub = findAttribute(def.subAttributes, 'value');
      if (valueSub && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
        // Entra sends the enterprise `manager` as a bare id string; a bare value of any complex
        // attribute with a `value` sub-attribute is read as `{ value }`.
        return { [valueSub.name]: coerceAttributeValue(valueSub, value, `${path}.${valueSub.name}`) };
      }
      if (!isJsonObject(value)) throw invalid(path, 'an object with sub-attributes', value);
      const out: Record<string, unknown> = {};
      for (const [key, member] of Object.entries(value)) {
        const sub = findAttribute(def.subAttributes, key);
        if (!sub || member === null || member === undefined) continue;
        const coerced = coerceAttributeValue(sub, member, `${path}.${sub.name}`);
        if (coerced === null) continue;
        out[sub.name] = coerced;
      }
      return out;
    }
  }
}

function invalid(path: string, expected: string, value: unknown): ScimError {
  const got = value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
  return ScimError.invalidValue(`'${path}' expects ${expected}; got ${got}.`);
}

/**
 * Whether a value counts as unassigned (RFC 7643 §2.5): absent, null, "" (as RFC 7644
 * §3.4.2.2 `pr` treats it), an empty list, or an object none of whose members is assigned.
 */
export function isUnassigned(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.every(isUnassigned);
  if (isJsonObject(value)) return Object.values(value).every(isUnassigned);
  return false;
}
