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

describe('hostile bodies (issue 15)', () => {
  const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

  it('reads member names that Object.prototype has (constructor, toString, __proto__) as unknown attributes', async () => {
    const { GROUP_RESOURCE_TYPE } = await import('../../../server/src/scim/schema/index.js');
    for (const key of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) {
      // JSON.parse makes each an own member, as a request body decoder would.
      const body = JSON.parse(`{"schemas":["${CORE}"],"userName":"a",${JSON.stringify(key)}:{"prototype":{"x":1}}}`);
      expect(normalizeResourceInput(USER_RESOURCE_TYPE, body), key).toEqual({ schemas: [CORE], userName: 'a' });
      const group = JSON.parse(`{"schemas":["${GROUP}"],"displayName":"g",${JSON.stringify(key)}:"x"}`);
      expect(normalizeResourceInput(GROUP_RESOURCE_TYPE, group), key).toEqual({ schemas: [GROUP], displayName: 'g' });
    }
  });

  it('refuses unpaired surrogates in any string value with invalidValue naming the attribute; pairs are text', () => {
    const refused = (body: Record<string, unknown>) => {
      try {
        normalizeResourceInput(USER_RESOURCE_TYPE, { schemas: [CORE], userName: 'a', ...body });
      } catch (e) {
        return e as { scimType?: string; detail: string };
      }
      throw new Error('accepted');
    };
    expect(refused({ phoneNumbers: [{ value: '+49 1\ud800' }] })).toMatchObject({ scimType: 'invalidValue', detail: expect.stringMatching(/^'phoneNumbers.value' contains an unpaired UTF-16 surrogate/) });
    expect(refused({ userName: '\udfffa' })).toMatchObject({ scimType: 'invalidValue', detail: expect.stringMatching(/'userName'/) });
    expect(refused({ name: { givenName: 'x\udbff' } })).toMatchObject({ detail: expect.stringMatching(/'name.givenName'/) });
    expect(refused({ [ENT]: { manager: '\ud83d' } })).toMatchObject({ detail: expect.stringMatching(/manager.value/) });
    expect(refused({ 'urn:ietf:params:scim:schemas:extension:mailcow:2.0:User': { tags: ['ok', '\ude00'] } })).toMatchObject({ scimType: 'invalidValue' });
    expect(normalizeResourceInput(USER_RESOURCE_TYPE, { schemas: [CORE], userName: 'a', displayName: 'Smile \ud83d\ude00' }).displayName).toBe('Smile \ud83d\ude00');
  });
});
