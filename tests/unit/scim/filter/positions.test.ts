/** Filter errors say where: the offset into the text, for template rules and ?filter= alike. */
import { describe, expect, it } from 'vitest';
import { checkFilter, FilterError, filterExcerpt, parseFilter } from '../../../../server/src/scim/filter/index.js';
import { USER_RESOURCE_TYPE } from '../../../../server/src/scim/schema/index.js';

function positionOf(filter: string): number | undefined {
  try {
    checkFilter(parseFilter(filter), USER_RESOURCE_TYPE);
  } catch (e) {
    expect(e).toBeInstanceOf(FilterError);
    expect((e as FilterError).scimType).toBe('invalidFilter');
    expect((e as FilterError).status).toBe(400);
    return (e as FilterError).position;
  }
  throw new Error(`no error for ${filter}`);
}

describe('filter error positions', () => {
  it.each([
    ['an unterminated string', 'title eq "Sales', 9],
    ['an unexpected character', 'title eq "a" ; x', 13],
    ['a missing operator', 'title "x"', 6],
    ['a missing value', 'title eq ', 9],
    ['a bad escape', 'title eq "a\\qb"', 11],
    ['trailing garbage', 'title eq "a" title', 13],
    ['an unclosed parenthesis', '(title eq "a"', 13],
    ['not without parenthesis', 'not title eq "a"', 4],
  ])('parser: %s', (_what, filter, position) => {
    expect(positionOf(filter)).toBe(position);
  });

  it.each([
    ['an unknown attribute', 'title eq "a" and dept eq "Sales"', 17],
    ['a wrong value type', 'active eq "yes"', 0],
    ['an unknown sub-attribute in a value filter', 'emails[kind eq "work"]', 7],
    ['an ordering operator on a boolean', 'userName pr or active gt true', 15],
    ['the password', 'password eq "x"', 0],
  ])('schema check: %s points at the attribute', (_what, filter, position) => {
    expect(positionOf(filter)).toBe(position);
  });

  it('every parse error of a broken filter has a position inside the text', () => {
    const broken = ['userName eq "', 'emails[type eq "work"', 'userName eq "a" and', '((userName pr)', 'userName eq 1.2.3', 'emails[type eq "a"].value eq "b"', 'a eq "x" or'];
    for (const f of broken) {
      const p = positionOf(f);
      expect(p, f).toBeGreaterThanOrEqual(0);
      expect(p, f).toBeLessThanOrEqual(f.length);
    }
  });
});

describe('filterExcerpt', () => {
  it('puts a caret under the position', () => {
    expect(filterExcerpt('department eq "Sales', 14)).toBe('department eq "Sales\n              ^');
  });
  it('cuts long filters around the position and keeps the caret aligned', () => {
    const text = `${'a'.repeat(100)}X${'b'.repeat(100)}`;
    const [line, caret] = filterExcerpt(text, 100, 40).split('\n');
    expect(line!.startsWith('…') && line!.endsWith('…')).toBe(true);
    expect(line![caret!.indexOf('^')]).toBe('X');
  });
  it('shows a position at the very end', () => {
    const [line, caret] = filterExcerpt('title eq ', 9).split('\n');
    expect(caret!.indexOf('^')).toBe(line!.length);
  });
});
