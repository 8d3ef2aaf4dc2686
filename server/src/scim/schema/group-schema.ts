import { defineAttribute as a, freezeDeep, type SchemaDef } from './attribute.js';
import { GROUP_SCHEMA } from './urns.js';

/**
 * The core Group schema of RFC 7643 §4.2. `displayName` is required as §4.2 says (the §8.7.2
 * representation marks it optional; the prose wins).
 *
 * Members are Users only: a group here is a mailcow distribution list, and a list of lists has
 * no mailcow meaning (groups/group-service.ts refuses `type: "Group"` and `$ref`s to /Groups).
 * `type` and `$ref` therefore advertise `User` alone. `display` (§4.2, not in §8.7.2) is the
 * member's own displayName, else its userName, computed on every read: readOnly, so that an
 * IdP cannot make a member look like someone else, and a PATCH that tries is told so.
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
      description: 'A list of members of the Group (Users of the same token).',
      multiValued: true,
      subAttributes: [
        a('value', 'string', { description: 'The id of the member User.', mutability: 'immutable' }),
        a('$ref', 'reference', {
          description: 'The URI of the member User.',
          referenceTypes: ['User'],
          mutability: 'immutable',
          caseExact: true,
        }),
        a('type', 'string', {
          description: "The type of the member: always 'User'.",
          canonicalValues: ['User'],
          mutability: 'immutable',
        }),
        a('display', 'string', {
          description: "The member's displayName, else its userName; set by the server.",
          mutability: 'readOnly',
        }),
      ],
    }),
  ],
});
