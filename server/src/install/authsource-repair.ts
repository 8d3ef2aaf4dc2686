/**
 * Puts the 'scim' marker back where our own tables say it belongs (docs/architecture.md §3: ownership is
 * the row in mailcow_scim_users, `mailbox.authsource='scim'` the marker mailcow's PHP sees).
 * Two sources: mailcow_scim_users (every owned mailbox), and mailcow_scim_authsource_parking,
 * which the php-fpm ENUM guard hook fills while a mailcow migration runs (deploy/phpfpm/).
 * `modified = modified` keeps mailcow's change timestamp as it was, as the hook does.
 * (Rows are typed here rather than through mysql2's types: only mailcow/ imports mysql2.)
 */
import type { DatabasePool } from '../mailcow/queryable.js';
import { withTransaction } from '../mailcow/transaction.js';

/** The table deploy/phpfpm/mailcow-scim-enum-guard.sh creates while it parks 'scim' rows. */
export const PARKING_TABLE = 'mailcow_scim_authsource_parking';

export interface OwnershipDrift {
  /** Owned mailboxes whose authsource is not 'scim' (mailbox → what it is now). */
  ownedNotScim: { mailbox: string; authsource: string | null }[];
  /** Mailboxes the hook parked and has not restored yet. */
  parked: string[];
}

type Row = Record<string, unknown>;

async function rowsOf(db: DatabasePool, sql: string, params: unknown[] = []): Promise<Row[]> {
  const [rows] = await db.query(sql, params);
  return rows as Row[];
}

async function tableExists(db: DatabasePool, name: string): Promise<boolean> {
  return (await rowsOf(db, 'SHOW TABLES LIKE ?', [name])).length > 0;
}

export async function readOwnershipDrift(db: DatabasePool): Promise<OwnershipDrift> {
  const drift: OwnershipDrift = { ownedNotScim: [], parked: [] };
  if (await tableExists(db, 'mailcow_scim_users')) {
    const rows = await rowsOf(
      db,
      `SELECT u.mailbox, m.authsource FROM mailcow_scim_users u JOIN mailbox m ON m.username = u.mailbox
        WHERE m.authsource IS NULL OR m.authsource <> 'scim' ORDER BY u.mailbox`,
    );
    drift.ownedNotScim = rows.map((r) => ({ mailbox: String(r.mailbox), authsource: r.authsource === null ? null : String(r.authsource) }));
  }
  if (await tableExists(db, PARKING_TABLE)) {
    const rows = await rowsOf(db, `SELECT mailbox FROM ${PARKING_TABLE} ORDER BY mailbox`);
    drift.parked = rows.map((r) => String(r.mailbox));
  }
  return drift;
}

/**
 * Sets 'scim' on every owned mailbox and every parked one (the ENUM must accept it: call
 * ensureScimAuthsource first), and empties the parking table. Returns how many mailboxes changed.
 */
export async function restoreScimAuthsource(db: DatabasePool): Promise<{ owned: number; parked: number }> {
  const hasUsers = await tableExists(db, 'mailcow_scim_users');
  const hasParking = await tableExists(db, PARKING_TABLE);
  return withTransaction(db, async (conn) => {
    let owned = 0;
    let parked = 0;
    if (hasUsers) {
      const [r] = await conn.query(
        `UPDATE mailbox m JOIN mailcow_scim_users u ON u.mailbox = m.username
            SET m.authsource = 'scim', m.modified = m.modified
          WHERE m.authsource IS NULL OR m.authsource <> 'scim'`,
      );
      owned = (r as { affectedRows: number }).affectedRows;
    }
    if (hasParking) {
      const [r] = await conn.query(
        `UPDATE mailbox m JOIN ${PARKING_TABLE} p ON p.mailbox = m.username
            SET m.authsource = 'scim', m.modified = m.modified
          WHERE m.authsource = 'mailcow' OR m.authsource = '' OR m.authsource IS NULL`,
      );
      parked = (r as { affectedRows: number }).affectedRows;
      await conn.query(`DELETE FROM ${PARKING_TABLE}`);
    }
    return { owned, parked };
  });
}
