import { describe, expect, it } from 'vitest';
import { cloneJson } from '../../../server/src/scim/json-clone.js';

describe('cloneJson', () => {
  const resource = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id: 'a1',
    userName: 'ada@example.org',
    active: false,
    quota: 0,
    nothing: null,
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    emails: [{ value: 'ada@example.org', primary: true }, 'loose', 3, null, [1, [2]]],
    empty: {},
    none: [],
  };

  it('gives what structuredClone gives for a JSON value', () => {
    expect(cloneJson(resource)).toStrictEqual(structuredClone(resource));
    for (const leaf of ['x', '', 0, -1.5, true, false, null, undefined]) expect(cloneJson(leaf)).toBe(leaf);
  });

  it('shares nothing with the original', () => {
    const copy = cloneJson(resource);
    copy.name.givenName = 'Changed';
    (copy.emails[0] as { value: string }).value = 'changed@example.org';
    ((copy.emails[4] as unknown[])[1] as number[]).push(9);
    expect(resource.name.givenName).toBe('Ada');
    expect((resource.emails[0] as { value: string }).value).toBe('ada@example.org');
    expect(resource.emails[4]).toEqual([1, [2]]);
    expect(copy.name).not.toBe(resource.name);
  });

  it('keeps an own __proto__ member a member and leaves the prototype alone', () => {
    const parsed = JSON.parse('{"a":{"__proto__":{"polluted":true},"b":1}}') as { a: Record<string, unknown> };
    const copy = cloneJson(parsed);
    expect(Object.getPrototypeOf(copy.a)).toBe(Object.prototype);
    expect(Object.keys(copy.a)).toEqual(['__proto__', 'b']);
    expect(Object.getOwnPropertyDescriptor(copy.a, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(copy).toStrictEqual(structuredClone(parsed));
  });

  it('copies an object without a prototype as a plain object, like structuredClone', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { k: [1] });
    expect(Object.getPrototypeOf(cloneJson(bare))).toBe(Object.prototype);
    expect(cloneJson(bare)).toStrictEqual(structuredClone(bare));
  });

  it('leaves what is not JSON to structuredClone', () => {
    const when = new Date('2026-01-02T03:04:05Z');
    const copy = cloneJson({ when });
    expect(copy.when).toBeInstanceOf(Date);
    expect(copy.when).not.toBe(when);
    expect(copy.when.getTime()).toBe(when.getTime());
  });
});
