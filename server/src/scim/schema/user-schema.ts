import {
  defaultMultiValuedSubAttributes,
  defineAttribute as a,
  freezeDeep,
  type SchemaDef,
} from './attribute.js';
import { USER_SCHEMA } from './urns.js';

/**
 * The core User schema of RFC 7643 §4.1, with the characteristics of its §8.7.1 representation
 * except where this server does otherwise (each said where it is; the schema-truth test checks
 * every characteristic against behaviour). Two deliberate additions: `primary` on `addresses`
 * (§4.1.2 describes it, §8.7.1 forgot it) and the §2.4 default sub-attributes on every
 * multi-valued attribute.
 */
export const USER_SCHEMA_DEF: SchemaDef = freezeDeep({
  id: USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: [
    a('userName', 'string', {
      description:
        'Unique identifier for the User, typically used by the user to directly authenticate to the service provider.',
      required: true,
      uniqueness: 'server',
    }),
    a('name', 'complex', {
      description: "The components of the user's real name.",
      subAttributes: [
        a('formatted', 'string', { description: "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display." }),
        a('familyName', 'string', { description: 'The family name of the User, or last name in most Western languages.' }),
        a('givenName', 'string', { description: 'The given name of the User, or first name in most Western languages.' }),
        a('middleName', 'string', { description: 'The middle name(s) of the User.' }),
        a('honorificPrefix', 'string', { description: 'The honorific prefix(es) of the User, or title in most Western languages.' }),
        a('honorificSuffix', 'string', { description: 'The honorific suffix(es) of the User, or suffix in most Western languages.' }),
      ],
    }),
    a('displayName', 'string', { description: 'The name of the User, suitable for display to end-users.' }),
    a('nickName', 'string', { description: 'The casual way to address the user in real life.' }),
    a('profileUrl', 'reference', {
      description: "A fully qualified URL pointing to a page representing the User's online profile.",
      referenceTypes: ['external'],
    }),
    a('title', 'string', { description: "The user's title, such as \"Vice President\"." }),
    a('userType', 'string', { description: 'Used to identify the relationship between the organization and the user.' }),
    a('preferredLanguage', 'string', { description: "Indicates the User's preferred written or spoken language (RFC 7231 Accept-Language)." }),
    a('locale', 'string', { description: "Used to indicate the User's default location for purposes of localizing items." }),
    a('timezone', 'string', { description: "The User's time zone in the 'Olson' time zone database format." }),
    a('active', 'boolean', { description: "A Boolean value indicating the User's administrative status." }),
    a('password', 'string', {
      description:
        "Accepted and discarded: a mailbox provisioned over SCIM has no mailcow password (its user signs in through the identity provider); never returned.",
      mutability: 'writeOnly',
      returned: 'never',
    }),
    a('emails', 'complex', {
      description: 'Email addresses for the user.',
      multiValued: true,
      subAttributes: defaultMultiValuedSubAttributes('string', ['work', 'home', 'other'], {
        valueDescription: 'Email addresses for the user, canonicalized per RFC 5321.',
      }),
    }),
    a('phoneNumbers', 'complex', {
      description: 'Phone numbers for the User.',
      multiValued: true,
      subAttributes: defaultMultiValuedSubAttributes(
        'string',
        ['work', 'home', 'mobile', 'fax', 'pager', 'other'],
        { valueDescription: 'Phone number of the User (RFC 3966 format preferred).' },
      ),
    }),
    a('ims', 'complex', {
      description: 'Instant messaging addresses for the User.',
      multiValued: true,
      subAttributes: defaultMultiValuedSubAttributes('string', [
        'aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo',
      ], { valueDescription: 'Instant messaging address for the User.' }),
    }),
    a('photos', 'complex', {
      description: 'URLs of photos of the User.',
      multiValued: true,
      subAttributes: defaultMultiValuedSubAttributes('reference', ['photo', 'thumbnail'], {
        valueReferenceTypes: ['external'],
        valueDescription: 'URL of a photo of the User.',
      }),
    }),
    a('addresses', 'complex', {
      description: 'A physical mailing address for this User.',
      multiValued: true,
      subAttributes: [
        a('formatted', 'string', { description: 'The full mailing address, formatted for display.' }),
        a('streetAddress', 'string', { description: 'The full street address component.' }),
        a('locality', 'string', { description: 'The city or locality component.' }),
        a('region', 'string', { description: 'The state or region component.' }),
        a('postalCode', 'string', { description: 'The zip code or postal code component.' }),
        a('country', 'string', { description: 'The country name component (ISO 3166-1 alpha-2).' }),
        a('type', 'string', {
          description: "A label indicating the attribute's function.",
          canonicalValues: ['work', 'home', 'other'],
        }),
        a('primary', 'boolean', { description: "A Boolean value indicating the 'primary' or preferred address." }),
      ],
    }),
    // Groups hold Users only (group-schema.ts), so a user's groups are all direct memberships of
    // Groups: §8.7.1's referenceTypes ["User", "Group"] and type "indirect" never occur here.
    a('groups', 'complex', {
      description: 'A list of groups to which the user belongs, maintained by the service provider.',
      multiValued: true,
      mutability: 'readOnly',
      subAttributes: [
        a('value', 'string', { description: "The identifier of the User's group.", mutability: 'readOnly' }),
        a('$ref', 'reference', {
          description: "The URI of the corresponding 'Group' resource to which the user belongs.",
          referenceTypes: ['Group'],
          mutability: 'readOnly',
          caseExact: true,
        }),
        a('display', 'string', { description: "The group's displayName.", mutability: 'readOnly' }),
        a('type', 'string', {
          description: "How the user belongs to the group: always 'direct' (groups do not nest).",
          canonicalValues: ['direct'],
          mutability: 'readOnly',
        }),
      ],
    }),
    a('entitlements', 'complex', {
      description: 'A list of entitlements for the User.',
      multiValued: true,
      subAttributes: defaultMultiValuedSubAttributes('string', [], { valueDescription: 'The value of an entitlement.' }),
    }),
    a('roles', 'complex', {
      description: 'A list of roles for the User.',
      multiValued: true,
      subAttributes: defaultMultiValuedSubAttributes('string', [], { valueDescription: 'The value of a role.' }),
    }),
    a('x509Certificates', 'complex', {
      description: 'A list of certificates issued to the User.',
      multiValued: true,
      subAttributes: defaultMultiValuedSubAttributes('binary', [], {
        valueDescription: 'The value of an X.509 certificate (base64 DER).',
      }),
    }),
  ],
});
