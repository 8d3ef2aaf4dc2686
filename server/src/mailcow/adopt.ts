/**
 * Hand-over of existing mailboxes to a SCIM token (`mailcow-scim adopt`, AdminService Adopt):
 * a mailbox becomes a 'scim' mailbox that no SCIM user owns, so the token's next POST /Users for
 * its address claims it (docs/architecture.md §4). Nothing about the mail or the password hash changes,
 * so handing it back to mailcow is setting authsource to 'mailcow' again. Also the AdoptionStore
 * port: the candidate reads a plan reports, paged in username order.
 */
import type { RowDataPacket } from 'mysql2';
import type { AdoptionCandidate, AdoptionStore, AdoptOptions, AdoptOutcome, DeliveringAlias } from '../adoption/index.js';
import { ScimError } from '../scim/index.js';
import type { TokenRecord } from '../tokens/index.js';
import { SCIM_AUTHSOURCE } from './authsource.js';
import { recordEvent } from './events.js';
import { leaveAllGroups } from './group-members.js';
import { findMailbox } from './mailboxes.js';
import type { DatabasePool, Queryable } from './queryable.js';
import { translateSqlError } from './sql-errors.js';
import { withTransaction } from './transaction.js';

export interface AdoptResult {
  mailbox: string;
  previousAuthsource: string | null;
  /** The SCIM user that owned it before and was unlinked, if any. */
  unlinkedUser: { id: string; tokenId: string } | null;
  /** 'unchanged' when there was nothing to do (already handed over, or this token's user owns it). */
  outcome: 'adopted' | 'unchanged';
  /** Why nothing changed. */
  reason?: string;
}

/**
 * Hands `address` to `token` in one transaction, with the mailbox row and its SCIM link locked.
 * Idempotent: a mailbox already handed over, or owned by this token's user, is left alone. A
 * mailbox another token's user owns is moved only with `moveFromOtherToken` (the default for one
 * named mailbox, what the 409 detail of a create tells an admin to run).
 */
export async function adoptMailbox(pool: DatabasePool, address: string, token: TokenRecord, options: AdoptOptions = { moveFromOtherToken: true }): Promise<AdoptResult> {
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
    const unchanged = (reason: string): AdoptResult => ({ mailbox: username, previousAuthsource: mailbox.authsource, unlinkedUser: null, outcome: 'unchanged', reason });
    if (link && link.token_id === token.id) return unchanged(`already belongs to SCIM user ${String(link.id)} of token "${token.name}"`);
    if (!link && mailbox.authsource === SCIM_AUTHSOURCE) return unchanged("already handed over (authsource 'scim', no SCIM user yet)");
    if (link && !options.moveFromOtherToken) {
      throw ScimError.uniqueness(`${username} belongs to SCIM user ${String(link.id)} of another token; name it to move it.`);
    }
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
    return { mailbox: username, previousAuthsource: mailbox.authsource, unlinkedUser: link ? { id: String(link.id), tokenId: String(link.token_id) } : null, outcome: 'adopted' };
  });
}

function parseAttributes(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string' || !text) return {};
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const CANDIDATE_SELECT = `SELECT m.username, m.domain, m.name, m.kind, m.active, d.active AS d_active, m.authsource, m.attributes, m.quota,
         u.id AS user_id, u.token_id, t.name AS token_name
    FROM mailbox m
    JOIN domain d ON d.domain = m.domain
    LEFT JOIN mailcow_scim_users u ON u.mailbox = m.username
    LEFT JOIN mailcow_scim_tokens t ON t.id = u.token_id`;

/** The page's tags and the aliases (other than each mailbox's own) that deliver to it. */
async function withDetails(db: Queryable, rows: RowDataPacket[]): Promise<AdoptionCandidate[]> {
  if (!rows.length) return [];
  const names = rows.map((r) => String(r.username).toLowerCase());
  const [tags] = await db.query<RowDataPacket[]>(`SELECT username, tag_name FROM tags_mailbox WHERE username IN (?) ORDER BY tag_name`, [names]);
  // goto is mailcow's comma-separated target list; FIND_IN_SET finds a mailbox among them.
  const [aliases] = await db.query<RowDataPacket[]>(
    `SELECT a.address, a.goto, o.address IS NOT NULL AS owned
       FROM alias a LEFT JOIN mailcow_scim_owned_aliases o ON o.address = a.address
      WHERE a.address NOT IN (?) AND (${names.map(() => `FIND_IN_SET(?, REPLACE(a.goto, ' ', ''))`).join(' OR ')})
      ORDER BY a.address`,
    [names, ...names],
  );
  const tagsOf = new Map<string, string[]>();
  for (const t of tags) tagsOf.set(String(t.username).toLowerCase(), [...(tagsOf.get(String(t.username).toLowerCase()) ?? []), String(t.tag_name)]);
  const aliasesOf = new Map<string, DeliveringAlias[]>();
  for (const a of aliases) {
    const targets = String(a.goto).split(',').map((x) => x.trim().toLowerCase()).filter(Boolean);
    for (const t of targets) {
      if (!names.includes(t)) continue;
      aliasesOf.set(t, [...(aliasesOf.get(t) ?? []), { address: String(a.address).toLowerCase(), targets, ownedBySidecar: Number(a.owned) === 1 }]);
    }
  }
  return rows.map((r) => {
    const address = String(r.username).toLowerCase();
    return {
      address,
      domain: String(r.domain).toLowerCase(),
      name: r.name === null ? '' : String(r.name),
      kind: String(r.kind ?? ''),
      active: Number(r.active),
      domainActive: Number(r.d_active),
      authsource: r.authsource === null ? null : String(r.authsource),
      attributes: parseAttributes(r.attributes),
      quotaBytes: Number(r.quota ?? 0),
      tags: tagsOf.get(address) ?? [],
      link: r.user_id ? { userId: String(r.user_id), tokenId: String(r.token_id), tokenName: String(r.token_name ?? '') } : null,
      aliases: aliasesOf.get(address) ?? [],
    };
  });
}

/** The AdoptionStore port over the pool, driver errors translated once. */
export function createAdoptionStore(pool: DatabasePool): AdoptionStore {
  const guard = <T>(p: Promise<T>): Promise<T> => p.catch((e: unknown) => Promise.reject(e instanceof ScimError ? e : translateSqlError(e)));
  return {
    listDomains: (domains, after, limit) =>
      guard(
        (async () => {
          if (!domains.length) return [];
          const [rows] = await pool.query<RowDataPacket[]>(`${CANDIDATE_SELECT} WHERE m.domain IN (?) AND m.username > ? ORDER BY m.username LIMIT ?`, [domains, after, limit]);
          return withDetails(pool, rows);
        })(),
      ),
    listAddresses: (addresses) =>
      guard(
        (async () => {
          if (!addresses.length) return [];
          // The caller pages the address list itself (in its own order): no cursor here.
          const [rows] = await pool.query<RowDataPacket[]>(`${CANDIDATE_SELECT} WHERE m.username IN (?)`, [addresses]);
          return withDetails(pool, rows);
        })(),
      ),
    adopt: (address, token, options) =>
      guard(
        adoptMailbox(pool, address, token, options).then(
          (r): AdoptOutcome => (r.outcome === 'adopted' ? { outcome: 'adopted', previousAuthsource: r.previousAuthsource, unlinkedUser: r.unlinkedUser } : { outcome: 'unchanged', reason: r.reason ?? '' }),
        ),
      ),
  };
}
