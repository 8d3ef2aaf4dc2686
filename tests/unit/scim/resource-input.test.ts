/**
 * normalizeResourceInput's tolerance for OneLogin's SCIM 1.x-style URNs (idp-clients.md §7;
 * fixtures tests/idp/fixtures/onelogin/*): a legacy core URN stands for the core schema, a
 * legacy enterprise key holds enterprise attributes; anything else still needs the real URN.
 */
import { describe, expect, it } from 'vitest';
import { normalizeResourceInput } from '../../../server/src/scim/resource-input.js';
import { ScimError } from '../../../server/src/scim/scim-error.js';
import { ENTERPRISE_USER_SCHEMA, GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../../server/src/scim/schema/index.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';

describe('legacy schema URNs (OneLogin)', () => {
  it('accepts urn:scim:schemas:core:2.0 and :1.0 in place of the core URN and answers with the real one', () => {
    for (const legacy of ['urn:scim:schemas:core:2.0', 'urn:scim:schemas:core:1.0', 'URN:SCIM:SCHEMAS:CORE:1.0']) {
      const out = normalizeResourceInput(USER_RESOURCE_TYPE, { schemas: [legacy, 'urn:scim:schemas:extension:enterprise:2.0'], userName: 'ol' });
      expect(out.schemas).toEqual([CORE]);
      expect(out.userName).toBe('ol');
    }
    expect(normalizeResourceInput(GROUP_RESOURCE_TYPE, { schemas: ['urn:scim:schemas:core:1.0'], displayName: 'G' }).displayName).toBe('G');
  });

  it('reads enterprise attributes under the legacy enterprise keys', () => {
    for (const key of ['urn:scim:schemas:extension:enterprise:1.0', 'urn:scim:schemas:extension:enterprise:2.0']) {
      const out = normalizeResourceInput(USER_RESOURCE_TYPE, { schemas: ['urn:scim:schemas:core:1.0', key], userName: 'ol', [key]: { department: 'Finance', manager: { managerId: '' } } });
      expect(out[ENTERPRISE_USER_SCHEMA]).toMatchObject({ department: 'Finance' });
      expect(out.schemas).toEqual([CORE, ENTERPRISE_USER_SCHEMA]);
      expect(out[key]).toBeUndefined();
    }
  });

  it('still refuses a schemas list without any core URN', () => {
    expect(() => normalizeResourceInput(USER_RESOURCE_TYPE, { schemas: ['urn:scim:schemas:extension:enterprise:2.0'], userName: 'x' })).toThrow(ScimError);
    expect(() => normalizeResourceInput(USER_RESOURCE_TYPE, { schemas: ['urn:example:other'], userName: 'x' })).toThrow(/must include/);
  });
});
