import { describe, expect, it } from 'vitest';
import { checkFilter, evaluateFilter, parseFilter } from '../../../../server/src/scim/filter/index.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../../../server/src/scim/schema/index.js';
import { ScimError } from '../../../../server/src/scim/scim-error.js';
import { bjensen, ENTERPRISE, MAILCOW_USER, tourGuides } from '../fixtures/resources.js';

/**
 * Robustness: random and mutated filter strings through parse + check + evaluate must either
 * work or fail with a 400 invalidFilter ScimError, never anything else (architecture.md §8:
 * every bad input is a 4xx, never a 500). Deterministic: a seeded PRNG (mulberry32).
 */

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = mulberry32(0x5c1a_2025);
const int = (n: number): number => Math.floor(random() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)];
const randomCase = (s: string): string =>
  [...s].map((c) => (random() < 0.3 ? c.toUpperCase() : c.toLowerCase())).join('');

const ATTRIBUTES = [
  'userName', 'name.familyName', 'name.givenName', 'name', 'title', 'userType', 'active', 'emails',
  'emails.value', 'emails.type', 'emails.primary', 'meta.lastModified', 'meta.created', 'id', 'externalId',
  'schemas', 'ims.value', 'x509Certificates.value', 'groups.display', 'password', 'members', 'members.value',
  'displayName', `${ENTERPRISE}:department`, `${ENTERPRISE}:manager.value`, `${ENTERPRISE}:manager`,
  `${MAILCOW_USER}:quota`, `${MAILCOW_USER}:tags`, `${MAILCOW_USER}:protocolAccess.imap`,
  'urn:ietf:params:scim:schemas:core:2.0:User:userName', 'foo', 'a.b.c', 'not', 'pr', 'and', '$ref', '_x',
  'address', 'urn:x', 'emails.$ref',
];
const MULTI = ['emails', 'ims', 'phoneNumbers', 'addresses', 'members', 'groups', `${MAILCOW_USER}:tags`, 'name', 'userName'];
const SUBS = ['type', 'value', 'primary', 'display', 'streetAddress', 'foo', 'emails.type'];
const OPERATORS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'xx', 'EQ', 'Pr'];
const STRINGS = [
  '"bjensen@example.com"', '"x"', '""', '"O\'Malley"', '"2011-05-13T04:42:34Z"', '"2011-05-13"', '"\\u00e9"',
  '"a\\"b"', '"\\\\"', '"true"', '"@example.com"', '"\\ud800"', '"✓"', '"work"',
];
const LITERALS = ['true', 'False', 'NULL', '0', '-1', '3.5', '1e3', '-0.5E-2', '01', '1.', 'bjensen', "'x'", '"unterminated'];

function value(): string {
  return random() < 0.6 ? pick(STRINGS) : pick(LITERALS);
}

function comparison(attrs: readonly string[]): string {
  const op = pick(OPERATORS);
  const attr = pick(attrs);
  return op.toLowerCase() === 'pr' ? `${attr} ${op}` : `${attr} ${randomCase(op)} ${value()}`;
}

function filter(depth: number): string {
  const r = random();
  if (depth <= 0 || r < 0.35) return comparison(ATTRIBUTES);
  if (r < 0.55) return `${filter(depth - 1)} ${randomCase(pick(['and', 'or']))} ${filter(depth - 1)}`;
  if (r < 0.65) return `(${filter(depth - 1)})`;
  if (r < 0.75) return `${randomCase('not')} (${filter(depth - 1)})`;
  const inner = random() < 0.7 ? comparison(SUBS) : `${comparison(SUBS)} and ${comparison(SUBS)}`;
  const tail = random() < 0.1 ? `.${pick(SUBS)}` : '';
  return `${pick(MULTI)}[${inner}]${tail}`;
}

const ALPHABET = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ...' ()[]."\\:-_$+eE,;\'#\t\n\u0000\u00e9\u2713\ud800',
];

function mutate(text: string): string {
  let s = text;
  const edits = 1 + int(4);
  for (let i = 0; i < edits; i++) {
    const at = int(s.length + 1);
    switch (int(6)) {
      case 0:
        s = s.slice(0, at) + s.slice(at + 1);
        break;
      case 1:
        s = s.slice(0, at) + pick(ALPHABET) + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at);
        break;
      case 3: {
        const from = int(s.length + 1);
        s = s.slice(0, at) + s.slice(from, from + 1 + int(10)) + s.slice(at);
        break;
      }
      case 4:
        s = s.slice(0, at) + pick(['(', ')', '[', ']', '"', '\\', ' and ', ' or ', 'not (', '.', ':']) + s.slice(at);
        break;
      default:
        s = s.slice(0, at) + s.slice(at).replace(/[a-z]/, (c) => c.toUpperCase());
    }
  }
  return s;
}

function noise(): string {
  let s = '';
  const n = int(40);
  for (let i = 0; i < n; i++) s += pick(ALPHABET);
  return s;
}

function candidate(i: number): string {
  switch (i % 5) {
    case 0:
    case 1:
      return filter(4);
    case 2:
    case 3:
      return mutate(filter(3));
    default:
      if (i % 1000 === 4) return `${'('.repeat(20 + int(30))}a pr${')'.repeat(20 + int(30))}`;
      if (i % 1000 === 9) return `userName eq "${'x'.repeat(4000 + int(200))}"`;
      return noise();
  }
}

describe('filter fuzz', () => {
  it('answers 100,000 random and mutated filters with a result or a 400 invalidFilter', () => {
    const resources = [bjensen(), tourGuides(), {}, { UserName: 'X', Emails: 'oops', meta: null }];
    const failures: string[] = [];
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < 100_000; i++) {
      const text = candidate(i);
      const rt = i % 7 === 0 ? GROUP_RESOURCE_TYPE : USER_RESOURCE_TYPE;
      try {
        const checked = checkFilter(parseFilter(text), rt);
        for (const resource of resources) evaluateFilter(checked, resource);
        accepted++;
      } catch (e) {
        if (e instanceof ScimError && e.status === 400 && e.scimType === 'invalidFilter' && e.detail.length > 0) {
          rejected++;
        } else if (failures.length < 10) {
          failures.push(`${JSON.stringify(text)} → ${String(e)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    // The generator must reach the checker and the evaluator, not only the lexer.
    expect(accepted).toBeGreaterThan(5_000);
    expect(rejected).toBeGreaterThan(20_000);
  }, 30_000);
});
