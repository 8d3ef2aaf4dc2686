import { describe, expect, it } from 'vitest';
import { GROUP_RESOURCE_TYPE } from '../../../../server/src/scim/schema/index.js';
import { bjensen, ENTERPRISE, tourGuides } from '../fixtures/resources.js';
import { patch } from './helpers.js';

/**
 * PATCH requests exactly as real clients send them (docs/idp/clients.md), applied to the
 * RFC 7643 sample resources.
 */

const G = GROUP_RESOURCE_TYPE;
const BABS_ID = '2819c223-7f76-453a-919d-413861904646';
const MANDY_ID = '902c246b-6245-4190-8e05-00816be7344a';
const memberIds = (r: Record<string, unknown>) => ((r.members ?? []) as Record<string, unknown>[]).map((m) => m.value);

describe('Microsoft Entra ID (docs/idp/clients.md §2; E2 sample requests)', () => {
  it('disables with a capitalised op and a string boolean', () => {
    const out = patch(bjensen(), [{ op: 'Replace', path: 'active', value: 'False' }]);
    expect(out.active).toBe(false);
    expect(patch(out, [{ op: 'Replace', path: 'active', value: 'True' }]).active).toBe(true);
  });

  it('disables with the aadOptscim062020 flag (boolean)', () => {
    expect(patch(bjensen(), [{ op: 'replace', path: 'active', value: false }]).active).toBe(false);
  });

  it('adds a single-value string attribute', () => {
    const user = bjensen();
    delete user.nickName;
    expect(patch(user, [{ op: 'Add', path: 'nickName', value: 'Babs' }]).nickName).toBe('Babs');
  });

  it('replaces several attributes, one operation each (default job)', () => {
    const out = patch(bjensen(), [
      { op: 'Replace', path: 'displayName', value: 'Pvlo' },
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'TestBcwqnm@test.microsoft.com' },
      { op: 'Replace', path: 'name.givenName', value: 'Gtfd' },
      { op: 'Replace', path: 'name.familyName', value: 'Pkqf' },
      { op: 'Replace', path: 'externalId', value: 'Eqpj' },
      { op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: 'Eqpj' },
    ]);
    expect(out).toMatchObject({
      displayName: 'Pvlo',
      externalId: 'Eqpj',
      name: { givenName: 'Gtfd', familyName: 'Pkqf', formatted: 'Ms. Barbara J Jensen, III' },
      [ENTERPRISE]: { employeeNumber: 'Eqpj', department: 'Tour Operations' },
    });
    expect(out.emails).toEqual([
      { value: 'TestBcwqnm@test.microsoft.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ]);
  });

  it('replaces several attributes with one path-less operation and dotted keys (flag)', () => {
    const out = patch(bjensen(), [
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'TestMhvaes@test.microsoft.com' },
      {
        op: 'replace',
        value: {
          displayName: 'Bjfe',
          'name.givenName': 'Kkom',
          'name.familyName': 'Unua',
          [`${ENTERPRISE}:employeeNumber`]: 'Aklq',
        },
      },
    ]);
    expect(out).toMatchObject({
      displayName: 'Bjfe',
      name: { givenName: 'Kkom', familyName: 'Unua', middleName: 'Jane' },
      [ENTERPRISE]: { employeeNumber: 'Aklq' },
    });
    expect((out.emails as Record<string, unknown>[])[0]?.value).toBe('TestMhvaes@test.microsoft.com');
  });

  it('creates the work e-mail when the user has none', () => {
    const user = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'u@contoso.com' };
    const out = patch(user, [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'u@contoso.com' }]);
    expect(out.emails).toEqual([{ type: 'work', value: 'u@contoso.com' }]);
  });

  it('maps proxyAddresses with a capitalised sub-attribute (emails[type eq "other"].Value)', () => {
    const out = patch(bjensen(), [{ op: 'Add', path: 'emails[type eq "other"].Value', value: 'smtp-alias@example.com' }]);
    expect((out.emails as unknown[])[2]).toEqual({ type: 'other', value: 'smtp-alias@example.com' });
  });

  it('removes a group member with a value list (default job)', () => {
    const out = patch(tourGuides(), [{ op: 'Remove', path: 'members', value: [{ value: MANDY_ID }] }], G);
    expect(memberIds(out)).toEqual([BABS_ID]);
  });

  it('removes a group member by filter (flag)', () => {
    const out = patch(tourGuides(), [{ op: 'remove', path: `members[value eq "${MANDY_ID}"]` }], G);
    expect(memberIds(out)).toEqual([BABS_ID]);
  });

  it('adds members with "$ref": null, several per request', () => {
    const out = patch({ displayName: 'G' }, [{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'a' }, { $ref: null, value: 'b' }] }], G);
    expect(out.members).toEqual([{ value: 'a' }, { value: 'b' }]);
  });

  it('renames a group', () => {
    expect(patch(tourGuides(), [{ op: 'Replace', path: 'displayName', value: 'Guides' }], G).displayName).toBe('Guides');
  });

  it('sets the manager as a bare id and removes it', () => {
    const user = { userName: 'x' };
    const set = patch(user, [{ op: 'Add', path: `${ENTERPRISE}:manager`, value: 'boss-id' }]);
    expect(set[ENTERPRISE]).toEqual({ manager: { value: 'boss-id' } });
    const removed = patch(set, [{ op: 'Remove', path: `${ENTERPRISE}:manager` }]);
    expect(removed).not.toHaveProperty(ENTERPRISE);
  });

  it('accepts PascalCase attribute names (Entra test collection)', () => {
    const out = patch(bjensen(), [
      { op: 'Replace', path: 'UserName', value: 'ryan3' },
      { op: 'Replace', path: 'emails[Type eq "work"].Primary', value: 'True' },
      { op: 'Replace', path: `${ENTERPRISE}:Department`, value: 'Sales' },
      { op: 'Replace', path: `${ENTERPRISE}:Manager.Value`, value: 'm9' },
    ]);
    expect(out.userName).toBe('ryan3');
    expect(out).not.toHaveProperty('UserName');
    expect(out[ENTERPRISE]).toMatchObject({ department: 'Sales', manager: { value: 'm9' } });
  });
});

describe('Okta (docs/idp/clients.md §3)', () => {
  it('deactivates and reactivates with a path-less replace', () => {
    const off = patch(bjensen(), [{ op: 'replace', value: { active: false } }]);
    expect(off.active).toBe(false);
    expect(patch(off, [{ op: 'replace', value: { active: true } }]).active).toBe(true);
  });

  it('renames a pushed group with its own id in the value', () => {
    const group = tourGuides();
    const out = patch(group, [{ op: 'replace', value: { id: group.id, displayName: 'Tour Guides 2' } }], G);
    expect(out.displayName).toBe('Tour Guides 2');
  });

  it('adds members with display, removes one by filter, replaces all', () => {
    const added = patch(tourGuides(), [{ op: 'add', path: 'members', value: [{ value: 'c', display: 'Carol' }] }], G);
    expect(memberIds(added)).toEqual([BABS_ID, MANDY_ID, 'c']);
    const removed = patch(added, [{ op: 'remove', path: `members[value eq "${BABS_ID}"]` }], G);
    expect(memberIds(removed)).toEqual([MANDY_ID, 'c']);
    const replaced = patch(removed, [{ op: 'replace', path: 'members', value: [{ value: 'd', display: 'Dan' }] }], G);
    expect(replaced.members).toEqual([{ value: 'd', display: 'Dan' }]);
  });

  it('patches phone numbers selected by primary', () => {
    const user = { userName: 'x', phoneNumbers: [{ value: '1', type: 'work', primary: true }, { value: '2', type: 'mobile' }] };
    const out = patch(user, [{ op: 'replace', path: 'phoneNumbers[primary eq true].value', value: '9' }]);
    expect(out.phoneNumbers).toEqual([{ value: '9', type: 'work', primary: true }, { value: '2', type: 'mobile' }]);
  });
});

describe('authentik (docs/idp/clients.md §4)', () => {
  it('adds and removes one member per operation with a value list', () => {
    const added = patch(tourGuides(), [{ op: 'add', path: 'members', value: [{ value: 'e' }] }], G);
    expect(memberIds(added)).toEqual([BABS_ID, MANDY_ID, 'e']);
    const removed = patch(added, [{ op: 'remove', path: 'members', value: [{ value: BABS_ID }] }], G);
    expect(memberIds(removed)).toEqual([MANDY_ID, 'e']);
  });

  it('updates a group with a path-less replace of the group object (older versions include id)', () => {
    const group = tourGuides();
    const out = patch(group, [{
      op: 'replace',
      value: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        id: group.id,
        displayName: 'Renamed',
        externalId: 'ak-group-uuid',
      },
    }], G);
    expect(out).toMatchObject({ id: group.id, displayName: 'Renamed', externalId: 'ak-group-uuid' });
    expect(out.schemas).toEqual(group.schemas);
    expect(memberIds(out)).toEqual([BABS_ID, MANDY_ID]);
  });
});

describe('Keycloak SCIM plugins (docs/idp/clients.md §5)', () => {
  it('sends user changes as replace with a string boolean', () => {
    const out = patch(bjensen(), [
      { op: 'replace', path: 'active', value: 'false' },
      { op: 'replace', path: 'userName', value: 'babs' },
      { op: 'replace', path: 'displayName', value: 'Babs J' },
    ]);
    expect(out).toMatchObject({ active: false, userName: 'babs', displayName: 'Babs J' });
  });

  it('replaces group members with relative $ref, and removes all members when empty', () => {
    const replaced = patch(tourGuides(), [
      { op: 'replace', path: 'members', value: [{ value: 'k1', $ref: 'Users/k1' }] },
      { op: 'replace', path: 'displayName', value: 'KC Group' },
      { op: 'replace', path: 'externalId', value: 'kc-1' },
    ], G);
    expect(replaced).toMatchObject({ members: [{ value: 'k1', $ref: 'Users/k1' }], displayName: 'KC Group', externalId: 'kc-1' });
    const emptied = patch(replaced, [{ op: 'remove', path: 'members' }], G);
    expect(emptied).not.toHaveProperty('members');
  });
});
