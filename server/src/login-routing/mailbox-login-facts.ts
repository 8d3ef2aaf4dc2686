/**
 * What login routing needs to know about one mailbox: the row `user_login()` loads
 * (`mailbox.* + domain.active AS d_active`, kinds location/thing/group excluded;
 * docs/mailcow-facts.md §3.3).
 */
export interface MailboxLoginFacts {
  /** mailbox.username as stored. */
  username: string;
  /** mailbox.authsource ('mailcow', 'keycloak', 'generic-oidc', 'ldap', 'scim', or null). */
  authsource: string | null;
  /** mailbox.active: 1 active, 2 login off (mail still delivered), 0 inactive (§2.5). */
  active: number;
  /** domain.active of the mailbox's domain. */
  domainActive: number;
  /** The decoded mailbox.attributes JSON (values are strings such as "1"). */
  attributes: Record<string, unknown>;
}
