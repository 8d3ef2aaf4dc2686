import { describe, expect, it } from 'vitest';
import { checkWritePreconditions, isNotModified, preconditionsOf, toETag } from '../../../server/src/scim/etag.js';

const status = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return (e as { status: number }).status;
  }
};

describe('ETags (RFC 7644 §3.14, RFC 9110 §13.1)', () => {
  it('are weak and built from the version', () => {
    expect(toETag(7)).toBe('W/"7"');
  });

  it('GET: If-None-Match matching (weakly, in a list, or *) means 304; If-Match failing is 412', () => {
    expect(isNotModified({}, 3)).toBe(false);
    expect(isNotModified({ ifNoneMatch: 'W/"3"' }, 3)).toBe(true);
    expect(isNotModified({ ifNoneMatch: '"3"' }, 3)).toBe(true);
    expect(isNotModified({ ifNoneMatch: 'W/"1", W/"3"' }, 3)).toBe(true);
    expect(isNotModified({ ifNoneMatch: '*' }, 3)).toBe(true);
    expect(isNotModified({ ifNoneMatch: 'W/"2"' }, 3)).toBe(false);
    expect(status(() => isNotModified({ ifMatch: 'W/"2"' }, 3))).toBe(412);
    expect(isNotModified({ ifMatch: 'W/"3"', ifNoneMatch: 'W/"2"' }, 3)).toBe(false);
  });

  it('PUT, PATCH, DELETE: 412 unless If-Match matches and If-None-Match does not', () => {
    expect(status(() => checkWritePreconditions({}, 3))).toBe('ok');
    expect(status(() => checkWritePreconditions({ ifMatch: 'W/"3"' }, 3))).toBe('ok');
    expect(status(() => checkWritePreconditions({ ifMatch: '*' }, 3))).toBe('ok');
    expect(status(() => checkWritePreconditions({ ifMatch: 'W/"2"' }, 3))).toBe(412);
    expect(status(() => checkWritePreconditions({ ifNoneMatch: '*' }, 3))).toBe(412);
    expect(status(() => checkWritePreconditions({ ifNoneMatch: 'W/"3"' }, 3))).toBe(412);
    expect(status(() => checkWritePreconditions({ ifNoneMatch: 'W/"2"' }, 3))).toBe('ok');
  });

  it('reads the headers, joining repeated ones', () => {
    expect(preconditionsOf({ 'if-match': ['W/"1"', 'W/"2"'], 'if-none-match': '*' })).toEqual({ ifMatch: 'W/"1", W/"2"', ifNoneMatch: '*' });
    expect(preconditionsOf({})).toEqual({ ifMatch: undefined, ifNoneMatch: undefined });
  });
});
