import { describe, expect, it } from 'vitest';
import { foldCase } from '../../../server/src/scim/case-fold.js';
import { checkFilter, evaluateFilter, parseFilter, type CheckedAttribute } from '../../../server/src/scim/filter/index.js';
import { USER_RESOURCE_TYPE } from '../../../server/src/scim/schema/index.js';
import { compareCodePoints, compareSortEntries, sortKeyOf } from '../../../server/src/scim/sort.js';

const attr = (path: string): CheckedAttribute => (checkFilter(parseFilter(`${path} pr`), USER_RESOURCE_TYPE) as { attribute: CheckedAttribute }).attribute;

describe('code point order (what utf8mb4_nopad_bin does)', () => {
  it('orders characters above U+FFFF after U+E000–U+FFFF, unlike UTF-16 units', () => {
    expect('\u{1F642}' < '\uFF46').toBe(true); // JavaScript's order
    expect(compareCodePoints('\u{1F642}', '\uFF46')).toBe(1);
    expect(compareCodePoints('a', 'b')).toBe(-1);
    expect(compareCodePoints('ab', 'a')).toBe(1);
    expect(compareCodePoints('é', 'é')).toBe(0);
    expect(['b', 'a', '\u{10400}', '\uFFFD', 'Z'].sort(compareCodePoints)).toEqual(['Z', 'a', 'b', '\uFFFD', '\u{10400}']);
  });

  it('filters order strings the same way', () => {
    const f = checkFilter(parseFilter('nickName gt "\uFF46"'), USER_RESOURCE_TYPE);
    expect(evaluateFilter(f, { nickName: '\u{1F642}' })).toBe(true);
  });
});

describe('case folding', () => {
  it('folds each code point on its own: Σ is always σ, İ is i (MariaDB LOWER under uca1400)', () => {
    expect(foldCase('ALICE')).toBe('alice');
    expect(foldCase('ΟΔΟΣ')).toBe('οδοσ');
    expect('ΟΔΟΣ'.toLowerCase()).toBe('οδος');
    expect(foldCase('İSTANBUL')).toBe('istanbul');
    expect(foldCase('Ärger ＦＵＬＬ')).toBe('ärger ｆｕｌｌ');
    expect(foldCase('\u{10400}')).toBe('\u{10428}');
  });
});

describe('sort keys and order (RFC 7644 §3.4.2.3)', () => {
  it('takes the primary value of a multi-valued attribute, else the first', () => {
    const emails = attr('emails.value');
    expect(sortKeyOf({ emails: [{ value: 'B@x' }, { value: 'a@x', primary: true }] }, emails)).toBe('a@x');
    expect(sortKeyOf({ emails: [{ value: 'B@x' }, { value: 'a@x' }] }, emails)).toBe('b@x');
    expect(sortKeyOf({ emails: [{ type: 'work', primary: true }, { value: 'a@x' }] }, emails)).toBeNull();
    expect(sortKeyOf({}, emails)).toBeNull();
  });

  it('types the key: case-folded strings unless caseExact, instants, numbers, booleans', () => {
    expect(sortKeyOf({ name: { familyName: 'Ärger' } }, attr('name.familyName'))).toBe('ärger');
    expect(sortKeyOf({ externalId: 'X-1' }, attr('externalId'))).toBe('X-1');
    expect(sortKeyOf({ meta: { created: '2024-01-01T02:00:00+02:00' } }, attr('meta.created'))).toBe(Date.UTC(2024, 0, 1));
    expect(sortKeyOf({ active: false }, attr('active'))).toBe(0);
    expect(sortKeyOf({ 'urn:ietf:params:scim:schemas:extension:mailcow:2.0:User': { quota: 10 } }, attr('urn:ietf:params:scim:schemas:extension:mailcow:2.0:User:quota'))).toBe(10);
  });

  it('puts absent values last ascending and first descending, and breaks ties on id', () => {
    const entries = [{ key: 'b', id: '2' }, { key: null, id: '1' }, { key: 'a', id: '3' }, { key: 'b', id: '1' }];
    expect([...entries].sort((x, y) => compareSortEntries(x, y, false)).map((e) => `${e.key}/${e.id}`)).toEqual(['a/3', 'b/1', 'b/2', 'null/1']);
    expect([...entries].sort((x, y) => compareSortEntries(x, y, true)).map((e) => `${e.key}/${e.id}`)).toEqual(['null/1', 'b/2', 'b/1', 'a/3']);
    expect(compareSortEntries({ key: 10, id: 'a' }, { key: 9, id: 'b' }, false)).toBe(1);
  });
});
