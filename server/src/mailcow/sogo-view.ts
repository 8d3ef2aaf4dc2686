/**
 * `_sogo_static_view`, SOGo's user source, kept in step for one mailbox at a time the way
 * mailcow's update_sogo_static_view() does it (docs/mailcow-facts.md §1.3, §2.6, A.4).
 */
import type { RowDataPacket } from 'mysql2';
import type { Queryable } from './queryable.js';
import { writeLater } from './statement-batch.js';

/**
 * The c_password mailcow ends up writing on every row: its code hashes two undefined variables,
 * so the value is {SSHA256} + base64(SHA-256 of the empty string) (§1.3, verified in A.4).
 */
export const SOGO_STATIC_PASSWORD = '{SSHA256}47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';

/**
 * Upserts the row of an active (1) mailbox, or deletes it for 0 and 2 (A.6: both remove it).
 * The values are mailcow's statement's expressions over its views, read with a plain SELECT and
 * written by value. Two differences from mailcow's single INSERT … SELECT, both for speed and
 * neither visible in the row:
 * - it took shared locks on every row its views scan, and under concurrent creates it deadlocked,
 *   leaving creates without a SOGo row (docs/performance.md); a plain
 *   SELECT is a consistent read and locks nothing;
 * - its LEFT JOINs on the grouped views materialised each view for every mailbox, a cost
 *   that grew with the mailcow; as scalar subqueries with WHERE, MariaDB pushes the username
 *   into the views, so only the alias view still reads the alias table (its REGEXP needs no index).
 *   The SELECT goes as text (`query`), not as a prepared statement: with the value bound only at
 *   execution MariaDB does not push it into the views, and the cost grows with the mailboxes
 *   (figures in docs/performance.md).
 *
 * The upsert writes only while the mailbox is still active: its INSERT … SELECT reads the one
 * mailbox row by primary key (a current read, so it waits for a change that holds the row).
 * A deactivation removes the row inside its own transaction (SqlMailboxRows.update); a refresh
 * whose SELECT saw the mailbox active before that commit would otherwise bring the row back
 * after it. Only that row is locked, not the rows the views scan (the deadlock above), and it
 * is taken in the changes' own order, mailbox before view row.
 */
export async function refreshSogoViewRow(db: Queryable, username: string): Promise<void> {
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT mailbox.username, mailbox.domain, mailbox.name, mailbox.kind, mailbox.multiple_bookings,
            IFNULL((SELECT GROUP_CONCAT(ga.aliases ORDER BY ga.aliases SEPARATOR ' ') FROM grouped_mail_aliases ga
                     WHERE ga.username REGEXP CONCAT('(^|,)', ?, '($|,)')), '') AS aliases,
            IFNULL((SELECT gda.ad_alias FROM grouped_domain_alias_address gda WHERE gda.username = ?), '') AS ad_aliases,
            IFNULL((SELECT external_acl.send_as_acl FROM grouped_sender_acl_external external_acl WHERE external_acl.username = ?), '') AS ext_acl
       FROM mailbox
      WHERE mailbox.active = '1' AND mailbox.username = ?`,
    [username, username, username, username],
  );
  const r = rows[0];
  if (!r) {
    await removeSogoViewRow(db, username);
    return;
  }
  await db.execute(
    `INSERT INTO _sogo_static_view (c_uid, domain, c_name, c_password, c_cn, mail, aliases, ad_aliases, ext_acl, kind, multiple_bookings)
     SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM mailbox WHERE mailbox.username = ? AND mailbox.active = '1'
     ON DUPLICATE KEY UPDATE domain = VALUES(domain), c_name = VALUES(c_name), c_password = VALUES(c_password), c_cn = VALUES(c_cn),
       mail = VALUES(mail), aliases = VALUES(aliases), ad_aliases = VALUES(ad_aliases), ext_acl = VALUES(ext_acl),
       kind = VALUES(kind), multiple_bookings = VALUES(multiple_bookings)`,
    [r.username, r.domain, r.username, SOGO_STATIC_PASSWORD, r.name, r.username, r.aliases, r.ad_aliases, r.ext_acl, r.kind, r.multiple_bookings, username],
  );
}

/**
 * refreshSogoViewRow's upsert for a mailbox that is active, as one INSERT … SELECT with the same
 * expressions (text, so MariaDB pushes the username into the views): one round trip instead of
 * two. Only inside a READ COMMITTED transaction: there InnoDB reads an INSERT … SELECT's
 * source as a consistent read and locks none of the rows the views scan (under REPEATABLE READ
 * it would take the shared locks that deadlocked concurrent creates, see above). A mailbox that
 * is not active (or not there) gets no row and keeps none written before.
 */
export async function upsertActiveSogoViewRowReadCommitted(db: Queryable, username: string): Promise<void> {
  await writeLater(
    db,
    `INSERT INTO _sogo_static_view (c_uid, domain, c_name, c_password, c_cn, mail, aliases, ad_aliases, ext_acl, kind, multiple_bookings)
     SELECT mailbox.username, mailbox.domain, mailbox.username, ?, mailbox.name, mailbox.username,
            IFNULL((SELECT GROUP_CONCAT(ga.aliases ORDER BY ga.aliases SEPARATOR ' ') FROM grouped_mail_aliases ga
                     WHERE ga.username REGEXP CONCAT('(^|,)', ?, '($|,)')), ''),
            IFNULL((SELECT gda.ad_alias FROM grouped_domain_alias_address gda WHERE gda.username = ?), ''),
            IFNULL((SELECT external_acl.send_as_acl FROM grouped_sender_acl_external external_acl WHERE external_acl.username = ?), ''),
            mailbox.kind, mailbox.multiple_bookings
       FROM mailbox
      WHERE mailbox.active = '1' AND mailbox.username = ?
     ON DUPLICATE KEY UPDATE domain = VALUES(domain), c_name = VALUES(c_name), c_password = VALUES(c_password), c_cn = VALUES(c_cn),
       mail = VALUES(mail), aliases = VALUES(aliases), ad_aliases = VALUES(ad_aliases), ext_acl = VALUES(ext_acl),
       kind = VALUES(kind), multiple_bookings = VALUES(multiple_bookings)`,
    [SOGO_STATIC_PASSWORD, username, username, username, username],
    // Text, not a prepared statement: see refreshSogoViewRow.
    'query',
  );
}

/** The row of a mailbox that is not active (0 or 2) or no longer exists: mailcow's refresh removes it. */
export async function removeSogoViewRow(db: Queryable, username: string): Promise<void> {
  await db.execute(`DELETE FROM _sogo_static_view WHERE c_uid = ?`, [username]);
}

/** Mailboxes per statement in refreshSogoViewRows. */
const SOGO_BATCH = 200;

/** The columns we write, in the order of the upsert. */
const SOGO_COLUMNS = ['c_uid', 'domain', 'c_name', 'c_password', 'c_cn', 'mail', 'aliases', 'ad_aliases', 'ext_acl', 'kind', 'multiple_bookings'] as const;

/**
 * refreshSogoViewRow for many mailboxes at once, with the same expressions and the same rows:
 * one SELECT and one upsert per batch instead of two statements per mailbox. A group alias
 * changes the `aliases` column of every member, and a list of thousands must not take thousands
 * of round trips, each reading the alias view again.
 *
 * The upsert has refreshSogoViewRow's guard, for each row: a UNION ALL of one SELECT per row
 * that reads its mailbox by primary key and yields the values only while it is still active, a
 * current read that waits for a deactivation holding the row. Without it a refresh that read a
 * mailbox as active before a deactivation committed put its SOGo row back after it.
 */
export async function refreshSogoViewRows(db: Queryable, usernames: readonly string[]): Promise<void> {
  const unique = [...new Set(usernames)];
  for (let i = 0; i < unique.length; i += SOGO_BATCH) {
    const batch = unique.slice(i, i + SOGO_BATCH);
    const expected = await expectedSogoRows(db, batch);
    if (expected.size) {
      const rows = [...expected.values()];
      const select = `SELECT ${SOGO_COLUMNS.map(() => '?').join(', ')} FROM mailbox WHERE mailbox.username = ? AND mailbox.active = '1'`;
      await db.query(
        `INSERT INTO _sogo_static_view (${SOGO_COLUMNS.join(', ')})
         ${rows.map(() => select).join(' UNION ALL ')}
         ON DUPLICATE KEY UPDATE domain = VALUES(domain), c_name = VALUES(c_name), c_password = VALUES(c_password), c_cn = VALUES(c_cn),
           mail = VALUES(mail), aliases = VALUES(aliases), ad_aliases = VALUES(ad_aliases), ext_acl = VALUES(ext_acl),
           kind = VALUES(kind), multiple_bookings = VALUES(multiple_bookings)`,
        rows.flatMap((r) => [...r, r[0]]),
      );
    }
    const gone = batch.filter((u) => !expected.has(u.toLowerCase()));
    if (gone.length) await db.query(`DELETE FROM _sogo_static_view WHERE c_uid IN (?)`, [gone]);
  }
}

/** What refreshSogoViewRows would write for these mailboxes: one row per active (1) mailbox, keyed by lower-cased c_uid. */
async function expectedSogoRows(db: Queryable, usernames: readonly string[]): Promise<Map<string, unknown[]>> {
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT mailbox.username, mailbox.domain, mailbox.name, mailbox.kind, mailbox.multiple_bookings,
            IFNULL((SELECT GROUP_CONCAT(ga.aliases ORDER BY ga.aliases SEPARATOR ' ') FROM grouped_mail_aliases ga
                     WHERE ga.username REGEXP CONCAT('(^|,)', mailbox.username, '($|,)')), '') AS aliases,
            IFNULL((SELECT gda.ad_alias FROM grouped_domain_alias_address gda WHERE gda.username = mailbox.username), '') AS ad_aliases,
            IFNULL((SELECT external_acl.send_as_acl FROM grouped_sender_acl_external external_acl WHERE external_acl.username = mailbox.username), '') AS ext_acl
       FROM mailbox
      WHERE mailbox.active = '1' AND mailbox.username IN (?)`,
    [usernames],
  );
  return new Map(
    rows.map((r) => [String(r.username).toLowerCase(), [r.username, r.domain, r.username, SOGO_STATIC_PASSWORD, r.name, r.username, r.aliases, r.ad_aliases, r.ext_acl, r.kind, r.multiple_bookings]]),
  );
}

export interface SogoDrift {
  /** 'scim' mailboxes, active, without their row. */
  missing: string[];
  /** 'scim' mailboxes whose row differs from what mailcow's refresh would write now. */
  wrong: string[];
  /** Rows mailcow's delete pass would remove: of an inactive 'scim' mailbox, or of no mailbox at all. */
  stale: string[];
}

/**
 * Every 'scim' mailbox's `_sogo_static_view` row against what mailcow's update_sogo_static_view()
 * would write from the mailbox's current state (docs/mailcow-facts.md §1.3, §2.6: active 1 has its
 * row, 0 and 2 none), and rows of mailboxes that no longer exist, which mailcow's delete pass
 * removes too. Rows of other mailboxes are mailcow's business and left out.
 */
export async function readSogoDrift(db: Queryable): Promise<SogoDrift> {
  const drift: SogoDrift = { missing: [], wrong: [], stale: [] };
  const [owned] = await db.query<RowDataPacket[]>(`SELECT username FROM mailbox WHERE authsource = 'scim' ORDER BY username`);
  const usernames = owned.map((r) => String(r.username));
  for (let i = 0; i < usernames.length; i += SOGO_BATCH) {
    const batch = usernames.slice(i, i + SOGO_BATCH);
    const expected = await expectedSogoRows(db, batch);
    const [actualRows] = await db.query<RowDataPacket[]>(`SELECT ${SOGO_COLUMNS.join(', ')} FROM _sogo_static_view WHERE c_uid IN (?)`, [batch]);
    const actual = new Map(actualRows.map((r) => [String(r.c_uid).toLowerCase(), SOGO_COLUMNS.map((c) => r[c])]));
    for (const u of batch) {
      const want = expected.get(u.toLowerCase());
      const have = actual.get(u.toLowerCase());
      if (want && !have) drift.missing.push(u);
      else if (!want && have) drift.stale.push(u);
      else if (want && have && want.some((v, k) => String(v ?? '') !== String(have[k] ?? ''))) drift.wrong.push(u);
    }
  }
  const [orphans] = await db.query<RowDataPacket[]>(
    `SELECT s.c_uid FROM _sogo_static_view s LEFT JOIN mailbox m ON m.username = s.c_uid WHERE m.username IS NULL ORDER BY s.c_uid`,
  );
  drift.stale.push(...orphans.map((r) => String(r.c_uid)));
  return drift;
}

/** Writes what readSogoDrift found wrong as mailcow's refresh would: upserts and deletes. */
export async function repairSogoDrift(db: Queryable, drift: SogoDrift): Promise<void> {
  await refreshSogoViewRows(db, [...drift.missing, ...drift.wrong, ...drift.stale]);
}
