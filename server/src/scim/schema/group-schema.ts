import { defineAttribute as a, freezeDeep, type SchemaDef } from './attribute.js';
import { GROUP_SCHEMA } from './urns.js';

/**
 * The core Group schema of RFC 7643 §4.2. `displayName` is required as §4.2 says (the §8.7.2
 * representation marks it optional; the prose wins). `members.display` is not in §8.7.2 but
 * §4.2 and clients use it (Okta sends `{value, display}`), so it is defined here, readWrite.
 */
export const GROUP_SCHEMA_DEF: SchemaDef = freezeDeep({
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: [
    a('displayName', 'string', {
      description: 'A human-readable name for the Group.',
      required: true,
    }),
    a('members', 'complex', {
      description: 'A list of members of the Group.',
      multiValued: true,
      subAttributes: [
        a('value', 'string', { description: 'Identifier of the member of this Group.', mutability: 'immutable' }),
        a('$ref', 'reference', {
          description: 'The URI corresponding to a SCIM resource that is a member of this Group.',
          referenceTypes: ['User', 'Group'],
          mutability: 'immutable',
          caseExact: true,
        }),
        a('type', 'string', {
          description: "A label indicating the type of resource, e.g., 'User' or 'Group'.",
          canonicalValues: ['User', 'Group'],
          mutability: 'immutable',
        }),
        a('display', 'string', { description: 'A human-readable name for the member.' }),
      ],
    }),
  ],
});
