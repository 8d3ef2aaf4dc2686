import { describe, expect, it } from 'vitest';
import {
  checkFilter,
  evaluateFilter,
  isPresent,
  matchesValueFilter,
  parseFilter,
  type CheckedValuePath,
} from '../../../../server/src/scim/filter/index.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../../../server/src/scim/schema/index.js';
import { bjensen, ENTERPRISE, MAILCOW_USER, tourGuides } from '../fixtures/resources.js';

function matches(text: string, resource: Record<string, unknown> = bjensen(), rt = USER_RESOURCE_TYPE): boolean {
  return evaluateFilter(checkFilter(parseFilter(text), rt), resource);
}

/** Babs (RFC 7643 §8.2) and a second user who differs in every attribute the examples use. */
const babs = bjensen();
const intern: Record<string, unknown> = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id: 'b1',
  userName: 'jsmith',
  name: { familyName: "O'Malley", givenName: 'John' },
  userType: 'Intern',
  emails: [{ value: 'john@example.org', type: 'home' }],
  ims: [{ value: 'john@foo.com', type: 'xmpp' }],
  meta: { created: '2011-05-13T04:42:34Z', lastModified: '2011-05-13T04:42:34Z' },
};

describe('evaluateFilter: RFC 7644 §3.4.2.2 examples', () => {
  it.each([
    ['userName eq "bjensen@example.com"', true, false],
    ['userName eq "BJENSEN@EXAMPLE.COM"', true, false],
    ['name.familyName co "O\'Malley"', false, true],
    ['userName sw "J"', false, true],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', false, true],
    ['title pr', true, false],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', false, false],
    ['meta.lastModified gt "2011-05-13T04:42:33Z"', true, true],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', true, true],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', false, false],
    ['meta.lastModified le "2011-05-13T04:42:34Z"', true, true],
    ['meta.lastModified eq "2011-05-13T06:42:34+02:00"', true, true],
    ['title pr and userType eq "Employee"', true, false],
    ['title pr or userType eq "Intern"', true, true],
    ['schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"', true, false],
    ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', true, false],
    ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', false, false],
    ['userType ne "Employee" and not (emails co "example.com")', false, true],
    ['userType ne "Employee" and not (emails co "jensen.org")', false, true],
    ['userType eq "Employee" and (emails.type eq "work")', true, false],
    ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', true, false],
    ['emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]', true, true],
    ['userName Eq "jsmith"', false, true],
    ['Username eq "jsmith"', false, true],
  ])('%s → babs %s, intern %s', (text, forBabs, forIntern) => {
    expect(matches(text, babs)).toBe(forBabs);
    expect(matches(text, intern)).toBe(forIntern);
  });
});

describe('evaluateFilter: semantics', () => {
  it('matches a value filter only when one element satisfies all of it', () => {
    expect(matches('emails[type eq "home" and value co "example.com"]')).toBe(false);
    expect(matches('emails.type eq "home" and emails.value co "example.com"')).toBe(true);
    expect(matches('emails[not (type eq "work")]')).toBe(true);
    expect(matches('emails[type eq "work" and primary eq true]')).toBe(true);
    expect(matches('emails[type eq "home" and primary eq true]')).toBe(false);
  });

  it('treats ne as not eq, also when absent', () => {
    expect(matches('nickName ne "x"')).toBe(true);
    expect(matches('locale ne "en-us"')).toBe(false);
    expect(matches('preferredLanguage ne "x"', intern)).toBe(true);
    expect(matches('emails.type ne "work"')).toBe(false);
    expect(matches('emails.type ne "other"')).toBe(true);
  });

  it('honours caseExact', () => {
    expect(matches('id eq "2819C223-7F76-453A-919D-413861904646"')).toBe(false);
    expect(matches('id eq "2819c223-7f76-453a-919d-413861904646"')).toBe(true);
    expect(matches('externalId eq "701984"')).toBe(true);
    expect(matches('displayName eq "babs jensen"')).toBe(true);
  });

  it('orders strings lexicographically', () => {
    expect(matches('userName gt "a"')).toBe(true);
    expect(matches('userName gt "C"')).toBe(false);
    expect(matches('userName le "BJENSEN@EXAMPLE.COM"')).toBe(true);
  });

  it('reads attribute names in any case (Entra PascalCase)', () => {
    const pascal = { UserName: 'Alice', Active: true, Emails: [{ Value: 'a@x.org', Type: 'work', Primary: true }],
      [ENTERPRISE.toUpperCase()]: { Department: 'Ops', Manager: { Value: 'm1' } } };
    expect(matches('userName eq "alice"', pascal)).toBe(true);
    expect(matches('active eq true', pascal)).toBe(true);
    expect(matches('emails[type eq "work"]', pascal)).toBe(true);
    expect(matches('emails.primary eq true', pascal)).toBe(true);
    expect(matches(`${ENTERPRISE}:department eq "ops"`, pascal)).toBe(true);
    expect(matches(`${ENTERPRISE}:manager.value eq "m1"`, pascal)).toBe(true);
    expect(matches('department eq "ops"', pascal)).toBe(true);
  });

  it('compares booleans, string booleans, integers and decimals', () => {
    expect(matches('active eq true')).toBe(true);
    expect(matches('active eq false')).toBe(false);
    expect(matches('active eq false', { active: 'False' })).toBe(true);
    expect(matches('active ne true', {})).toBe(true);
    expect(matches(`${MAILCOW_USER}:quota ge 3072`)).toBe(true);
    expect(matches(`${MAILCOW_USER}:quota gt 3072`)).toBe(false);
    expect(matches(`${MAILCOW_USER}:quota lt 3072.5`)).toBe(true);
    expect(matches(`${MAILCOW_USER}:quota eq 3072`, { [MAILCOW_USER]: { quota: '3072' } })).toBe(true);
    expect(matches(`${MAILCOW_USER}:protocolAccess.pop3 eq false`)).toBe(true);
  });

  it('matches simple multi-valued attributes by any value', () => {
    expect(matches(`${MAILCOW_USER}:tags eq "TOUR"`)).toBe(true);
    expect(matches(`${MAILCOW_USER}:tags[value sw "st"]`)).toBe(true);
    expect(matches(`${MAILCOW_USER}:tags[value eq "x"]`)).toBe(false);
  });

  it('uses pr semantics for null, empty string, array and object', () => {
    expect(matches('title pr', { title: '' })).toBe(false);
    expect(matches('title pr', { title: null })).toBe(false);
    expect(matches('emails pr', { emails: [] })).toBe(false);
    expect(matches('emails pr', { emails: [{}] })).toBe(false);
    expect(matches('name pr', { name: {} })).toBe(false);
    expect(matches('name pr', { name: { givenName: null } })).toBe(false);
    expect(matches('name pr', { name: { givenName: 'x' } })).toBe(true);
    expect(matches('title eq null', { title: '' })).toBe(true);
    expect(matches('title ne null')).toBe(true);
    expect(matches('active pr', { active: false })).toBe(true);
    expect(isPresent(0)).toBe(true);
  });

  it('never matches a value of the wrong type', () => {
    expect(matches('userName eq "x"', { userName: { x: 1 } })).toBe(false);
    expect(matches(`${MAILCOW_USER}:quota gt 1`, { [MAILCOW_USER]: { quota: 'lots' } })).toBe(false);
    expect(matches('meta.created gt "2000-01-01T00:00:00Z"', { meta: { created: 'never' } })).toBe(false);
    expect(matches('emails.value eq "x"', { emails: 'x' })).toBe(false);
    expect(matches('emails[value eq "x"]', { emails: ['x'] })).toBe(false);
  });

  it('evaluates Group filters', () => {
    expect(matches('members[value eq "902c246b-6245-4190-8e05-00816be7344a"]', tourGuides(), GROUP_RESOURCE_TYPE)).toBe(true);
    expect(matches('members.display co "mandy"', tourGuides(), GROUP_RESOURCE_TYPE)).toBe(true);
    expect(matches('displayName eq "tour guides" and address ew "@example.com"', tourGuides(), GROUP_RESOURCE_TYPE)).toBe(true);
    expect(matches('members pr', { displayName: 'empty' }, GROUP_RESOURCE_TYPE)).toBe(false);
  });

  it('matches single elements with matchesValueFilter', () => {
    const vp = checkFilter(parseFilter('emails[type eq "work"]'), USER_RESOURCE_TYPE) as CheckedValuePath;
    expect(matchesValueFilter(vp, { type: 'WORK', value: 'x' })).toBe(true);
    expect(matchesValueFilter(vp, { type: 'home' })).toBe(false);
    expect(matchesValueFilter(vp, 'work')).toBe(false);
  });
});
