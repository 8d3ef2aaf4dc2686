/**
 * `_sogo_static_view`, SOGo's user source, kept in step for one mailbox at a time the way
 * mailcow's update_sogo_static_view() does it (mailcow-integration.md §1.3, §2.6, A.4).
 */
import type { Queryable } from './queryable.js';

/**
 * The c_password mailcow ends up writing on every row: its code hashes two undefined variables,
 * so the value is {SSHA256} + base64(SHA-256 of the empty string) (§1.3, verified in A.4).
 */
export const SOGO_STATIC_PASSWORD = '{SSHA256}47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';

/**
 * Upserts the row of an active (1) mailbox, or deletes it for 0 and 2 (A.6: both remove it).
 * The aliases column is computed from mailcow's views, exactly like mailcow's statement.
 */
export async function refreshSogoViewRow(db: Queryable, username: string): Promise<void> {
  await db.execute(
    `INSERT INTO _sogo_static_view (c_uid, domain, c_name, c_password, c_cn, mail, aliases, ad_aliases, ext_acl, kind, multiple_bookings)
     SELECT mailbox.username, mailbox.domain, mailbox.username, ?, mailbox.name, mailbox.username,
            IFNULL(GROUP_CONCAT(ga.aliases ORDER BY ga.aliases SEPARATOR ' '), ''),
            IFNULL(gda.ad_alias, ''), IFNULL(external_acl.send_as_acl, ''), mailbox.kind, mailbox.multiple_bookings
       FROM mailbox
       LEFT OUTER JOIN grouped_mail_aliases ga ON ga.username REGEXP CONCAT('(^|,)', mailbox.username, '($|,)')
       LEFT OUTER JOIN grouped_domain_alias_address gda ON gda.username = mailbox.username
       LEFT OUTER JOIN grouped_sender_acl_external external_acl ON external_acl.username = mailbox.username
      WHERE mailbox.active = '1' AND mailbox.username = ?
      GROUP BY mailbox.username
     ON DUPLICATE KEY UPDATE domain = VALUES(domain), c_name = VALUES(c_name), c_password = VALUES(c_password), c_cn = VALUES(c_cn),
       mail = VALUES(mail), aliases = VALUES(aliases), ad_aliases = VALUES(ad_aliases), ext_acl = VALUES(ext_acl),
       kind = VALUES(kind), multiple_bookings = VALUES(multiple_bookings)`,
    [SOGO_STATIC_PASSWORD, username],
  );
  await db.execute(`DELETE FROM _sogo_static_view WHERE c_uid = ? AND c_uid NOT IN (SELECT username FROM mailbox WHERE active = '1')`, [username]);
}
