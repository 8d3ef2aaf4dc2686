/**
 * The mailcow release whose schema and code mailcow-scim follows. Every fact in
 * docs/mailcow-facts.md is taken from it, and the schema fixture (tests/fixtures/mailcow-schema/)
 * is checked against its init_db; a newer mailcow is supported once that check and the install
 * anchors pass against it (docs/mailcow-facts.md, "Refreshing the schema fixture").
 */

/** The mailcow-dockerized release tag. */
export const MAILCOW_RELEASE = '2026-07a';

/** `$db_version` in that release's data/web/inc/init_db.inc.php, as stored in versions.db_schema. */
export const MAILCOW_DB_SCHEMA_VERSION = '19022026_1220';

/**
 * mailcow's `mailbox.authsource` ENUM values, in declaration order (docs/mailcow-facts.md §0 fact 1).
 * `'scim'` is not among them: the sidecar's migration adds it, and mailcow's next schema
 * migration removes it again (§1.2).
 */
export const MAILCOW_AUTHSOURCES: readonly string[] = Object.freeze(['mailcow', 'keycloak', 'generic-oidc', 'ldap']);
