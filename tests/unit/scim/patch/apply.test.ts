import { describe, expect, it } from 'vitest';
import { applyPatch } from '../../../../server/src/scim/patch/index.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../../../server/src/scim/schema/index.js';
import { bjensen, ENTERPRISE, MAILCOW_GROUP, MAILCOW_USER, tourGuides } from '../fixtures/resources.js';
import { patch, patchError } from './helpers.js';

const G = GROUP_RESOURCE_TYPE;
const BABS_ID = '2819c223-7f76-453a-919d-413861904646';
const MANDY_ID = '902c246b-6245-4190-8e05-00816be7344a';
const JAMES_ID = '08e1d05d-121c-4561-8b96-473d93df9210';
const babsMember = { display: 'Babs Jensen', $ref: `https://example.com/v2/Users/${BABS_ID}`, value: BABS_ID };
const jamesMember = { display: 'James Smith', $ref: `https://example.com/v2/Users/${JAMES_ID}`, value: JAMES_ID };

const mandyOnly = (): Record<string, unknown> => {
  const g = tourGuides();
  g.members = [(g.members as unknown[])[1]];
  return g;
};
const emails = (r: Record<string, unknown>) => r.emails as Record<string, unknown>[];
const members = (r: Record<string, unknown>) => (r.members ?? []) as Record<string, unknown>[];

describe('add (RFC 7644 §3.5.2.1)', () => {
  it('RFC example: adds a member to a group', () => {
    const out = patch(mandyOnly(), [{ op: 'add', path: 'members', value: [babsMember] }], G);
    expect(members(out).map((m) => m.value)).toEqual([MANDY_ID, BABS_ID]);
    expect(members(out)[1]).toEqual(babsMember);
  });

  it('RFC example: adds without a path (emails + "nickname" in lower case)', () => {
    const user = bjensen();
    delete user.nickName;
    user.emails = [{ value: 'bjensen@example.com', type: 'work', primary: true }];
    const out = patch(user, [{ op: 'add', value: { emails: [{ value: 'babs@jensen.org', type: 'home' }], nickname: 'Babs' } }]);
    expect(out.nickName).toBe('Babs');
    expect(out).not.toHaveProperty('nickname');
    expect(emails(out)).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ]);
  });

  it('does not duplicate a value already present, and merges it', () => {
    const out = patch(tourGuides(), [{ op: 'add', path: 'members', value: [{ value: BABS_ID.toUpperCase(), type: 'User' }] }], G);
    expect(members(out)).toHaveLength(2);
    expect(members(out)[0]).toMatchObject({ value: BABS_ID, type: 'User', display: 'Babs Jensen' });
    const same = patch(bjensen(), [{ op: 'add', path: 'emails', value: [{ value: 'BABS@jensen.org', type: 'home' }] }]);
    expect(emails(same)).toEqual(emails(bjensen()));
  });

  it('adds a value with the same address but another type as a new value', () => {
    const out = patch(bjensen(), [{ op: 'add', path: 'emails', value: { value: 'babs@jensen.org', type: 'other' } }]);
    expect(emails(out)).toHaveLength(3);
  });

  it('creates a missing multi-valued attribute', () => {
    const out = patch({ displayName: 'New' }, [{ op: 'add', path: 'members', value: [{ value: 'a' }, { value: 'b' }] }], G);
    expect(out.members).toEqual([{ value: 'a' }, { value: 'b' }]);
  });

  it('sets single-valued attributes and merges complex ones', () => {
    const out = patch(bjensen(), [
      { op: 'add', path: 'title', value: 'Chief' },
      { op: 'add', path: 'name', value: { givenName: 'Babs', middleName: null } },
    ]);
    expect(out.title).toBe('Chief');
    expect(out.name).toMatchObject({ givenName: 'Babs', familyName: 'Jensen', middleName: 'Jane' });
  });

  it('adds sub-attributes of single complex attributes', () => {
    const out = patch({ userName: 'x' }, [{ op: 'add', path: 'name.givenName', value: 'X' }]);
    expect(out.name).toEqual({ givenName: 'X' });
  });

  it('adds extension attributes under their URN and lists the URN in schemas', () => {
    const user = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'x' };
    const out = patch(user, [{ op: 'add', path: `${ENTERPRISE}:department`, value: 'Ops' }]);
    expect(out[ENTERPRISE]).toEqual({ department: 'Ops' });
    expect(out.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE]);
  });

  it('appends simple multi-valued values without duplicates', () => {
    const out = patch(bjensen(), [{ op: 'add', path: `${MAILCOW_USER}:tags`, value: ['TOUR', 'new'] }]);
    expect((out[MAILCOW_USER] as Record<string, unknown>).tags).toEqual(['staff', 'tour', 'new']);
  });

  it('changes nothing when adding null or an empty list', () => {
    expect(patch(bjensen(), [{ op: 'add', path: 'title', value: null }, { op: 'add', path: 'emails', value: [] }])).toEqual(bjensen());
  });

  it('adds to a filtered value, creating it when nothing matches', () => {
    const out = patch(bjensen(), [{ op: 'add', path: 'emails[type eq "other"].value', value: 'o@x.org' }]);
    expect(emails(out)[2]).toEqual({ type: 'other', value: 'o@x.org' });
    const merged = patch(bjensen(), [{ op: 'add', path: 'emails[type eq "home"]', value: { display: 'Home' } }]);
    expect(emails(merged)[1]).toEqual({ value: 'babs@jensen.org', type: 'home', display: 'Home' });
  });
});

describe('remove (RFC 7644 §3.5.2.2)', () => {
  it('RFC example: removes one member by filter', () => {
    const out = patch(tourGuides(), [{ op: 'remove', path: `members[value eq "${BABS_ID}"]` }], G);
    expect(members(out).map((m) => m.value)).toEqual([MANDY_ID]);
  });

  it('RFC example: removes all members', () => {
    const out = patch(tourGuides(), [{ op: 'remove', path: 'members' }], G);
    expect(out).not.toHaveProperty('members');
  });

  it('RFC example: removes with a value filter on two sub-attributes', () => {
    const out = patch(bjensen(), [{ op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' }]);
    expect(emails(out)).toEqual([{ value: 'babs@jensen.org', type: 'home' }]);
  });

  it('RFC example: removes two members, one operation each', () => {
    const out = patch(tourGuides(), [
      { op: 'remove', path: `members[value eq "${BABS_ID}"]` },
      { op: 'remove', path: `members[value eq "${MANDY_ID}"]` },
    ], G);
    expect(out).not.toHaveProperty('members');
  });

  it('RFC example: replaces all members by remove + add', () => {
    const out = patch(tourGuides(), [
      { op: 'remove', path: 'members' },
      { op: 'add', path: 'members', value: [babsMember, jamesMember] },
    ], G);
    expect(out.members).toEqual([babsMember, jamesMember]);
  });

  it('removes only the listed values when a value list is given (Entra, authentik, JumpCloud)', () => {
    const out = patch(tourGuides(), [{ op: 'remove', path: 'members', value: [{ value: MANDY_ID }] }], G);
    expect(members(out).map((m) => m.value)).toEqual([BABS_ID]);
    const none = patch(tourGuides(), [{ op: 'remove', path: 'members', value: [{ value: 'unknown' }] }], G);
    expect(none).toEqual(tourGuides());
  });

  it('changes nothing when the filter matches nothing', () => {
    expect(patch(tourGuides(), [{ op: 'remove', path: 'members[value eq "nobody"]' }], G)).toEqual(tourGuides());
    expect(patch({ displayName: 'x' }, [{ op: 'remove', path: 'members[value eq "nobody"]' }], G)).toEqual({ displayName: 'x' });
  });

  it('removes single-valued attributes and sub-attributes', () => {
    const out = patch(bjensen(), [
      { op: 'remove', path: 'title' },
      { op: 'remove', path: 'name.middleName' },
      { op: 'remove', path: 'timezone' },
    ]);
    expect(out).not.toHaveProperty('title');
    expect(out).not.toHaveProperty('timezone');
    expect(out.name).not.toHaveProperty('middleName');
  });

  it('drops a complex attribute whose last sub-attribute goes', () => {
    const out = patch({ userName: 'x', name: { givenName: 'X' } }, [{ op: 'remove', path: 'name.givenName' }]);
    expect(out).toEqual({ userName: 'x' });
  });

  it('removes a sub-attribute of the matching values (RFC: addresses[type eq "work"].streetAddress)', () => {
    const out = patch(bjensen(), [{ op: 'remove', path: 'emails[type eq "work"].primary' }]);
    expect(emails(out)[0]).toEqual({ value: 'bjensen@example.com', type: 'work' });
  });

  it('removes a sub-attribute from every value without a filter', () => {
    const out = patch(bjensen(), [{ op: 'remove', path: 'emails.type' }]);
    expect(emails(out).map((e) => e.value)).toEqual(['bjensen@example.com', 'babs@jensen.org']);
    expect(emails(out).every((e) => !('type' in e))).toBe(true);
  });

  it('removes the last extension attribute, the extension object and its URN in schemas', () => {
    const user = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE], userName: 'x', [ENTERPRISE]: { department: 'Ops' } };
    const out = patch(user, [{ op: 'remove', path: `${ENTERPRISE}:department` }]);
    expect(out).toEqual({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'x' });
  });

  it('removes a whole extension but keeps its readOnly attributes', () => {
    const out = patch(bjensen(), [{ op: 'remove', path: MAILCOW_USER }, { op: 'remove', path: ENTERPRISE }]);
    expect(out[MAILCOW_USER]).toEqual({ mailboxAddress: 'bjensen@example.com', usedBytes: 1048576, messageCount: 42 });
    expect(out).not.toHaveProperty(ENTERPRISE);
    expect(out.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User', MAILCOW_USER]);
  });

  it('removes simple multi-valued values by filter on value', () => {
    const out = patch(bjensen(), [{ op: 'remove', path: `${MAILCOW_USER}:tags[value eq "STAFF"]` }]);
    expect((out[MAILCOW_USER] as Record<string, unknown>).tags).toEqual(['tour']);
  });

  it('is a no-op for an attribute that is not there', () => {
    expect(patch({ userName: 'x' }, [{ op: 'remove', path: 'title' }])).toEqual({ userName: 'x' });
  });
});

describe('replace (RFC 7644 §3.5.2.3)', () => {
  it('RFC example: replaces all members', () => {
    const out = patch(tourGuides(), [{ op: 'replace', path: 'members', value: [babsMember, jamesMember] }], G);
    expect(out.members).toEqual([babsMember, jamesMember]);
  });

  it('RFC example: replaces the work address as a whole', () => {
    const work = {
      type: 'work', streetAddress: '911 Universal City Plaza', locality: 'Hollywood', region: 'CA',
      postalCode: '91608', country: 'US', formatted: '911 Universal City Plaza\nHollywood, CA 91608 US', primary: true,
    };
    const out = patch(bjensen(), [{ op: 'replace', path: 'addresses[type eq "work"]', value: work }]);
    const addresses = out.addresses as Record<string, unknown>[];
    expect(addresses[0]).toEqual(work);
    expect(addresses[1]).toEqual((bjensen().addresses as unknown[])[1]);
  });

  it('RFC example: replaces one sub-attribute of the matching value', () => {
    const out = patch(bjensen(), [{ op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' }]);
    const addresses = out.addresses as Record<string, unknown>[];
    expect(addresses[0]).toMatchObject({ type: 'work', streetAddress: '1010 Broadway Ave', locality: 'Hollywood' });
    expect(addresses[1]?.streetAddress).toBe('456 Hollywood Blvd');
  });

  it('RFC example: replaces without a path (emails + nickname)', () => {
    const user = bjensen();
    user.emails = [{ value: 'old@example.com', type: 'work' }];
    const out = patch(user, [{
      op: 'replace',
      value: {
        emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }, { value: 'babs@jensen.org', type: 'home' }],
        nickname: 'Babs',
      },
    }]);
    expect(out.emails).toEqual([{ value: 'bjensen@example.com', type: 'work', primary: true }, { value: 'babs@jensen.org', type: 'home' }]);
    expect(out.nickName).toBe('Babs');
  });

  it('merges complex attributes: unspecified sub-attributes stay', () => {
    const out = patch(bjensen(), [{ op: 'replace', path: 'name', value: { familyName: 'Smith' } }]);
    expect(out.name).toMatchObject({ familyName: 'Smith', givenName: 'Barbara' });
  });

  it('treats a path to an absent attribute as add', () => {
    const out = patch({ userName: 'x' }, [{ op: 'replace', path: 'title', value: 'T' }, { op: 'replace', path: 'name.familyName', value: 'F' }]);
    expect(out).toEqual({ userName: 'x', title: 'T', name: { familyName: 'F' } });
  });

  it('unassigns an attribute replaced with null or []', () => {
    const out = patch(bjensen(), [{ op: 'replace', path: 'title', value: null }, { op: 'replace', path: 'ims', value: [] }]);
    expect(out).not.toHaveProperty('title');
    expect(out).not.toHaveProperty('ims');
  });

  it('creates the value a non-matching filter describes (Entra emails[type eq "work"].value)', () => {
    const user = { userName: 'x', emails: [{ value: 'h@x.org', type: 'home' }] };
    const out = patch(user, [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'w@x.org' }]);
    expect(out.emails).toEqual([{ value: 'h@x.org', type: 'home' }, { type: 'work', value: 'w@x.org' }]);
    const whole = patch({ userName: 'x' }, [{ op: 'replace', path: 'emails[type eq "work" and primary eq true]', value: { value: 'w@x.org' } }]);
    expect(whole.emails).toEqual([{ type: 'work', primary: true, value: 'w@x.org' }]);
  });

  it('answers noTarget when a non-matching filter describes no value', () => {
    expect(patchError(bjensen(), [{ op: 'replace', path: 'emails[type co "x"].value', value: 'a@b' }]).scimType).toBe('noTarget');
    expect(patchError(bjensen(), [{ op: 'replace', path: 'emails[type eq "x" or type eq "y"]', value: { value: 'a' } }]).scimType).toBe('noTarget');
  });

  it('replaces a sub-attribute on every matching value', () => {
    const user = { userName: 'x', phoneNumbers: [{ value: '1', type: 'work' }, { value: '2', type: 'work' }, { value: '3', type: 'home' }] };
    const out = patch(user, [{ op: 'replace', path: 'phoneNumbers[type eq "work"].display', value: 'W' }]);
    expect((out.phoneNumbers as Record<string, unknown>[]).map((p) => p.display)).toEqual(['W', 'W', undefined]);
  });

  it('replaces simple multi-valued values selected by filter', () => {
    const out = patch(bjensen(), [{ op: 'replace', path: `${MAILCOW_USER}:tags[value eq "tour"]`, value: 'guide' }]);
    expect((out[MAILCOW_USER] as Record<string, unknown>).tags).toEqual(['staff', 'guide']);
  });

  it('makes one value primary and clears the others (RFC 7644 §3.5.2)', () => {
    const out = patch(bjensen(), [{ op: 'replace', path: 'emails[type eq "home"].primary', value: true }]);
    expect(emails(out).map((e) => e.primary)).toEqual([false, true]);
    const added = patch(bjensen(), [{ op: 'add', path: 'emails', value: [{ value: 'n@x.org', type: 'other', primary: true }] }]);
    expect(emails(added).map((e) => e.primary)).toEqual([false, undefined, true]);
  });

  it('refuses two primary values in one operation', () => {
    const e = patchError(bjensen(), [{ op: 'replace', path: 'emails', value: [{ value: 'a@x', primary: true }, { value: 'b@x', primary: true }] }]);
    expect(e.scimType).toBe('invalidValue');
  });

  it('replaces extension attributes by URN path, by URN key and inside a URN object', () => {
    const out = patch(bjensen(), [
      { op: 'replace', path: `${ENTERPRISE}:department`, value: 'Sales' },
      { op: 'replace', value: { [`${ENTERPRISE}:costCenter`]: '9', [ENTERPRISE]: { division: 'East', manager: { value: 'm2' } } } },
      { op: 'replace', path: ENTERPRISE, value: { organization: 'Org' } },
    ]);
    expect(out[ENTERPRISE]).toMatchObject({
      department: 'Sales', costCenter: '9', division: 'East', organization: 'Org', employeeNumber: '701984',
      manager: { value: 'm2', $ref: '../Users/26118915-6090-4610-87e4-49d8ca9f808d', displayName: 'John Smith' },
    });
  });

  it('replaces mailcow extension settings', () => {
    const out = patch(bjensen(), [
      { op: 'replace', path: `${MAILCOW_USER}:quota`, value: '4096' },
      { op: 'replace', path: `${MAILCOW_USER}:protocolAccess.pop3`, value: 'True' },
    ]);
    expect(out[MAILCOW_USER]).toMatchObject({ quota: 4096, protocolAccess: { pop3: true, imap: true } });
  });
});

describe('mutability (RFC 7643 §2.2, RFC 7644 §3.5.2)', () => {
  it.each([
    [{ op: 'replace', path: 'id', value: 'other' }],
    [{ op: 'remove', path: 'id' }],
    [{ op: 'replace', path: 'meta.lastModified', value: '2020-01-01T00:00:00Z' }],
    [{ op: 'remove', path: 'meta' }],
    [{ op: 'add', path: 'groups', value: [{ value: 'g2' }] }],
    [{ op: 'remove', path: 'groups' }],
    [{ op: 'replace', path: 'groups[value eq "e9e30dba-f08f-4109-8486-d5c6a331660a"].display', value: 'x' }],
    [{ op: 'replace', path: `${MAILCOW_USER}:mailboxAddress`, value: 'other@example.com' }],
    [{ op: 'replace', path: `${MAILCOW_USER}:usedBytes`, value: 0 }],
    [{ op: 'remove', path: `${MAILCOW_USER}:messageCount` }],
    [{ op: 'replace', value: { id: 'other' } }],
    [{ op: 'replace', value: { [MAILCOW_USER]: { usedBytes: 1 } } }],
  ])('refuses %j', (operation) => {
    const e = patchError(bjensen(), [operation]);
    expect(e.status).toBe(400);
    expect(e.scimType).toBe('mutability');
  });

  it.each([
    [{ op: 'replace', path: `members[value eq "${BABS_ID}"].display`, value: 'Someone else' }],
    [{ op: 'remove', path: 'members.display' }],
  ])('refuses %j: a member\'s display is the server\'s (readOnly)', (operation) => {
    const e = patchError(tourGuides(), [operation], G);
    expect(e.status).toBe(400);
    expect(e.scimType).toBe('mutability');
  });

  it("writes the enterprise manager's displayName, which is the client's to set here (readWrite)", () => {
    const out = patch(bjensen(), [{ op: 'replace', path: `${ENTERPRISE}:manager.displayName`, value: 'Someone' }]);
    expect((out[ENTERPRISE] as Record<string, unknown>).manager).toMatchObject({ displayName: 'Someone' });
  });

  it('tolerates readOnly attributes written with their current value (authentik/Okta id)', () => {
    const user = bjensen();
    const out = patch(user, [
      { op: 'replace', value: { id: user.id, displayName: 'B' } },
      { op: 'replace', path: 'id', value: user.id },
      { op: 'add', path: 'groups', value: user.groups },
      { op: 'replace', value: { meta: user.meta } },
    ]);
    expect(out.displayName).toBe('B');
    expect(out.id).toBe(user.id);
  });

  it('refuses to change an immutable member value, but allows adding and removing members', () => {
    const e = patchError(tourGuides(), [{ op: 'replace', path: `members[value eq "${BABS_ID}"].value`, value: 'x' }], G);
    expect(e.scimType).toBe('mutability');
    const out = patch(tourGuides(), [{ op: 'add', path: 'members[value eq "new"].display', value: 'New' }], G);
    expect(members(out)[2]).toEqual({ value: 'new', display: 'New' });
  });

  it('refuses removing a required attribute, but allows remove then add', () => {
    expect(patchError(bjensen(), [{ op: 'remove', path: 'userName' }]).scimType).toBe('invalidValue');
    expect(patchError(tourGuides(), [{ op: 'replace', path: 'displayName', value: '' }], G).scimType).toBe('invalidValue');
    const out = patch(bjensen(), [{ op: 'remove', path: 'userName' }, { op: 'add', path: 'userName', value: 'new' }]);
    expect(out.userName).toBe('new');
  });

  it('lets the write-only password be set', () => {
    expect(patch(bjensen(), [{ op: 'replace', path: 'password', value: 'new' }]).password).toBe('new');
  });
});

describe('errors and guarantees', () => {
  it('answers invalidPath for unknown attributes in a path', () => {
    for (const path of ['foo', 'name.foo', 'emails[type eq "work"].foo', `${ENTERPRISE}:foo`]) {
      expect(patchError(bjensen(), [{ op: 'replace', path, value: 'x' }]).scimType).toBe('invalidPath');
    }
  });

  it('answers invalidFilter for a bad filter in a path', () => {
    expect(patchError(bjensen(), [{ op: 'remove', path: 'emails[type eq work]' }]).scimType).toBe('invalidFilter');
    expect(patchError(bjensen(), [{ op: 'remove', path: 'emails[foo eq "work"]' }]).scimType).toBe('invalidFilter');
  });

  it('answers invalidValue for values of the wrong type', () => {
    for (const [path, value] of [
      ['active', 'nope'], ['userName', 42], ['name', 'x'], ['emails', [[]]], [`${MAILCOW_USER}:quota`, 1.5],
      ['emails[type eq "work"].primary', 'maybe'], ['title', ['a', 'b']],
    ] as const) {
      expect(patchError(bjensen(), [{ op: 'replace', path, value }]).scimType).toBe('invalidValue');
    }
    expect(patchError(bjensen(), [{ op: 'add', value: 'x' }]).scimType).toBe('invalidValue');
  });

  it('names the failing operation in the detail', () => {
    const e = patchError(bjensen(), [{ op: 'replace', path: 'title', value: 'ok' }, { op: 'Replace', path: 'active', value: 'nope' }]);
    expect(e.detail).toMatch(/^Operations\[1\] \(replace 'active'\): 'active' expects a boolean/);
  });

  it('is atomic and never mutates its input', () => {
    const user = bjensen();
    const frozen = structuredClone(user);
    patchError(user, [{ op: 'replace', path: 'title', value: 'changed' }, { op: 'remove', path: 'id' }]);
    expect(user).toEqual(frozen);
    const out = patch(user, [{ op: 'replace', path: 'title', value: 'changed' }, { op: 'add', path: 'emails', value: [{ value: 'z@z' }] }]);
    expect(user).toEqual(frozen);
    expect(out).not.toBe(user);
    expect(out.emails).not.toBe(user.emails);
  });

  it('ignores unknown attributes in a path-less value, or rejects them on request', () => {
    const op = { op: 'replace', value: { displayName: 'B', favouriteColour: 'blue', 'name.nope': 'x', 'urn:example:ext:1.0:User:x': 1 } };
    const out = patch(bjensen(), [op]);
    expect(out.displayName).toBe('B');
    expect(out).not.toHaveProperty('favouriteColour');
    expect(patchError(bjensen(), [op], USER_RESOURCE_TYPE, { unknownAttributes: 'reject' }).scimType).toBe('invalidPath');
  });

  it('ignores schemas in a path-less value and keeps schemas in step', () => {
    const out = patch(bjensen(), [{ op: 'replace', value: { schemas: ['urn:bogus'], title: 'T' } }]);
    expect(out.schemas).toEqual(bjensen().schemas);
  });

  it('writes canonical names over whatever case the resource had', () => {
    const stored = { UserName: 'x', EMAILS: [{ Value: 'a@x', Type: 'work', Primary: true }], [ENTERPRISE.toUpperCase()]: { Department: 'Ops' } };
    const out = applyPatch(stored, [
      { op: 'replace', path: 'username', value: 'y' },
      { op: 'add', path: 'emails', value: [{ value: 'b@x', type: 'home', primary: true }] },
      { op: 'replace', path: `${ENTERPRISE}:department`, value: 'Sales' },
    ], USER_RESOURCE_TYPE);
    expect(out).toEqual({
      userName: 'y',
      emails: [{ value: 'a@x', type: 'work', primary: false }, { value: 'b@x', type: 'home', primary: true }],
      [ENTERPRISE]: { department: 'Sales' },
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    });
  });

  it('patches the mailcow Group extension', () => {
    const out = patch(tourGuides(), [{ op: 'replace', path: 'address', value: 'guides@example.com' }], G);
    expect(out[MAILCOW_GROUP]).toEqual({ address: 'guides@example.com', aliasActive: true });
    expect(patchError(tourGuides(), [{ op: 'replace', path: `${MAILCOW_GROUP}:aliasActive`, value: false }], G).scimType).toBe('mutability');
  });
});
