import { describe, expect, it } from 'vitest';
import {
  ENTERPRISE_USER_SCHEMA,
  GROUP_RESOURCE_TYPE,
  GROUP_SCHEMA_DEF,
  MAILCOW_GROUP_SCHEMA,
  MAILCOW_USER_SCHEMA,
  SCHEMA_DEFS,
  USER_RESOURCE_TYPE,
  USER_SCHEMA,
  USER_SCHEMA_DEF,
  coerceAttributeValue,
  defineAttribute,
  findAttribute,
  getSchemaDef,
  parseDateTime,
  resolveAttribute,
  resolveSchemaUrn,
  toResourceTypeResource,
  toSchemaResource,
} from '../../../../server/src/scim/schema/index.js';
import { ScimError } from '../../../../server/src/scim/scim-error.js';

describe('schema data (RFC 7643 §4, §8.7)', () => {
  it('defines every core User attribute of RFC 7643 §4.1', () => {
    const names = USER_SCHEMA_DEF.attributes.map((a) => a.name);
    expect(names).toEqual([
      'userName', 'name', 'displayName', 'nickName', 'profileUrl', 'title', 'userType',
      'preferredLanguage', 'locale', 'timezone', 'active', 'password', 'emails', 'phoneNumbers',
      'ims', 'photos', 'addresses', 'groups', 'entitlements', 'roles', 'x509Certificates',
    ]);
  });

  it('gives userName its RFC characteristics', () => {
    const userName = findAttribute(USER_SCHEMA_DEF.attributes, 'USERNAME');
    expect(userName).toMatchObject({
      name: 'userName', type: 'string', required: true, caseExact: false,
      mutability: 'readWrite', returned: 'default', uniqueness: 'server', multiValued: false,
    });
  });

  it('makes groups readOnly, password writeOnly/never, x509 values binary', () => {
    const attrs = USER_SCHEMA_DEF.attributes;
    expect(findAttribute(attrs, 'groups')?.mutability).toBe('readOnly');
    expect(findAttribute(attrs, 'password')).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
    const x509 = findAttribute(attrs, 'x509Certificates');
    expect(findAttribute(x509?.subAttributes, 'value')?.type).toBe('binary');
  });

  it('finds the first attribute of a name, in frozen lists (indexed) and lists still open alike', () => {
    const first = defineAttribute('nickName', 'string');
    const second = defineAttribute('NICKNAME', 'integer');
    const open = [first, second];
    const frozen = Object.freeze([first, second]);
    for (const list of [open, frozen]) {
      expect(findAttribute(list, 'nickname')).toBe(first);
      expect(findAttribute(list, 'NickName')).toBe(first);
      expect(findAttribute(list, 'title')).toBeUndefined();
    }
    // A list that is not frozen is searched each time, so what it holds now is what is found.
    const added = defineAttribute('title', 'string');
    open.push(added);
    expect(findAttribute(open, 'TITLE')).toBe(added);
    expect(findAttribute(undefined, 'title')).toBeUndefined();
  });

  it('defines Group members with value, $ref, type and display', () => {
    const members = findAttribute(GROUP_SCHEMA_DEF.attributes, 'members');
    expect(members?.multiValued).toBe(true);
    expect(members?.subAttributes?.map((s) => s.name)).toEqual(['value', '$ref', 'type', 'display']);
  });

  it('knows all five schemas, case-insensitively', () => {
    expect(SCHEMA_DEFS).toHaveLength(5);
    expect(getSchemaDef(USER_SCHEMA.toUpperCase())?.id).toBe(USER_SCHEMA);
    expect(getSchemaDef(MAILCOW_USER_SCHEMA)?.attributes.map((a) => a.name)).toEqual([
      'template', 'quota', 'tags', 'protocolAccess', 'mailboxAddress', 'usedBytes', 'messageCount',
    ]);
    expect(getSchemaDef(MAILCOW_GROUP_SCHEMA)?.attributes.map((a) => a.name)).toEqual(['address', 'emails', 'aliasActive']);
    expect(getSchemaDef('urn:nope')).toBeUndefined();
  });

  it('is frozen', () => {
    expect(Object.isFrozen(USER_SCHEMA_DEF.attributes[0])).toBe(true);
    expect(Object.isFrozen(findAttribute(USER_SCHEMA_DEF.attributes, 'name')?.subAttributes)).toBe(true);
  });
});

describe('resolveAttribute (RFC 7644 §3.10)', () => {
  it.each([
    ['userName', 'userName'],
    ['USERNAME', 'userName'],
    ['name.familyName', 'name.familyName'],
    ['Name.FamilyName', 'name.familyName'],
    ['emails.value', 'emails.value'],
    ['emails', 'emails'],
    ['id', 'id'],
    ['meta.lastModified', 'meta.lastModified'],
    ['schemas', 'schemas'],
    ['externalId', 'externalId'],
    [`${USER_SCHEMA}:userName`, 'userName'],
    ['urn:ietf:params:scim:schemas:core:2.0:user:name.givenName', 'name.givenName'],
    [`${ENTERPRISE_USER_SCHEMA}:department`, `${ENTERPRISE_USER_SCHEMA}:department`],
    [`${ENTERPRISE_USER_SCHEMA}:Manager.Value`, `${ENTERPRISE_USER_SCHEMA}:manager.value`],
    ['department', `${ENTERPRISE_USER_SCHEMA}:department`],
    [`${MAILCOW_USER_SCHEMA}:protocolAccess.imap`, `${MAILCOW_USER_SCHEMA}:protocolAccess.imap`],
    ['groups.$ref', 'groups.$ref'],
  ])('resolves %s to %s', (path, canonical) => {
    expect(resolveAttribute(USER_RESOURCE_TYPE, path)?.canonicalPath).toBe(canonical);
  });

  it('returns definitions and the schema', () => {
    const r = resolveAttribute(USER_RESOURCE_TYPE, `${ENTERPRISE_USER_SCHEMA}:manager.value`);
    expect(r).toMatchObject({ schemaUrn: ENTERPRISE_USER_SCHEMA, extension: true });
    expect(r?.attribute.name).toBe('manager');
    expect(r?.subAttribute?.name).toBe('value');
    expect(r?.target).toBe(r?.subAttribute);
    const core = resolveAttribute(USER_RESOURCE_TYPE, 'name');
    expect(core).toMatchObject({ schemaUrn: USER_SCHEMA, extension: false });
    expect(core?.subAttribute).toBeUndefined();
  });

  it.each([
    'foo', 'name.foo', 'userName.x', 'a.b.c', '', 'urn:x:y:userName',
    `${ENTERPRISE_USER_SCHEMA}:userName`, `${ENTERPRISE_USER_SCHEMA}`, 'members',
    `${USER_SCHEMA}:department`,
  ])('rejects %j for User', (path) => {
    expect(resolveAttribute(USER_RESOURCE_TYPE, path)).toBeUndefined();
  });

  it('resolves Group attributes and not User ones', () => {
    expect(resolveAttribute(GROUP_RESOURCE_TYPE, 'members.value')?.canonicalPath).toBe('members.value');
    expect(resolveAttribute(GROUP_RESOURCE_TYPE, 'address')?.canonicalPath).toBe(`${MAILCOW_GROUP_SCHEMA}:address`);
    expect(resolveAttribute(GROUP_RESOURCE_TYPE, 'userName')).toBeUndefined();
  });

  it('resolves whole-schema URNs', () => {
    expect(resolveSchemaUrn(USER_RESOURCE_TYPE, ENTERPRISE_USER_SCHEMA.toLowerCase())).toBe(ENTERPRISE_USER_SCHEMA);
    expect(resolveSchemaUrn(USER_RESOURCE_TYPE, USER_SCHEMA)).toBe(USER_SCHEMA);
    expect(resolveSchemaUrn(GROUP_RESOURCE_TYPE, ENTERPRISE_USER_SCHEMA)).toBeUndefined();
  });
});

describe('discovery representations (RFC 7643 §5-§7)', () => {
  it('renders a Schema resource', () => {
    const json = toSchemaResource(USER_SCHEMA_DEF, { baseUrl: 'https://mx.example.com/scim/v2' });
    expect(json).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
      id: USER_SCHEMA,
      name: 'User',
      meta: { resourceType: 'Schema', location: `https://mx.example.com/scim/v2/Schemas/${USER_SCHEMA}` },
    });
    const attrs = json.attributes as Record<string, unknown>[];
    expect(attrs[0]).toEqual({
      name: 'userName', type: 'string', multiValued: false,
      description: expect.any(String), required: true, caseExact: false,
      mutability: 'readWrite', returned: 'default', uniqueness: 'server',
    });
    const emails = attrs.find((a) => a.name === 'emails') as { subAttributes: Record<string, unknown>[] };
    expect(emails.subAttributes.find((s) => s.name === 'type')?.canonicalValues).toEqual(['work', 'home', 'other']);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('omits the location without a base URL', () => {
    expect(toSchemaResource(GROUP_SCHEMA_DEF).meta).toEqual({ resourceType: 'Schema' });
  });

  it('renders ResourceTypes', () => {
    expect(toResourceTypeResource(USER_RESOURCE_TYPE)).toMatchObject({
      id: 'User', endpoint: '/Users', schema: USER_SCHEMA,
      schemaExtensions: [
        { schema: ENTERPRISE_USER_SCHEMA, required: false },
        { schema: MAILCOW_USER_SCHEMA, required: false },
      ],
      meta: { resourceType: 'ResourceType' },
    });
  });
});

describe('values (RFC 7643 §2.3)', () => {
  const userAttr = (name: string) => resolveAttribute(USER_RESOURCE_TYPE, name)!.target;

  it('coerces Entra string booleans and digit strings', () => {
    expect(coerceAttributeValue(userAttr('active'), 'False', 'active')).toBe(false);
    expect(coerceAttributeValue(userAttr('active'), 'TRUE', 'active')).toBe(true);
    expect(coerceAttributeValue(userAttr('quota'), '2048', 'quota')).toBe(2048);
  });

  it('canonicalises complex values and drops unknown members and nulls', () => {
    expect(coerceAttributeValue(userAttr('emails'), { Value: 'a@x', TYPE: 'work', Primary: 'true', foo: 1, display: null }, 'emails'))
      .toEqual([{ value: 'a@x', type: 'work', primary: true }]);
  });

  it('rejects wrong types with invalidValue', () => {
    for (const [attr, value] of [['active', 'yes'], ['userName', 5], ['quota', 1.5], ['name', 'x'], ['meta.created', 'yesterday']] as const) {
      try {
        coerceAttributeValue(userAttr(attr), value, attr);
        expect.fail(`accepted ${attr}=${String(value)}`);
      } catch (e) {
        expect(e).toBeInstanceOf(ScimError);
        expect((e as ScimError).scimType).toBe('invalidValue');
      }
    }
  });

  it('parses xsd:dateTime as an instant, UTC when no offset', () => {
    expect(parseDateTime('2011-05-13T04:42:34Z')).toBe(Date.UTC(2011, 4, 13, 4, 42, 34));
    expect(parseDateTime('2011-05-13T04:42:34')).toBe(Date.UTC(2011, 4, 13, 4, 42, 34));
    expect(parseDateTime('2011-05-13T06:42:34.5+02:00')).toBe(Date.UTC(2011, 4, 13, 4, 42, 34, 500));
    expect(parseDateTime('2011-13-13T04:42:34Z')).toBeUndefined();
    expect(parseDateTime('yesterday')).toBeUndefined();
  });
});
