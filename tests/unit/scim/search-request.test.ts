import { describe, expect, it } from 'vitest';
import { readSearchRequest } from '../../../server/src/scim/search-request.js';
import { ScimError } from '../../../server/src/scim/scim-error.js';

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

function scimTypeOf(body: unknown): string | undefined {
  try {
    readSearchRequest(body);
  } catch (e) {
    if (e instanceof ScimError && e.status === 400) return e.scimType;
    throw e;
  }
  return 'accepted';
}

describe('readSearchRequest (RFC 7644 §3.4.3)', () => {
  it('reads every member as the query parameter it stands for', () => {
    expect(readSearchRequest({ schemas: [SEARCH], filter: 'userName pr', sortBy: 'userName', sortOrder: 'descending', startIndex: 2, count: '10', cursor: '', attributes: ['userName', 'emails'], excludedAttributes: 'groups' })).toEqual({
      filter: 'userName pr', sortBy: 'userName', sortOrder: 'descending', startIndex: '2', count: '10', cursor: '', attributes: 'userName,emails', excludedAttributes: 'groups',
    });
    expect(readSearchRequest({ schemas: [SEARCH], filter: null, count: null })).toMatchObject({ filter: undefined, count: undefined });
  });

  it('refuses members of the wrong type with the matching scimType, never a TypeError', () => {
    const hostile = { toString: 1, valueOf: 'x' };
    expect(scimTypeOf({ schemas: [SEARCH], filter: 5 })).toBe('invalidFilter');
    expect(scimTypeOf({ schemas: [SEARCH], filter: hostile })).toBe('invalidFilter');
    expect(scimTypeOf({ schemas: [SEARCH], startIndex: hostile })).toBe('invalidValue');
    expect(scimTypeOf({ schemas: [SEARCH], count: [1] })).toBe('invalidValue');
    expect(scimTypeOf({ schemas: [SEARCH], sortBy: {} })).toBe('invalidValue');
    expect(scimTypeOf({ schemas: [SEARCH], sortOrder: true })).toBe('invalidValue');
    expect(scimTypeOf({ schemas: [SEARCH], attributes: [hostile] })).toBe('invalidValue');
    expect(scimTypeOf({ schemas: [SEARCH], excludedAttributes: { primary: 1 } })).toBe('invalidValue');
    expect(scimTypeOf({ schemas: [SEARCH], cursor: { a: 1 } })).toBe('invalidCursor');
    expect(scimTypeOf({ schemas: 'x' })).toBe('invalidSyntax');
    expect(scimTypeOf([])).toBe('invalidSyntax');
  });
});
