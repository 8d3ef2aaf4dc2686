import { describe, expect, it } from 'vitest';
import { parseAttributeList, projectResource } from '../../../../server/src/scim/projection/index.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../../../server/src/scim/schema/index.js';
import { bjensen, CORE_USER, ENTERPRISE, MAILCOW_USER, tourGuides } from '../fixtures/resources.js';

const project = (options: Parameters<typeof projectResource>[2], resource = bjensen()) =>
  projectResource(resource, USER_RESOURCE_TYPE, options);

describe('parseAttributeList', () => {
  it.each([
    ['userName', ['userName']],
    [' userName , name.givenName ,,', ['userName', 'name.givenName']],
    ['emails[type eq "work"].value,displayName', ['emails[type eq "work"].value', 'displayName']],
    ['emails[value co "a,b" and type eq "x"],id', ['emails[value co "a,b" and type eq "x"]', 'id']],
    ['emails[value eq "a\\",b"],id', ['emails[value eq "a\\",b"]', 'id']],
    ['', []],
  ])('%j', (param, list) => {
    expect(parseAttributeList(param)).toEqual(list);
  });

  it('reads repeated parameters and nothing', () => {
    expect(parseAttributeList(['a,b', 'c'])).toEqual(['a', 'b', 'c']);
    expect(parseAttributeList(undefined)).toEqual([]);
    expect(parseAttributeList(null)).toEqual([]);
  });
});

describe('projectResource: default set (RFC 7643 §7 returned)', () => {
  it('returns everything but never-returned attributes', () => {
    const out = project({});
    const expected = bjensen();
    delete expected.password;
    expect(out).toEqual(expected);
  });

  it('never returns the password, even when asked', () => {
    expect(project({ attributes: ['password'] })).not.toHaveProperty('password');
  });

  it('leaves out unassigned values and keeps attributes the schema does not define', () => {
    const out = projectResource({ id: 'x', userName: 'u', title: null, nickName: '', ims: [], custom: { a: 1 } }, USER_RESOURCE_TYPE);
    expect(out).toEqual({ id: 'x', userName: 'u', custom: { a: 1 } });
  });

  it('writes canonical names', () => {
    const out = projectResource(
      { ID: 'x', USERNAME: 'u', Emails: [{ Value: 'a@x', Primary: true }], [ENTERPRISE.toLowerCase()]: { Department: 'Ops' } },
      USER_RESOURCE_TYPE,
    );
    expect(out).toEqual({ id: 'x', userName: 'u', emails: [{ value: 'a@x', primary: true }], [ENTERPRISE]: { department: 'Ops' } });
  });
});

describe('projectResource: attributes (RFC 7644 §3.9)', () => {
  it('returns only what is asked plus id and schemas', () => {
    expect(project({ attributes: ['userName'] })).toEqual({
      schemas: bjensen().schemas, id: bjensen().id, userName: 'bjensen@example.com',
    });
  });

  it('selects sub-attributes of single and multi-valued attributes', () => {
    const out = project({ attributes: ['name.givenName', 'emails.value', 'meta.lastModified'] });
    expect(out).toEqual({
      schemas: bjensen().schemas,
      id: bjensen().id,
      name: { givenName: 'Barbara' },
      emails: [{ value: 'bjensen@example.com' }, { value: 'babs@jensen.org' }],
      meta: { lastModified: '2011-05-13T04:42:34Z' },
    });
  });

  it('matches names ignoring case and URN-qualified names', () => {
    const out = project({ attributes: ['USERNAME', `${CORE_USER}:displayName`, `${ENTERPRISE}:manager.value`, `${MAILCOW_USER}:quota`] });
    expect(out).toEqual({
      schemas: bjensen().schemas,
      id: bjensen().id,
      userName: 'bjensen@example.com',
      displayName: 'Babs Jensen',
      [ENTERPRISE]: { manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } },
      [MAILCOW_USER]: { quota: 3072 },
    });
  });

  it('returns a whole extension for its URN', () => {
    const out = project({ attributes: [ENTERPRISE] });
    expect(out[ENTERPRISE]).toEqual(bjensen()[ENTERPRISE]);
    expect(out).not.toHaveProperty('userName');
  });

  it('returns every core attribute for the core URN', () => {
    const out = project({ attributes: [CORE_USER] });
    expect(out).toHaveProperty('userName');
    expect(out).toHaveProperty('emails');
    expect(out).not.toHaveProperty(ENTERPRISE);
    expect(out).not.toHaveProperty('password');
  });

  it('filters values in the Microsoft form emails[type eq "work"].value', () => {
    expect(project({ attributes: ['emails[type eq "work"].value'] }).emails).toEqual([{ value: 'bjensen@example.com' }]);
    expect(project({ attributes: ['emails[type eq "home"]'] }).emails).toEqual([{ value: 'babs@jensen.org', type: 'home' }]);
    expect(project({ attributes: ['emails[type eq "other"].value'] })).not.toHaveProperty('emails');
  });

  it('unions several requests for one attribute', () => {
    expect(project({ attributes: ['emails[type eq "work"].value', 'emails.type'] }).emails).toEqual([
      { value: 'bjensen@example.com', type: 'work' },
      { type: 'home' },
    ]);
    expect(project({ attributes: ['emails[type eq "work"].value', 'emails'] }).emails).toEqual(bjensen().emails);
  });

  it('ignores unknown and malformed names', () => {
    expect(project({ attributes: ['foo', 'name.nope', 'emails[type eq', 'userName'] })).toEqual({
      schemas: bjensen().schemas, id: bjensen().id, userName: 'bjensen@example.com',
    });
  });

  it('drops attributes the schema does not define when attributes is given', () => {
    const out = projectResource({ id: 'x', userName: 'u', custom: 1 }, USER_RESOURCE_TYPE, { attributes: ['userName'] });
    expect(out).toEqual({ id: 'x', userName: 'u' });
  });
});

describe('projectResource: excludedAttributes (RFC 7644 §3.9)', () => {
  it('removes the named attributes but never id or schemas', () => {
    const out = project({ excludedAttributes: ['emails', 'id', 'schemas', 'name.middleName', ENTERPRISE] });
    expect(out.id).toBe(bjensen().id);
    expect(out.schemas).toEqual(bjensen().schemas);
    expect(out).not.toHaveProperty('emails');
    expect(out).not.toHaveProperty(ENTERPRISE);
    expect(out.name).not.toHaveProperty('middleName');
    expect(out).toHaveProperty(MAILCOW_USER);
  });

  it('excludes members of groups (Entra: excludedAttributes=members)', () => {
    const out = projectResource(tourGuides(), GROUP_RESOURCE_TYPE, { excludedAttributes: ['members'] });
    expect(out).not.toHaveProperty('members');
    expect(out.displayName).toBe('Tour Guides');
  });

  it('excludes sub-attributes and filtered values', () => {
    expect(project({ excludedAttributes: ['emails.primary'] }).emails).toEqual([
      { value: 'bjensen@example.com', type: 'work' },
      { value: 'babs@jensen.org', type: 'home' },
    ]);
    expect(project({ excludedAttributes: ['emails[type eq "home"]'] }).emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: true },
    ]);
    expect(project({ excludedAttributes: [`${ENTERPRISE}:manager`] })[ENTERPRISE]).not.toHaveProperty('manager');
  });

  it('applies excludedAttributes after attributes', () => {
    expect(project({ attributes: ['name'], excludedAttributes: ['name.formatted', 'foo'] }).name).toEqual({
      familyName: 'Jensen', givenName: 'Barbara', middleName: 'Jane', honorificPrefix: 'Ms.', honorificSuffix: 'III',
    });
  });

  it('never mutates its input', () => {
    const user = bjensen();
    const out = project({ attributes: ['emails.value'] }, user);
    expect(user).toEqual(bjensen());
    (out.emails as [Record<string, unknown>])[0].value = 'changed';
    expect((user.emails as Record<string, unknown>[])[0]?.value).toBe('bjensen@example.com');
  });
});
