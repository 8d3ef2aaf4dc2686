/**
 * The opt-in tolerance for unquoted compValues (`unquotedValues: 'string'`): authentik releases
 * that sent `userName eq x` without quotes (docs/idp/clients.md §4) and Microsoft's SCIM test
 * collection (`name.FamilyName eq Employee`, `userName sw O`, `meta.Created gt 2015-…`).
 */
import { describe, expect, it } from 'vitest';
import { parseFilter, type FilterNode } from '../../../../server/src/scim/filter/index.js';
import { ScimError } from '../../../../server/src/scim/scim-error.js';

const lenient = (text: string) => parseFilter(text, { unquotedValues: 'string' });

describe('unquotedValues: string', () => {
  it.each<[string, FilterNode]>([
    ['userName eq jdoe', { kind: 'compare', path: { attr: 'userName' }, op: 'eq', value: 'jdoe' }],
    ['userName eq jdoe@example.org', { kind: 'compare', path: { attr: 'userName' }, op: 'eq', value: 'jdoe@example.org' }],
    ['userName sw O', { kind: 'compare', path: { attr: 'userName' }, op: 'sw', value: 'O' }],
    ['meta.Created gt 2015-10-10T14:38:21.8617979-07:00', { kind: 'compare', path: { attr: 'meta', sub: 'Created' }, op: 'gt', value: '2015-10-10T14:38:21.8617979-07:00' }],
    ['emails[value co example.com]', { kind: 'valuePath', path: { attr: 'emails' }, filter: { kind: 'compare', path: { attr: 'value' }, op: 'co', value: 'example.com' } }],
  ])('%s', (text, tree) => {
    expect(lenient(text)).toEqual(tree);
  });

  it('reads the collection filter with parentheses and keeps and/or as keywords', () => {
    expect(lenient('name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)')).toEqual({
      kind: 'and',
      left: { kind: 'compare', path: { attr: 'name', sub: 'FamilyName' }, op: 'eq', value: 'Employee' },
      right: {
        kind: 'or',
        left: { kind: 'compare', path: { attr: 'emails', sub: 'Value' }, op: 'co', value: 'example.com' },
        right: { kind: 'compare', path: { attr: 'emails', sub: 'Value' }, op: 'co', value: 'example.org' },
      },
    });
  });

  it('keeps true, false, null, numbers and quoted strings as they are', () => {
    expect(lenient('active eq true')).toMatchObject({ value: true });
    expect(lenient('active eq False')).toMatchObject({ value: false });
    expect(lenient('nickName eq null')).toMatchObject({ value: null });
    expect(lenient('x eq 42')).toMatchObject({ value: 42 });
    expect(lenient('x eq -1.5e3')).toMatchObject({ value: -1500 });
    expect(lenient('displayName eq "a eq b"')).toMatchObject({ value: 'a eq b' });
    // An attribute called like an operator is still an attribute.
    expect(lenient('eq eq x')).toEqual({ kind: 'compare', path: { attr: 'eq' }, op: 'eq', value: 'x' });
  });

  it('is off by default: the RFC grammar wants quotes', () => {
    expect(() => parseFilter('userName eq jdoe')).toThrow(ScimError);
    expect(() => parseFilter('meta.created gt 2015-10-10T14:38:21Z')).toThrow(/invalid number/);
  });
});
