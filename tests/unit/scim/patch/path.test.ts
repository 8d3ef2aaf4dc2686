import { describe, expect, it } from 'vitest';
import { parsePatchPath, resolvePatchPath } from '../../../../server/src/scim/patch/index.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../../../server/src/scim/schema/index.js';
import { ScimError } from '../../../../server/src/scim/scim-error.js';
import { ENTERPRISE, MAILCOW_USER } from '../fixtures/resources.js';

function scimTypeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ScimError);
    return (e as ScimError).scimType;
  }
  throw new Error('no error');
}

describe('parsePatchPath (RFC 7644 §3.5.2 PATH)', () => {
  it.each([
    ['members', { attrPath: { attr: 'members' } }],
    ['name.familyName', { attrPath: { attr: 'name', sub: 'familyName' } }],
    [`${ENTERPRISE}:manager.value`, { attrPath: { uri: ENTERPRISE, attr: 'manager', sub: 'value' } }],
    ['members[value eq "2819c223"]', {
      attrPath: { attr: 'members' },
      filter: { kind: 'compare', path: { attr: 'value' }, op: 'eq', value: '2819c223' },
    }],
    ['addresses[type eq "work"].streetAddress', {
      attrPath: { attr: 'addresses' },
      filter: { kind: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work' },
      subAttr: 'streetAddress',
    }],
    ['emails[type eq "work" and value ew "example.com"]', {
      attrPath: { attr: 'emails' },
      filter: { kind: 'and' },
    }],
    ['emails[value eq "a]b"].display', { attrPath: { attr: 'emails' }, filter: { value: 'a]b' }, subAttr: 'display' }],
    [`${MAILCOW_USER}:tags[value eq "x"]`, { attrPath: { uri: MAILCOW_USER, attr: 'tags' } }],
  ])('%s', (text, expected) => {
    expect(parsePatchPath(text)).toMatchObject(expected);
  });

  it.each([
    ['', 'invalidPath'],
    ['a.b.c', 'invalidPath'],
    ['emails[type eq "work"', 'invalidPath'],
    ['emails[type eq "work"]x', 'invalidPath'],
    ['emails[type eq "work"].', 'invalidPath'],
    ['emails[type eq "work"].a.b', 'invalidPath'],
    ['emails.value[type eq "work"]', 'invalidPath'],
    ['emails[type eq]', 'invalidFilter'],
    ['emails[type eq "work" and x[y pr]]', 'invalidFilter'],
    ['emails[]', 'invalidFilter'],
  ])('rejects %j with %s', (text, scimType) => {
    expect(scimTypeOf(() => parsePatchPath(text))).toBe(scimType);
  });

  it('reports filter positions within the whole path', () => {
    try {
      parsePatchPath('emails[type xx "work"]');
      expect.fail('parsed');
    } catch (e) {
      expect((e as ScimError).detail).toMatch(/after 'type' at position 12/);
    }
  });
});

describe('resolvePatchPath', () => {
  it('resolves to canonical attributes', () => {
    const t = resolvePatchPath(USER_RESOURCE_TYPE, 'NAME.GIVENNAME');
    expect(t).toMatchObject({ kind: 'attribute', canonicalPath: 'name.givenName' });
    if (t.kind !== 'attribute') throw new Error();
    expect(t.attribute.attribute.name).toBe('name');
    expect(t.attribute.subAttribute).toBeUndefined();
    expect(t.sub?.name).toBe('givenName');
  });

  it('resolves value filters and a trailing sub-attribute', () => {
    const t = resolvePatchPath(USER_RESOURCE_TYPE, 'emails[Type eq "work"].Value');
    expect(t).toMatchObject({ kind: 'attribute', canonicalPath: 'emails[Type eq "work"].value', filter: { kind: 'valuePath' } });
  });

  it('resolves a bare extension URN to the extension', () => {
    expect(resolvePatchPath(USER_RESOURCE_TYPE, ENTERPRISE.toLowerCase())).toEqual({ kind: 'schema', schemaUrn: ENTERPRISE });
  });

  it.each([
    ['foo', 'invalidPath'],
    ['name.foo', 'invalidPath'],
    ['emails[type eq "work"].foo', 'invalidPath'],
    ['userName[value eq "x"]', 'invalidPath'],
    ['name[givenName eq "x"]', 'invalidPath'],
    ['emails[foo eq "x"]', 'invalidFilter'],
    ['emails[primary eq "yes"]', 'invalidFilter'],
    ['urn:ietf:params:scim:schemas:extension:other:2.0:User:x', 'invalidPath'],
  ])('rejects %j with %s', (text, scimType) => {
    expect(scimTypeOf(() => resolvePatchPath(USER_RESOURCE_TYPE, text))).toBe(scimType);
  });

  it('knows Group paths', () => {
    expect(resolvePatchPath(GROUP_RESOURCE_TYPE, 'members[value eq "x"]')).toMatchObject({ kind: 'attribute' });
    expect(scimTypeOf(() => resolvePatchPath(GROUP_RESOURCE_TYPE, 'userName'))).toBe('invalidPath');
  });
});
