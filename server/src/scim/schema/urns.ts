/** Schema URNs (RFC 7643 §3, §4, §8.7; our own extensions use the same naming pattern). */

/** RFC 7643 §4.1. */
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
/** RFC 7643 §4.2. */
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
/** RFC 7643 §4.3. */
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** Our User extension: mailbox template, quota, tags, protocol access, read-only mailbox facts. */
export const MAILCOW_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:mailcow:2.0:User';
/** Our Group extension: the alias address a group owns. */
export const MAILCOW_GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:extension:mailcow:2.0:Group';

/** RFC 7643 §7: the schema of a schema representation. */
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
/** RFC 7643 §6. */
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
/** RFC 7643 §5. */
export const SERVICE_PROVIDER_CONFIG_SCHEMA =
  'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
/** RFC 7644 §3.4.2. */
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
/** RFC 7644 §3.5.2. */
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** RFC 7644 §3.4.3. */
export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
/** RFC 7644 §3.7. */
export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
/** RFC 7644 §3.7. */
export const BULK_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
