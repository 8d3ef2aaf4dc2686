import { describe, expect, it } from 'vitest';
import { normalizeResourceInput } from '../../../server/src/scim/resource-input.js';
import { USER_RESOURCE_TYPE } from '../../../server/src/scim/schema/index.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('unassigned values are not stored (RFC 7643 §2.5)', () => {
  it('drops "", empty lists and objects, and members and elements left empty', () => {
    const r = normalizeResourceInput(USER_RESOURCE_TYPE, {
      schemas: [CORE, ENT], userName: 'a', title: '', nickName: ' ', name: { givenName: '', familyName: 'F' },
      emails: [{ value: '', type: '' }, { value: 'a@x', display: '' }], phoneNumbers: [], addresses: [{}],
      [ENT]: { department: '', manager: { value: '' } },
    });
    expect(r).toEqual({ schemas: [CORE], userName: 'a', nickName: ' ', name: { familyName: 'F' }, emails: [{ value: 'a@x' }] });
  });

  it('still requires userName', () => {
    expect(() => normalizeResourceInput(USER_RESOURCE_TYPE, { schemas: [CORE], userName: '' })).toThrow(/userName/);
  });
});
