import { defineAttribute as a, freezeDeep, type SchemaDef } from './attribute.js';
import { ENTERPRISE_USER_SCHEMA } from './urns.js';

/**
 * The Enterprise User extension of RFC 7643 §4.3 (representation as in §8.7.1), with one
 * difference: `manager.displayName` is readWrite, not readOnly. The server does not look the
 * manager up (mailcow has no use for it), so the only value it can have is the one the client
 * sends, which is kept and returned as written; readOnly would promise a value
 * the server fills in, and would refuse a PATCH of the whole `manager` that carries it.
 */
export const ENTERPRISE_USER_SCHEMA_DEF: SchemaDef = freezeDeep({
  id: ENTERPRISE_USER_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    a('employeeNumber', 'string', { description: 'Numeric or alphanumeric identifier assigned to a person.' }),
    a('costCenter', 'string', { description: 'Identifies the name of a cost center.' }),
    a('organization', 'string', { description: 'Identifies the name of an organization.' }),
    a('division', 'string', { description: 'Identifies the name of a division.' }),
    a('department', 'string', { description: 'Identifies the name of a department.' }),
    a('manager', 'complex', {
      description: "The User's manager.",
      subAttributes: [
        a('value', 'string', { description: 'The id of the SCIM resource representing the User\'s manager.' }),
        a('$ref', 'reference', {
          description: "The URI of the SCIM resource representing the User's manager.",
          referenceTypes: ['User'],
          caseExact: true,
        }),
        a('displayName', 'string', {
          description: "The displayName of the User's manager, as the client sent it.",
        }),
      ],
    }),
  ],
});
