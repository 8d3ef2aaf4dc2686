import { describe, expect, it } from 'vitest';
import { normalizePatchRequest } from '../../../../server/src/scim/patch/index.js';
import { ScimError } from '../../../../server/src/scim/scim-error.js';
import { PATCH_OP } from '../fixtures/resources.js';

function failure(body: unknown, options?: Parameters<typeof normalizePatchRequest>[1]): ScimError {
  try {
    normalizePatchRequest(body, options);
  } catch (e) {
    expect(e).toBeInstanceOf(ScimError);
    return e as ScimError;
  }
  throw new Error('accepted');
}

describe('normalizePatchRequest (RFC 7644 §3.5.2)', () => {
  it('returns the operations in one shape', () => {
    expect(normalizePatchRequest({
      schemas: [PATCH_OP],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: 'x' }] },
        { op: 'replace', value: { active: false } },
        { op: 'remove', path: 'members[value eq "x"]' },
      ],
    })).toEqual([
      { op: 'add', path: 'members', value: [{ value: 'x' }] },
      { op: 'replace', value: { active: false } },
      { op: 'remove', path: 'members[value eq "x"]' },
    ]);
  });

  it('accepts Entra capitalised ops and any member-name case', () => {
    expect(normalizePatchRequest({
      Schemas: [PATCH_OP.toUpperCase()],
      operations: [
        { op: 'Replace', path: 'active', value: 'False' },
        { Op: 'ADD', Path: 'nickName', Value: 'Babs' },
        { op: ' Remove ', path: ' members ' },
      ],
    })).toEqual([
      { op: 'replace', path: 'active', value: 'False' },
      { op: 'add', path: 'nickName', value: 'Babs' },
      { op: 'remove', path: 'members' },
    ]);
  });

  it('treats an empty or null path as none, and keeps an explicit null value', () => {
    expect(normalizePatchRequest({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: '', value: { a: 1 } }] }))
      .toEqual([{ op: 'replace', value: { a: 1 } }]);
    expect(normalizePatchRequest({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: null, value: null }] }))
      .toEqual([{ op: 'replace', value: null }]);
  });

  it.each([
    ['a non-object body', [], 'invalidSyntax'],
    ['a missing schemas', { Operations: [{ op: 'add', value: {} }] }, 'invalidSyntax'],
    ['a wrong schema', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], Operations: [] }, 'invalidSyntax'],
    ['no Operations', { schemas: [PATCH_OP] }, 'invalidSyntax'],
    ['Operations not an array', { schemas: [PATCH_OP], Operations: { op: 'add' } }, 'invalidSyntax'],
    ['empty Operations', { schemas: [PATCH_OP], Operations: [] }, 'invalidSyntax'],
    ['a non-object operation', { schemas: [PATCH_OP], Operations: ['add'] }, 'invalidSyntax'],
    ['an unknown op', { schemas: [PATCH_OP], Operations: [{ op: 'move', path: 'a', value: 1 }] }, 'invalidSyntax'],
    ['a missing op', { schemas: [PATCH_OP], Operations: [{ path: 'a', value: 1 }] }, 'invalidSyntax'],
    ['remove without path', { schemas: [PATCH_OP], Operations: [{ op: 'remove' }] }, 'noTarget'],
    ['add without value', { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'title' }] }, 'invalidValue'],
    ['replace without value', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title' }] }, 'invalidValue'],
    ['a numeric path', { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 5, value: 1 }] }, 'invalidPath'],
  ])('rejects %s', (_, body, scimType) => {
    const e = failure(body);
    expect(e.status).toBe(400);
    expect(e.scimType).toBe(scimType);
  });

  it('limits the number of operations', () => {
    const op = { op: 'add', path: 'title', value: 'x' };
    expect(normalizePatchRequest({ schemas: [PATCH_OP], Operations: Array(1000).fill(op) })).toHaveLength(1000);
    const e = failure({ schemas: [PATCH_OP], Operations: Array(1001).fill(op) });
    expect(e.status).toBe(413);
    expect(failure({ schemas: [PATCH_OP], Operations: [op, op] }, { maxOperations: 1 }).detail).toMatch(/at most 1 /);
  });
});
