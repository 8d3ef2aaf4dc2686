/**
 * Hand-over of an existing mailbox to a SCIM token (`mailcow-scim adopt`): the mailbox becomes
 * a 'scim' mailbox that no SCIM user owns, so the token's next POST /Users for its address
 * claims it (architecture §4). Nothing about the mail or the password hash changes, so handing
 * it back to mailcow is setting authsource to 'mailcow' again.
 */
import type { RowDataPacket } from 'mysql2';
import { ScimError } from '../scim/index.js';
import type { TokenRecord } from '../tokens/index.js';
import { SCIM_AUTHSOURCE } from './authsource.js';
import { recordEvent } from './events.js';
import { leaveAllGroups } from './group-members.js';
import { findMailbox } from './mailboxes.js';
import type { DatabasePool } from './queryable.js';
import { withTransaction } from './transaction.js';

export interface AdoptResult {
  mailbox: string;
  previousAuthsource: string | null;
  /** The SCIM user that owned it before and was unlinked, if any. */
  unlinkedUser: { id: string; tokenId: string } | null;
}

export async function adoptMailbox(pool: DatabasePool, address: string, token: TokenRecord): Promise<AdoptResult> {
  const username = address.trim().toLowerCase();
  return withTransaction(pool, async (conn) => {
    const mailbox = await findMailbox(conn, username, true);
    if (!mailbox) throw ScimError.notFound(`No mailbox ${username} in mailcow.`);
    if (mailbox.kind !== '') throw ScimError.invalidValue(`${username} is a mailcow resource (${mailbox.kind}), not a user mailbox.`);
    if (!token.active || token.revokedAt) throw ScimError.invalidValue(`Token "${token.name}" is disabled or revoked.`);
    if (!token.policy.domains.includes(mailbox.domain)) {
      throw ScimError.invalidValue(`Token "${token.name}" does not manage ${mailbox.domain} (it manages ${token.policy.domains.join(', ') || 'no domains'}); add the domain to its policy first.`);
    }
    const [links] = await conn.execute<RowDataPacket[]>(`SELECT id, token_id FROM mailcow_scim_users WHERE mailbox = ? FOR UPDATE`, [username]);
    const link = links[0];
    if (link && link.token_id === token.id) throw ScimError.uniqueness(`${username} already belongs to SCIM user ${link.id} of token "${token.name}".`);
    if (link) {
      // The user leaves its groups first: their goto lists and its sender ACL rows follow.
      await leaveAllGroups(conn, String(link.id));
      await conn.execute(`UPDATE mailcow_scim_owned_aliases SET user_id = NULL WHERE user_id = ?`, [link.id]);
      await conn.execute(`DELETE FROM mailcow_scim_users WHERE id = ?`, [link.id]);
    }
    await conn.execute(`UPDATE mailbox SET authsource = ? WHERE username = ?`, [SCIM_AUTHSOURCE, username]);
    await recordEvent(conn, {
      tokenId: token.id,
      requestId: null,
      operation: 'adopt',
      resourceType: 'User',
      resourceId: link ? String(link.id) : null,
      mailbox: username,
      outcome: 'success',
      status: null,
      detail: `handed over from authsource '${mailbox.authsource ?? 'mailcow'}'${link ? ` and SCIM user ${link.id}` : ''}`,
      clientIp: null,
    });
    return { mailbox: username, previousAuthsource: mailbox.authsource, unlinkedUser: link ? { id: String(link.id), tokenId: String(link.token_id) } : null };
  });
}
