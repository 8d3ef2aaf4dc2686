/**
 * Aliases the sidecar creates (secondary e-mails, a new userName, group lists) and records in
 * mailcow_scim_owned_aliases, so it never edits or removes an alias an admin made.
 */
import type { RowDataPacket } from 'mysql2';
import { ScimError } from '../scim/index.js';
import type { UserAliasRows } from '../users/ports.js';
import type { Queryable } from './queryable.js';
import { nowIso, toDbTime } from './db-time.js';
import type { PendingEffects } from './side-effects.js';
import type { TxReads } from './tx-reads.js';

type OwnedAliasKind = 'user' | 'group';

interface OwnedAlias {
  address: string;
  tokenId: string;
  kind: OwnedAliasKind;
  userId: string | null;
  groupId: string | null;
}

async function ownedAliasesOfUser(db: Queryable, userId: string): Promise<string[]> {
  const [rows] = await db.execute<RowDataPacket[]>(`SELECT address FROM mailcow_scim_owned_aliases WHERE user_id = ? ORDER BY address`, [userId]);
  return rows.map((r) => String(r.address));
}

/**
 * A SELECT-list subquery of what ownedAliasesOfUser reads, for the user whose id is the SQL
 * expression `userIdSql`: column `owned_aliases`, read with ownedAliasesFrom. The statement runs
 * under UNCUT_AGGREGATES (group-members.ts), so the list is never cut short.
 */
export function ownedAliasesColumn(userIdSql: string): string {
  return `(SELECT COALESCE(JSON_ARRAYAGG(address ORDER BY address), JSON_ARRAY()) FROM mailcow_scim_owned_aliases WHERE user_id = ${userIdSql}) AS owned_aliases`;
}

/** The addresses, or undefined when the column is missing or unreadable (then they are read on their own). */
export function ownedAliasesFrom(row: RowDataPacket): string[] | undefined {
  if (row.owned_aliases === null || row.owned_aliases === undefined) return undefined;
  try {
    const list: unknown = typeof row.owned_aliases === 'string' ? JSON.parse(row.owned_aliases) : row.owned_aliases;
    return Array.isArray(list) ? list.map(String) : undefined;
  } catch {
    return undefined;
  }
}

async function findOwned(db: Queryable, address: string): Promise<OwnedAlias | undefined> {
  const [rows] = await db.execute<RowDataPacket[]>(`SELECT * FROM mailcow_scim_owned_aliases WHERE address = ?`, [address]);
  const r = rows[0];
  return r ? { address: String(r.address), tokenId: String(r.token_id), kind: r.kind as OwnedAliasKind, userId: r.user_id, groupId: r.group_id } : undefined;
}

/**
 * Why `address` cannot become a sidecar alias for `owner`, or undefined when it can (or already
 * is one of the owner's). Checks mailcow's own collisions (§2.1 #6–#8) and ownership.
 */
export async function aliasConflict(db: Queryable, address: string, owner: { userId?: string; groupId?: string }): Promise<string | undefined> {
  const [mb] = await db.execute<RowDataPacket[]>(`SELECT 1 FROM mailbox WHERE username = ?`, [address]);
  if (mb.length) return `${address} is a mailbox`;
  const [sp] = await db.execute<RowDataPacket[]>(`SELECT 1 FROM spamalias WHERE address = ?`, [address]);
  if (sp.length) return `${address} is a spam alias`;
  const [al] = await db.execute<RowDataPacket[]>(`SELECT goto FROM alias WHERE address = ?`, [address]);
  if (!al.length) return undefined;
  const owned = await findOwned(db, address);
  if (!owned) return `${address} is an alias an admin created in mailcow (goto ${String(al[0]!.goto)}); the sidecar never takes over admin aliases`;
  if (owner.userId && owned.userId === owner.userId) return undefined;
  if (owner.groupId && owned.groupId === owner.groupId) return undefined;
  return `${address} is already an alias of another SCIM ${owned.kind}`;
}

/** mailcow's per-domain alias limit (`domain.aliases`, 0 = none allowed); self-aliases do not count. */
export async function checkAliasRoom(db: Queryable, domain: string, adding: number): Promise<void> {
  if (adding <= 0) return;
  const [rows] = await db.execute<RowDataPacket[]>(
    `SELECT d.aliases AS max, (SELECT COUNT(*) FROM alias a WHERE a.domain = d.domain AND a.address <> a.goto) AS used FROM domain d WHERE d.domain = ?`,
    [domain],
  );
  const r = rows[0];
  if (!r) throw ScimError.invalidValue(`Domain ${domain} does not exist in mailcow.`);
  if (Number(r.used) + adding > Number(r.max)) {
    throw ScimError.invalidValue(`Domain ${domain} allows ${Number(r.max)} aliases and has ${Number(r.used)}; ${adding} more do not fit.`);
  }
}

/**
 * An alias an admin made that already delivers to exactly this mailbox: the e-mail is served as
 * it is. The sidecar neither takes it over nor changes it, and a migration where an admin had
 * made the users' aliases by hand does not stop every update with a 409.
 */
async function isAdminAliasOf(db: Queryable, address: string, mailbox: string): Promise<boolean> {
  const [rows] = await db.execute<RowDataPacket[]>(`SELECT goto FROM alias WHERE address = ?`, [address]);
  if (!rows[0] || String(rows[0].goto).trim().toLowerCase() !== mailbox) return false;
  return (await findOwned(db, address)) === undefined;
}

/**
 * Makes the user's owned aliases exactly `desired`, all pointing at `mailbox`: adds the missing
 * ones (refusing collisions with a 409 that names them) and removes owned ones no longer wanted.
 * Returns the addresses that changed, for the SOGo view.
 */
async function syncUserAliases(
  db: Queryable,
  tokenId: string,
  userId: string,
  mailbox: string,
  desired: string[],
  note: string,
  owned: string[] | undefined,
): Promise<{ added: string[]; removed: string[] }> {
  const current = owned ?? (await ownedAliasesOfUser(db, userId));
  const toRemove = current.filter((a) => !desired.includes(a));
  const toAdd: string[] = [];
  const conflicts: string[] = [];
  for (const address of desired.filter((a) => !current.includes(a))) {
    if (await isAdminAliasOf(db, address, mailbox)) continue;
    const why = await aliasConflict(db, address, { userId });
    if (why) conflicts.push(why);
    else toAdd.push(address);
  }
  if (conflicts.length) throw ScimError.uniqueness(`Cannot add aliases: ${conflicts.join('; ')}.`);

  const byDomain = new Map<string, number>();
  for (const a of toAdd) byDomain.set(a.split('@')[1]!, (byDomain.get(a.split('@')[1]!) ?? 0) + 1);
  for (const a of toRemove) byDomain.set(a.split('@')[1]!, (byDomain.get(a.split('@')[1]!) ?? 0) - 1);
  for (const [domain, n] of byDomain) await checkAliasRoom(db, domain, n);

  for (const address of toRemove) {
    await db.execute(`DELETE FROM alias WHERE address = ?`, [address]);
    await db.execute(`DELETE FROM mailcow_scim_owned_aliases WHERE address = ?`, [address]);
  }
  for (const address of toAdd) {
    await db.execute(
      `INSERT INTO alias (address, goto, domain, private_comment, sogo_visible, internal, sender_allowed, active) VALUES (?, ?, ?, ?, 1, 0, 1, 1)
       ON DUPLICATE KEY UPDATE goto = VALUES(goto)`,
      [address, mailbox, domainOf(address), note],
    );
    await db.execute(
      `INSERT INTO mailcow_scim_owned_aliases (address, token_id, kind, user_id, group_id, created_at) VALUES (?, ?, 'user', ?, NULL, ?)
       ON DUPLICATE KEY UPDATE user_id = VALUES(user_id), token_id = VALUES(token_id)`,
      [address, tokenId, userId, toDbTime(nowIso())],
    );
  }
  return { added: toAdd, removed: toRemove };
}

/** On claim (re-hire), owned aliases that still point at the mailbox are re-linked to the new user. */
async function relinkMailboxAliases(db: Queryable, mailbox: string, userId: string, tokenId: string): Promise<void> {
  await db.execute(
    `UPDATE mailcow_scim_owned_aliases o JOIN alias a ON a.address = o.address
     SET o.user_id = ?, o.token_id = ? WHERE o.kind = 'user' AND a.goto = ?`,
    [userId, tokenId, mailbox],
  );
}

/** A change's user aliases (the UserAliasRows port); a changed alias changes the mailbox's SOGo row. */
export class SqlUserAliasRows implements UserAliasRows {
  constructor(
    private readonly db: Queryable,
    private readonly tokenId: string,
    private readonly effects: PendingEffects,
    private readonly reads: TxReads,
  ) {}

  async sync(userId: string, mailbox: string, desired: readonly string[], note: string): Promise<void> {
    const change = await syncUserAliases(this.db, this.tokenId, userId, mailbox, [...desired], note, this.reads.takeOwnedAliases(userId));
    if (change.added.length || change.removed.length) this.effects.refreshSogo([mailbox]);
  }

  relink(mailbox: string, userId: string): Promise<void> {
    this.reads.dropOwnedAliases();
    return relinkMailboxAliases(this.db, mailbox, userId, this.tokenId);
  }

  async release(userId: string): Promise<void> {
    this.reads.dropOwnedAliases();
    await this.db.execute(`UPDATE mailcow_scim_owned_aliases SET user_id = NULL WHERE user_id = ?`, [userId]);
  }

  async remove(userId: string): Promise<void> {
    this.reads.dropOwnedAliases();
    await this.db.execute(`DELETE FROM mailcow_scim_owned_aliases WHERE user_id = ?`, [userId]);
  }
}

/** The domain part of an address the caller has validated (one '@'). */
function domainOf(address: string): string {
  return address.slice(address.indexOf('@') + 1);
}
