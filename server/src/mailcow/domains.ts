/** mailcow's `domain` table: reading limits for mailbox creation, and adding a domain for demos and tests. */
import type { RowDataPacket } from 'mysql2';
import type { DomainLimits, DomainUsage } from '../provisioning/index.js';
import type { Queryable } from './queryable.js';

/** A domain row's limits; quotas are MiB as mailcow stores them (docs/mailcow-facts.md §1.3 `domain`). */
export interface DomainRow extends DomainLimits {
  backupmx: number;
}

/** The columns DomainRow is read from (domainFromRow). */
export const DOMAIN_COLUMNS = ['domain', 'active', 'mailboxes', 'defquota', 'maxquota', 'quota', 'backupmx'] as const;

/** A `domain` row as a DomainRow. */
export function domainFromRow(r: RowDataPacket): DomainRow {
  return {
    domain: String(r.domain),
    active: Number(r.active),
    mailboxes: Number(r.mailboxes),
    defquotaMiB: Number(r.defquota),
    maxquotaMiB: Number(r.maxquota),
    quotaMiB: Number(r.quota),
    backupmx: Number(r.backupmx),
  };
}

/**
 * Reads and row-locks a domain: mailcow checks its limits without a lock, so two parallel
 * creates can both pass; taking the lock inside the transaction serialises them.
 */
export async function lockDomain(db: Queryable, domain: string): Promise<DomainRow | undefined> {
  const [rows] = await db.execute<RowDataPacket[]>(
    'SELECT domain, active, mailboxes, defquota, maxquota, quota, backupmx FROM domain WHERE domain = ? FOR UPDATE',
    [domain],
  );
  return rows[0] ? domainFromRow(rows[0]) : undefined;
}

/**
 * lockDomain and domainUsage in one round trip: the domain row is locked first, and only then is
 * the count read. The count is a subquery correlated with the locked row, so MariaDB evaluates it
 * after the lock is granted; under READ COMMITTED its consistent read opens its snapshot then, and
 * sees every create that held the lock before (tests/integration/users/domain-usage-lock.test.ts).
 * The subquery is a plain consistent read: it locks no mailbox row. Count and sum travel as one
 * text, because a scalar subquery has one column and a second one would scan the mailboxes again.
 */
export async function lockDomainWithUsage(db: Queryable, domain: string): Promise<{ domain: DomainRow; usage: DomainUsage } | undefined> {
  const [rows] = await db.execute<RowDataPacket[]>(
    `SELECT d.domain, d.active, d.mailboxes, d.defquota, d.maxquota, d.quota, d.backupmx,
            (SELECT CONCAT(COUNT(*), ' ', COALESCE(SUM(m.quota), 0)) FROM mailbox m WHERE m.domain = d.domain AND m.kind = '') AS mailcow_usage
       FROM domain d WHERE d.domain = ? FOR UPDATE`,
    [domain],
  );
  const r = rows[0];
  if (!r) return undefined;
  const [n, q] = String(r.mailcow_usage).split(' ');
  return { domain: domainFromRow(r), usage: { mailboxes: Number(n), quotaBytes: Number(q) } };
}

export async function findDomain(db: Queryable, domain: string): Promise<DomainRow | undefined> {
  const [rows] = await db.execute<RowDataPacket[]>(
    'SELECT domain, active, mailboxes, defquota, maxquota, quota, backupmx FROM domain WHERE domain = ?',
    [domain],
  );
  return rows[0] ? domainFromRow(rows[0]) : undefined;
}

/** Count of user mailboxes (kind '') and their summed quota in bytes: mailcow's limit inputs (§2.1 #11–13). */
export async function domainUsage(db: Queryable, domain: string): Promise<DomainUsage> {
  const [rows] = await db.execute<RowDataPacket[]>(
    `SELECT COUNT(*) AS n, COALESCE(SUM(quota), 0) AS q FROM mailbox WHERE domain = ? AND kind = ''`,
    [domain],
  );
  return { mailboxes: Number(rows[0]!.n), quotaBytes: Number(rows[0]!.q) };
}

export interface NewDomain {
  domain: string;
  description?: string;
  mailboxes?: number;
  aliases?: number;
  defquotaMiB?: number;
  maxquotaMiB?: number;
  quotaMiB?: number;
  active?: number;
}

/**
 * Adds a domain with the values mailcow's "Default" domain template gives (docs/mailcow-facts.md
 * A.2): for the demo database and tests. Real installs add domains in mailcow's UI.
 */
export async function addDomainLikeMailcow(db: Queryable, d: NewDomain): Promise<void> {
  await db.execute(
    `INSERT INTO domain (domain, description, aliases, mailboxes, defquota, maxquota, quota, backupmx, gal, relay_all_recipients, relay_unknown_only, active)
     VALUES (?, ?, ?, ?, ?, ?, ?, 0, 1, 0, 0, ?)`,
    [d.domain, d.description ?? d.domain, d.aliases ?? 400, d.mailboxes ?? 10, d.defquotaMiB ?? 3072, d.maxquotaMiB ?? 10240, d.quotaMiB ?? 10240, d.active ?? 1],
  );
}
