import { describe, expect, it } from 'vitest';
import { parseFilter, tokenize, type FilterNode } from '../../../../server/src/scim/filter/index.js';
import { ScimError } from '../../../../server/src/scim/scim-error.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';

function invalid(text: string, options?: Parameters<typeof parseFilter>[1]): ScimError {
  try {
    parseFilter(text, options);
  } catch (e) {
    expect(e).toBeInstanceOf(ScimError);
    const err = e as ScimError;
    expect(err.status).toBe(400);
    expect(err.scimType).toBe('invalidFilter');
    return err;
  }
  throw new Error(`parsed: ${text}`);
}

const lm = { attr: 'meta', sub: 'lastModified' };

/** Every filter example of RFC 7644 §3.4.2.2 (Figure 2 and the text), with its tree. */
const RFC_EXAMPLES: [string, FilterNode][] = [
  ['userName eq "bjensen"', { kind: 'compare', path: { attr: 'userName' }, op: 'eq', value: 'bjensen' }],
  ['name.familyName co "O\'Malley"', { kind: 'compare', path: { attr: 'name', sub: 'familyName' }, op: 'co', value: "O'Malley" }],
  ['userName sw "J"', { kind: 'compare', path: { attr: 'userName' }, op: 'sw', value: 'J' }],
  [`${CORE}:userName sw "J"`, { kind: 'compare', path: { uri: CORE, attr: 'userName' }, op: 'sw', value: 'J' }],
  ['title pr', { kind: 'present', path: { attr: 'title' } }],
  ['meta.lastModified gt "2011-05-13T04:42:34Z"', { kind: 'compare', path: lm, op: 'gt', value: '2011-05-13T04:42:34Z' }],
  ['meta.lastModified ge "2011-05-13T04:42:34Z"', { kind: 'compare', path: lm, op: 'ge', value: '2011-05-13T04:42:34Z' }],
  ['meta.lastModified lt "2011-05-13T04:42:34Z"', { kind: 'compare', path: lm, op: 'lt', value: '2011-05-13T04:42:34Z' }],
  ['meta.lastModified le "2011-05-13T04:42:34Z"', { kind: 'compare', path: lm, op: 'le', value: '2011-05-13T04:42:34Z' }],
  ['title pr and userType eq "Employee"', {
    kind: 'and',
    left: { kind: 'present', path: { attr: 'title' } },
    right: { kind: 'compare', path: { attr: 'userType' }, op: 'eq', value: 'Employee' },
  }],
  ['title pr or userType eq "Intern"', {
    kind: 'or',
    left: { kind: 'present', path: { attr: 'title' } },
    right: { kind: 'compare', path: { attr: 'userType' }, op: 'eq', value: 'Intern' },
  }],
  ['schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"', {
    kind: 'compare', path: { attr: 'schemas' }, op: 'eq', value: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  }],
  ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', {
    kind: 'and',
    left: { kind: 'compare', path: { attr: 'userType' }, op: 'eq', value: 'Employee' },
    right: {
      kind: 'or',
      left: { kind: 'compare', path: { attr: 'emails' }, op: 'co', value: 'example.com' },
      right: { kind: 'compare', path: { attr: 'emails', sub: 'value' }, op: 'co', value: 'example.org' },
    },
  }],
  ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', {
    kind: 'and',
    left: { kind: 'compare', path: { attr: 'userType' }, op: 'ne', value: 'Employee' },
    right: {
      kind: 'not',
      filter: {
        kind: 'or',
        left: { kind: 'compare', path: { attr: 'emails' }, op: 'co', value: 'example.com' },
        right: { kind: 'compare', path: { attr: 'emails', sub: 'value' }, op: 'co', value: 'example.org' },
      },
    },
  }],
  ['userType eq "Employee" and (emails.type eq "work")', {
    kind: 'and',
    left: { kind: 'compare', path: { attr: 'userType' }, op: 'eq', value: 'Employee' },
    right: { kind: 'compare', path: { attr: 'emails', sub: 'type' }, op: 'eq', value: 'work' },
  }],
  ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', {
    kind: 'and',
    left: { kind: 'compare', path: { attr: 'userType' }, op: 'eq', value: 'Employee' },
    right: {
      kind: 'valuePath',
      path: { attr: 'emails' },
      filter: {
        kind: 'and',
        left: { kind: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work' },
        right: { kind: 'compare', path: { attr: 'value' }, op: 'co', value: '@example.com' },
      },
    },
  }],
  ['emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]', {
    kind: 'or',
    left: {
      kind: 'valuePath',
      path: { attr: 'emails' },
      filter: {
        kind: 'and',
        left: { kind: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work' },
        right: { kind: 'compare', path: { attr: 'value' }, op: 'co', value: '@example.com' },
      },
    },
    right: {
      kind: 'valuePath',
      path: { attr: 'ims' },
      filter: {
        kind: 'and',
        left: { kind: 'compare', path: { attr: 'type' }, op: 'eq', value: 'xmpp' },
        right: { kind: 'compare', path: { attr: 'value' }, op: 'co', value: '@foo.com' },
      },
    },
  }],
  // RFC 7644 §3.4.2.2: "the following two expressions will evaluate to the same logical value".
  ['userName Eq "john"', { kind: 'compare', path: { attr: 'userName' }, op: 'eq', value: 'john' }],
  ['Username eq "john"', { kind: 'compare', path: { attr: 'Username' }, op: 'eq', value: 'john' }],
  // RFC 7644 §3.4.3 (POST .search).
  ['displayName sw "smith"', { kind: 'compare', path: { attr: 'displayName' }, op: 'sw', value: 'smith' }],
];

describe('parseFilter: RFC 7644 §3.4.2.2 examples', () => {
  it.each(RFC_EXAMPLES)('%s', (text, tree) => {
    expect(parseFilter(text)).toEqual(tree);
  });
});

describe('parseFilter: grammar', () => {
  it('binds and tighter than or', () => {
    expect(parseFilter('a pr or b pr and c pr')).toEqual({
      kind: 'or',
      left: { kind: 'present', path: { attr: 'a' } },
      right: { kind: 'and', left: { kind: 'present', path: { attr: 'b' } }, right: { kind: 'present', path: { attr: 'c' } } },
    });
    expect(parseFilter('a pr and b pr or c pr')).toEqual({
      kind: 'or',
      left: { kind: 'and', left: { kind: 'present', path: { attr: 'a' } }, right: { kind: 'present', path: { attr: 'b' } } },
      right: { kind: 'present', path: { attr: 'c' } },
    });
  });

  it('is left-associative', () => {
    expect(parseFilter('a pr and b pr and c pr')).toEqual({
      kind: 'and',
      left: { kind: 'and', left: { kind: 'present', path: { attr: 'a' } }, right: { kind: 'present', path: { attr: 'b' } } },
      right: { kind: 'present', path: { attr: 'c' } },
    });
  });

  it('groups with parentheses', () => {
    expect(parseFilter('(a pr or b pr) and c pr')).toMatchObject({ kind: 'and', left: { kind: 'or' } });
    expect(parseFilter('((((a pr))))')).toEqual({ kind: 'present', path: { attr: 'a' } });
  });

  it('accepts operators, keywords and literals in any case', () => {
    expect(parseFilter('a PR AND NOT (b Gt 1) OR c eQ TRUE')).toEqual({
      kind: 'or',
      left: {
        kind: 'and',
        left: { kind: 'present', path: { attr: 'a' } },
        right: { kind: 'not', filter: { kind: 'compare', path: { attr: 'b' }, op: 'gt', value: 1 } },
      },
      right: { kind: 'compare', path: { attr: 'c' }, op: 'eq', value: true },
    });
    expect(parseFilter('x eq False')).toMatchObject({ value: false });
    expect(parseFilter('x eq NULL')).toMatchObject({ value: null });
  });

  it.each([
    ['1', 1], ['-1', -1], ['0', 0], ['3.25', 3.25], ['-0.5', -0.5], ['1e3', 1000], ['2.5E-2', 0.025], ['-1E+2', -100],
  ])('reads the number %s', (text, value) => {
    expect(parseFilter(`quota ge ${text}`)).toMatchObject({ value });
  });

  it.each([
    ['"a\\"b"', 'a"b'],
    ['"a\\\\b"', 'a\\b'],
    ['"caf\\u00e9"', 'café'],
    ['"\\/\\b\\f\\n\\r\\t"', '/\b\f\n\r\t'],
    ['""', ''],
    ['"ünïcödé ✓"', 'ünïcödé ✓'],
  ])('decodes the JSON string %s', (text, value) => {
    expect(parseFilter(`userName eq ${text}`)).toMatchObject({ value });
  });

  it('splits URN-qualified paths at the last colon', () => {
    const urn = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    expect(parseFilter(`${urn}:manager.value eq "x"`)).toMatchObject({ path: { uri: urn, attr: 'manager', sub: 'value' } });
    expect(parseFilter(`${urn}:department pr`)).toEqual({ kind: 'present', path: { uri: urn, attr: 'department' } });
  });

  it('tolerates missing spaces around punctuation and extra whitespace', () => {
    expect(parseFilter('not(a pr)')).toEqual({ kind: 'not', filter: { kind: 'present', path: { attr: 'a' } } });
    expect(parseFilter('  emails[type eq "work"]  ')).toMatchObject({ kind: 'valuePath' });
    expect(parseFilter('a eq\t"x"')).toMatchObject({ kind: 'compare' });
  });

  it('lets attributes be named like keywords', () => {
    expect(parseFilter('not eq "x"')).toEqual({ kind: 'compare', path: { attr: 'not' }, op: 'eq', value: 'x' });
    expect(parseFilter('pr pr')).toEqual({ kind: 'present', path: { attr: 'pr' } });
    expect(parseFilter('and eq 1 and or eq 2')).toMatchObject({ kind: 'and' });
  });

  it('accepts $ref as an attribute name', () => {
    expect(parseFilter('members.$ref pr')).toEqual({ kind: 'present', path: { attr: 'members', sub: '$ref' } });
  });
});

describe('parseFilter: errors (invalidFilter with a position)', () => {
  it('says which operator is missing and where', () => {
    expect(invalid('userName "bjensen"').detail).toMatch(/expected a comparison operator .* after 'userName' at position 9/);
    expect(invalid('userName').detail).toMatch(/after 'userName' at position 8, found the end of the filter/);
    expect(invalid('userName xx "a"').detail).toMatch(/at position 9, found 'xx'/);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['userName eq', /expected a value .* after 'eq' at position 11/],
    ['userName eq bjensen', /expected a value .* found 'bjensen'/],
    ["userName eq 'bjensen'", /unexpected character ''' at position 12/],
    ['userName eq "bjensen', /unterminated string starting at position 12/],
    ['userName eq "a\\x"', /invalid escape '\\x'/],
    ['userName eq "\\u12"', /invalid \\u escape/],
    ['userName eq "a\nb"', /control character/],
    ['quota eq 01', /invalid number '01'/],
    ['quota eq 1.', /invalid number/],
    ['quota eq 1.2.3', /invalid number/],
    ['quota eq -', /invalid number/],
    ['quota eq 5x', /invalid number '5x'/],
    ['a pr b pr', /unexpected 'b' at position 5; expected 'and', 'or'/],
    ['a pr and', /expected an attribute name.* at position 8, found the end/],
    ['a pr or or b pr', /after 'or' at position 11/],
    ['(a pr', /expected '\)' to close the '\(' at position 0/],
    ['a pr)', /unexpected '\)' at position 4/],
    ['not a pr', /expected '\(' after 'not'/],
    ['not (a pr', /close the 'not \('/],
    ['emails[type eq "work"', /expected '\]' to close the '\['/],
    ['emails[type eq "work"].value eq "x"', /is a PATCH path, not a filter/],
    ['emails[type eq "work"].value', /PATCH path/],
    ['emails[type eq "work" and x[y pr]]', /cannot be nested/],
    ['emails.value[type eq "work"]', /not to the sub-attribute/],
    ['a.b.c eq 1', /invalid attribute path 'a.b.c'/],
    ['a..b eq 1', /invalid attribute path/],
    ['urn:x eq 1', /invalid attribute path/],
    ['a eq 1 #', /unexpected character '#'/],
    ['[a pr]', /expected an attribute name/],
    ['a gt [', /expected a value/],
    ['"x" eq a', /expected an attribute name.* found the string "x"/],
    ['_x pr', /invalid attribute path '_x'/],
  ])('%j', (text, detail) => {
    expect(invalid(text).detail).toMatch(detail);
  });

  it('limits length and depth', () => {
    expect(invalid(`userName eq "${'x'.repeat(5000)}"`).detail).toMatch(/at most 4096/);
    expect(invalid('a pr', { maxLength: 3 }).detail).toMatch(/at most 3/);
    const deep = `${'('.repeat(33)}a pr${')'.repeat(33)}`;
    expect(invalid(deep).detail).toMatch(/deeper than 32/);
    expect(parseFilter(`${'('.repeat(32)}a pr${')'.repeat(32)}`)).toEqual({ kind: 'present', path: { attr: 'a' } });
    expect(invalid('not (not (not (a pr)))', { maxDepth: 2 }).detail).toMatch(/deeper than 2/);
  });

  it('rejects non-string input as invalidFilter', () => {
    invalid(42 as unknown as string);
  });
});

describe('parseFilter: option valuePathSubAttribute', () => {
  it('rewrites Entra\'s emails[type eq "work"].value eq "x" when asked to', () => {
    const options = { valuePathSubAttribute: 'rewrite' } as const;
    expect(parseFilter('emails[type eq "work"].value eq "a@x.org"', options)).toEqual({
      kind: 'valuePath',
      path: { attr: 'emails' },
      filter: {
        kind: 'and',
        left: { kind: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work' },
        right: { kind: 'compare', path: { attr: 'value' }, op: 'eq', value: 'a@x.org' },
      },
    });
    expect(parseFilter('emails[type eq "work"].Value PR and active eq true', options)).toMatchObject({
      kind: 'and',
      left: { kind: 'valuePath', filter: { right: { kind: 'present', path: { attr: 'Value' } } } },
    });
    expect(invalid('emails[type eq "work"].value', options).detail).toMatch(/expected a comparison operator .* after 'value'/);
    expect(invalid('emails[type eq "work"]. "x"', options).detail).toMatch(/expected a sub-attribute name after '.'/);
    expect(invalid('emails[type eq "work"].a.b eq "x"', options).detail).toMatch(/expected a sub-attribute name/);
  });
});

describe('tokenize', () => {
  it('keeps URNs with dots in one word and positions 0-based', () => {
    const tokens = tokenize('urn:a:b:2.0:User:name.givenName eq "x"');
    expect(tokens.map((t) => [t.kind, t.pos])).toEqual([['word', 0], ['word', 32], ['string', 35], ['eof', 38]]);
  });

  it('splits a dot after a closing bracket', () => {
    expect(tokenize('a[b pr].c').map((t) => t.kind)).toEqual(['word', 'lbracket', 'word', 'word', 'rbracket', 'dot', 'word', 'eof']);
  });
});
