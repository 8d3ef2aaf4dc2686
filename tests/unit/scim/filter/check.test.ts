import { describe, expect, it } from 'vitest';
import { checkFilter, parseFilter, type CheckedFilter } from '../../../../server/src/scim/filter/index.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../../../server/src/scim/schema/index.js';
import { ScimError } from '../../../../server/src/scim/scim-error.js';
import { ENTERPRISE, MAILCOW_USER } from '../fixtures/resources.js';

const check = (text: string, rt = USER_RESOURCE_TYPE): CheckedFilter => checkFilter(parseFilter(text), rt);

function rejected(text: string, rt = USER_RESOURCE_TYPE): string {
  try {
    check(text, rt);
  } catch (e) {
    expect(e).toBeInstanceOf(ScimError);
    expect((e as ScimError).scimType).toBe('invalidFilter');
    expect((e as ScimError).status).toBe(400);
    return (e as ScimError).detail;
  }
  throw new Error(`accepted: ${text}`);
}

describe('checkFilter: resolution to canonical names', () => {
  it('resolves names case-insensitively and attaches type facts', () => {
    expect(check('USERNAME eq "x"')).toMatchObject({
      kind: 'compare',
      op: 'eq',
      value: 'x',
      attribute: {
        attribute: 'userName', canonicalPath: 'userName', type: 'string', caseExact: false,
        multiValued: false, extension: false, schemaUrn: 'urn:ietf:params:scim:schemas:core:2.0:User',
      },
    });
    expect(check('id eq "x"')).toMatchObject({ attribute: { caseExact: true } });
    expect(check('externalId eq "x"')).toMatchObject({ attribute: { caseExact: true } });
    expect(check('Name.FamilyName sw "J"')).toMatchObject({ attribute: { attribute: 'name', sub: 'familyName', canonicalPath: 'name.familyName' } });
  });

  it('maps a complex attribute without sub-attribute to its value', () => {
    expect(check('emails co "example.com"')).toMatchObject({
      attribute: { attribute: 'emails', sub: 'value', canonicalPath: 'emails.value', multiValued: true, type: 'string' },
    });
    expect(check(`${ENTERPRISE}:manager eq "abc"`)).toMatchObject({
      attribute: { canonicalPath: `${ENTERPRISE}:manager.value`, extension: true },
    });
  });

  it('keeps pr on a complex attribute as the attribute itself', () => {
    expect(check('name pr')).toMatchObject({ kind: 'present', attribute: { attribute: 'name', canonicalPath: 'name' } });
    expect(check('emails pr')).toMatchObject({ kind: 'present', attribute: { canonicalPath: 'emails' } });
  });

  it('resolves URN-qualified and extension attributes', () => {
    expect(check('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"')).toMatchObject({ attribute: { canonicalPath: 'userName' } });
    expect(check(`${ENTERPRISE}:department eq "x"`)).toMatchObject({
      attribute: { canonicalPath: `${ENTERPRISE}:department`, extension: true, schemaUrn: ENTERPRISE },
    });
    expect(check(`${MAILCOW_USER}:quota gt 1024`)).toMatchObject({ attribute: { type: 'integer' }, value: 1024 });
    expect(check(`${MAILCOW_USER}:tags eq "x"`)).toMatchObject({ attribute: { multiValued: true, type: 'string' } });
  });

  it('resolves value filters relative to their attribute', () => {
    const checked = check('emails[TYPE eq "work" and value co "@example.com"]');
    expect(checked).toMatchObject({
      kind: 'valuePath',
      attribute: { attribute: 'emails', canonicalPath: 'emails' },
      filter: {
        kind: 'and',
        left: { kind: 'compare', attribute: { attribute: 'emails', sub: 'type', canonicalPath: 'emails.type' } },
        right: { kind: 'compare', attribute: { attribute: 'emails', sub: 'value' } },
      },
    });
    expect(check(`${MAILCOW_USER}:tags[value eq "x"]`)).toMatchObject({
      kind: 'valuePath',
      filter: { kind: 'compare', attribute: { attribute: 'tags', canonicalPath: `${MAILCOW_USER}:tags` } },
    });
    expect(check('members[value eq "x"]', GROUP_RESOURCE_TYPE)).toMatchObject({ kind: 'valuePath' });
  });

  it('turns eq null / ne null into presence tests', () => {
    expect(check('title eq null')).toMatchObject({ kind: 'not', filter: { kind: 'present', attribute: { canonicalPath: 'title' } } });
    expect(check('title ne null')).toMatchObject({ kind: 'present', attribute: { canonicalPath: 'title' } });
    expect(check('active eq null')).toMatchObject({ kind: 'not' });
  });

  it('accepts every operator on strings, ordering on numbers and dates, eq on booleans', () => {
    for (const op of ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']) check(`userName ${op} "x"`);
    for (const op of ['eq', 'ne', 'gt', 'ge', 'lt', 'le']) {
      check(`${MAILCOW_USER}:quota ${op} 10`);
      check(`meta.created ${op} "2011-05-13T04:42:34Z"`);
    }
    check('active eq true');
    check('active ne false');
    check('x509Certificates.value eq "MIID"');
  });
});

describe('checkFilter: rejections', () => {
  it.each([
    ['foo eq "x"', /unknown attribute 'foo' in filter/],
    ['name.foo eq "x"', /unknown attribute 'name.foo'/],
    ['members eq "x"', /unknown attribute 'members'/],
    ['urn:x:y:userName eq "x"', /unknown attribute/],
    ['emails[foo eq "x"]', /unknown attribute 'emails.foo'/],
    ['emails[emails.type eq "x"]', /must be a plain sub-attribute name/],
    [`${MAILCOW_USER}:tags[x eq "a"]`, /only 'value' names the element/],
    ['userName[value eq "x"]', /single-valued and not complex/],
    ['active gt "x"', /'gt' cannot be used with the boolean attribute 'active'/],
    ['active eq "true"', /'active' is boolean; compare it with true or false/],
    ['active co "t"', /'co' cannot be used with the boolean/],
    ['active ge true', /cannot be used with the boolean/],
    ['userName eq 1', /'userName' is a string; compare it with a quoted string/],
    ['userName eq true', /is a string/],
    [`${MAILCOW_USER}:quota co "1"`, /'co' needs a string attribute; .* is integer/],
    [`${MAILCOW_USER}:quota eq "1"`, /is integer; compare it with a number/],
    ['meta.created eq "yesterday"', /is dateTime; compare it with an xsd:dateTime/],
    ['meta.created sw "2011"', /'sw' needs a string attribute/],
    ['meta.created gt 5', /is dateTime/],
    ['x509Certificates.value gt "a"', /binary/],
    ['name eq "Babs"', /'name' is complex; compare one of its sub-attributes/],
    ['title gt null', /'gt null' is not a comparison/],
    ['title co null', /not a comparison/],
    ['password eq "secret"', /never returned and cannot be filtered on/],
    ['password pr', /never returned/],
  ])('%s', (text, detail) => {
    expect(rejected(text)).toMatch(detail);
  });

  it('rejects User attributes on Groups', () => {
    expect(rejected('userName eq "x"', GROUP_RESOURCE_TYPE)).toMatch(/unknown attribute 'userName'/);
  });
});
