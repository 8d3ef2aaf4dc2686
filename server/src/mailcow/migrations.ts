/**
 * Our own schema: the mailcow_scim_* tables (docs/architecture.md §3). mailcow's init_db drops
 * undeclared columns on its own tables, so everything the plugin needs lives here. The
 * `mailbox` column is declared exactly like mailbox.username (utf8mb4, default collation)
 * because the foreign key needs identical types.
 *
 * Migrations are forward-only and additive: a new one only adds (tables, columns, indexes),
 * never drops, renames or retypes what an older version reads, because an older image keeps
 * serving reads on a newer schema while it refuses writes (database-state.ts). A unit test
 * holds every statement to that.
 */
import { VERSION } from '../version.js';
import type { Queryable } from './queryable.js';
import { toDbTime } from './db-time.js';
import { renameDuplicateTokenNames } from './token-name-repair.js';
import { withLease, type Lease, type LeaseOptions } from './migration-lock.js';
import { repairResourceJson } from './resource-json-repair.js';

export interface Migration {
  version: number;
  name: string;
  /** Data work the statements depend on, run first (idempotent, like the statements). */
  prepare?: (db: Queryable) => Promise<unknown>;
  statements: string[];
}

const TABLE_ATTRS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 ROW_FORMAT=DYNAMIC';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tokens, users, e-mail index, owned aliases, events',
    statements: [
      `CREATE TABLE IF NOT EXISTS mailcow_scim_tokens (
        id CHAR(36) NOT NULL,
        name VARCHAR(255) NOT NULL,
        token_hash BINARY(32) NOT NULL,
        prefix VARCHAR(16) NOT NULL,
        policy LONGTEXT NOT NULL,
        active TINYINT(1) NOT NULL DEFAULT 1,
        revoked_at DATETIME(3) NULL,
        created_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        last_used_at DATETIME(3) NULL,
        last_used_ip VARCHAR(45) NULL,
        PRIMARY KEY (id),
        UNIQUE KEY uq_mailcow_scim_tokens_hash (token_hash)
      ) ${TABLE_ATTRS}`,
      `CREATE TABLE IF NOT EXISTS mailcow_scim_users (
        id CHAR(36) NOT NULL,
        token_id CHAR(36) NOT NULL,
        user_name VARCHAR(255) NOT NULL,
        user_name_lc VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
        external_id VARCHAR(255) COLLATE utf8mb4_bin NULL,
        display_name VARCHAR(255) NULL,
        display_name_lc VARCHAR(255) COLLATE utf8mb4_bin NULL,
        active TINYINT(1) NOT NULL DEFAULT 1,
        mailbox VARCHAR(255) NOT NULL,
        domain VARCHAR(255) NOT NULL,
        applied_template VARCHAR(255) NULL,
        resource LONGTEXT NOT NULL,
        version INT UNSIGNED NOT NULL DEFAULT 1,
        created_at DATETIME(3) NOT NULL,
        last_modified DATETIME(3) NOT NULL,
        PRIMARY KEY (id),
        UNIQUE KEY uq_mailcow_scim_users_name (token_id, user_name_lc),
        UNIQUE KEY uq_mailcow_scim_users_mailbox (mailbox),
        KEY ix_mailcow_scim_users_external (token_id, external_id),
        KEY ix_mailcow_scim_users_display (token_id, display_name_lc),
        KEY ix_mailcow_scim_users_created (token_id, created_at),
        KEY ix_mailcow_scim_users_modified (token_id, last_modified),
        CONSTRAINT fk_mailcow_scim_users_token FOREIGN KEY (token_id) REFERENCES mailcow_scim_tokens (id),
        CONSTRAINT fk_mailcow_scim_users_mailbox FOREIGN KEY (mailbox) REFERENCES mailbox (username) ON DELETE CASCADE
      ) ${TABLE_ATTRS}`,
      `CREATE TABLE IF NOT EXISTS mailcow_scim_user_emails (
        user_id CHAR(36) NOT NULL,
        token_id CHAR(36) NOT NULL,
        position SMALLINT UNSIGNED NOT NULL,
        value_lc VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
        type VARCHAR(64) NULL,
        is_primary TINYINT(1) NOT NULL DEFAULT 0,
        PRIMARY KEY (user_id, position),
        KEY ix_mailcow_scim_user_emails_value (token_id, value_lc),
        CONSTRAINT fk_mailcow_scim_user_emails_user FOREIGN KEY (user_id) REFERENCES mailcow_scim_users (id) ON DELETE CASCADE
      ) ${TABLE_ATTRS}`,
      `CREATE TABLE IF NOT EXISTS mailcow_scim_owned_aliases (
        address VARCHAR(255) NOT NULL,
        token_id CHAR(36) NOT NULL,
        kind VARCHAR(32) NOT NULL,
        user_id CHAR(36) NULL,
        group_id CHAR(36) NULL,
        created_at DATETIME(3) NOT NULL,
        PRIMARY KEY (address),
        KEY ix_mailcow_scim_owned_aliases_user (user_id),
        KEY ix_mailcow_scim_owned_aliases_group (group_id)
      ) ${TABLE_ATTRS}`,
      `CREATE TABLE IF NOT EXISTS mailcow_scim_events (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        at DATETIME(3) NOT NULL,
        token_id CHAR(36) NULL,
        request_id VARCHAR(64) NULL,
        operation VARCHAR(32) NOT NULL,
        resource_type VARCHAR(16) NULL,
        resource_id CHAR(36) NULL,
        mailbox VARCHAR(255) NULL,
        outcome VARCHAR(16) NOT NULL,
        status SMALLINT UNSIGNED NULL,
        detail TEXT NULL,
        client_ip VARCHAR(45) NULL,
        PRIMARY KEY (id),
        KEY ix_mailcow_scim_events_at (at),
        KEY ix_mailcow_scim_events_token (token_id, at),
        KEY ix_mailcow_scim_events_resource (resource_id)
      ) ${TABLE_ATTRS}`,
    ],
  },
  {
    version: 2,
    name: 'groups, group members, user-groups view',
    statements: [
      // `address` is the alias the group owns (lower case, as alias.address), NULL for a
      // policy-only group; unique across tokens, like the alias row itself.
      `CREATE TABLE IF NOT EXISTS mailcow_scim_groups (
        id CHAR(36) NOT NULL,
        token_id CHAR(36) NOT NULL,
        display_name VARCHAR(255) NOT NULL,
        display_name_lc VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
        external_id VARCHAR(255) COLLATE utf8mb4_bin NULL,
        address VARCHAR(255) NULL,
        address_source VARCHAR(16) NULL,
        resource LONGTEXT NOT NULL,
        version INT UNSIGNED NOT NULL DEFAULT 1,
        created_at DATETIME(3) NOT NULL,
        last_modified DATETIME(3) NOT NULL,
        PRIMARY KEY (id),
        UNIQUE KEY uq_mailcow_scim_groups_address (address),
        KEY ix_mailcow_scim_groups_display (token_id, display_name_lc),
        KEY ix_mailcow_scim_groups_external (token_id, external_id),
        KEY ix_mailcow_scim_groups_created (token_id, created_at),
        KEY ix_mailcow_scim_groups_modified (token_id, last_modified),
        CONSTRAINT fk_mailcow_scim_groups_token FOREIGN KEY (token_id) REFERENCES mailcow_scim_tokens (id)
      ) ${TABLE_ATTRS}`,
      // `sender_acl_id`: the sender_acl row the sidecar made for this member (send as the group
      // address), so only that row is ever removed again. `seq` keeps the order members joined in.
      `CREATE TABLE IF NOT EXISTS mailcow_scim_group_members (
        group_id CHAR(36) NOT NULL,
        user_id CHAR(36) NOT NULL,
        token_id CHAR(36) NOT NULL,
        sender_acl_id INT NULL,
        added_at DATETIME(3) NOT NULL,
        seq BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        PRIMARY KEY (group_id, user_id),
        UNIQUE KEY uq_mailcow_scim_group_members_seq (seq),
        KEY ix_mailcow_scim_group_members_user (user_id),
        KEY ix_mailcow_scim_group_members_token (token_id, user_id),
        CONSTRAINT fk_mailcow_scim_group_members_group FOREIGN KEY (group_id) REFERENCES mailcow_scim_groups (id) ON DELETE CASCADE,
        CONSTRAINT fk_mailcow_scim_group_members_user FOREIGN KEY (user_id) REFERENCES mailcow_scim_users (id) ON DELETE CASCADE
      ) ${TABLE_ATTRS}`,
      // A user's groups with their names, one row each: what filters on User `groups` read.
      `CREATE OR REPLACE VIEW mailcow_scim_user_groups AS
        SELECT m.user_id, m.token_id, m.group_id, g.display_name_lc
          FROM mailcow_scim_group_members m JOIN mailcow_scim_groups g ON g.id = m.group_id`,
    ],
  },
  {
    version: 3,
    name: 'users: index on token, domain and creation time',
    statements: [
      // Every Users list is scoped to a token and its domains (user-query.ts userScope): COUNT(*)
      // for totalResults reads this index alone instead of scanning the table
      // (tests/integration/query/explain-100k.test.ts; figures in docs/performance.md), and for a one-domain token the default
      // creation order and cursor pages walk it in order.
      `ALTER TABLE mailcow_scim_users ADD INDEX IF NOT EXISTS ix_mailcow_scim_users_scope (token_id, domain, created_at)`,
    ],
  },
  {
    version: 4,
    name: 'users, groups: the stored resource is always valid JSON',
    // Filters read the resource with MariaDB's JSON functions, which fail for the whole query
    // on one row they cannot parse. Rows stored before unpaired surrogates were refused are
    // repaired first (resource-json-repair.ts); the CHECK then refuses any write that is not
    // JSON, from this version or an older replica still running. Adding it copies the table
    // once (about 8 s for 100,000 users on a loaded two-core machine; writes wait meanwhile).
    prepare: repairResourceJson,
    statements: [
      `ALTER TABLE mailcow_scim_users ADD CONSTRAINT IF NOT EXISTS ck_mailcow_scim_users_resource CHECK (JSON_VALID(resource))`,
      `ALTER TABLE mailcow_scim_groups ADD CONSTRAINT IF NOT EXISTS ck_mailcow_scim_groups_resource CHECK (JSON_VALID(resource))`,
    ],
  },
  {
    version: 5,
    name: 'tokens: one live token per name',
    // Names are how admins (and `mailcow-scim token show NAME`) tell tokens apart; live tokens
    // that share a name are renamed first (token-name-repair.ts), then the key holds.
    prepare: renameDuplicateTokenNames,
    statements: [
      // Revoked tokens keep their name for the audit trail and free it: the key covers live ones.
      `ALTER TABLE mailcow_scim_tokens
         ADD COLUMN IF NOT EXISTS live_name VARCHAR(255) AS (IF(revoked_at IS NULL, name, NULL)) PERSISTENT,
         ADD UNIQUE KEY IF NOT EXISTS uq_mailcow_scim_tokens_live_name (live_name)`,
    ],
  },
  {
    version: 6,
    name: 'outbox: post-commit work recorded with the change',
    statements: [
      // Written in the change's own transaction, deleted once its work is done (outbox/,
      // docs/architecture.md §8.1). `next_attempt_at` is also the lease of whoever took the row: nobody
      // else takes it before then. Times are the database's UTC clock, so replicas agree.
      `CREATE TABLE IF NOT EXISTS mailcow_scim_outbox (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        kind VARCHAR(32) NOT NULL,
        subject VARCHAR(255) NULL,
        payload LONGTEXT NOT NULL,
        attempts INT UNSIGNED NOT NULL DEFAULT 0,
        next_attempt_at DATETIME(3) NOT NULL,
        last_error TEXT NULL,
        created_at DATETIME(3) NOT NULL,
        PRIMARY KEY (id),
        KEY ix_mailcow_scim_outbox_due (next_attempt_at),
        KEY ix_mailcow_scim_outbox_subject (kind, subject),
        CONSTRAINT ck_mailcow_scim_outbox_payload CHECK (JSON_VALID(payload))
      ) ${TABLE_ATTRS}`,
    ],
  },
  {
    version: 7,
    name: 'users: covering indexes for the list orders',
    statements: [
      // A token's list is scoped to its domains (user-query.ts userScope). With several domains
      // the scope index (migration 3) cannot give the creation order, and the (token, order)
      // indexes lack the domain, so every row skipped by OFFSET cost a read of the table row.
      // With the order, then the id (the tie-break), then the domain in the index, the default
      // order and sortBy=userName walk the index alone
      // (tests/integration/query/deep-pages.test.ts; docs/performance.md). userName sorts
      // without trailing-space padding (filter-sql.ts), which user_name_lc's collation has: the
      // order walks a virtual copy in that collation (no table copy; the index stores it).
      `ALTER TABLE mailcow_scim_users
         ADD COLUMN IF NOT EXISTS user_name_sort VARCHAR(255) COLLATE utf8mb4_nopad_bin AS (user_name_lc) VIRTUAL,
         ADD INDEX IF NOT EXISTS ix_mailcow_scim_users_created_scope (token_id, created_at, id, domain),
         ADD INDEX IF NOT EXISTS ix_mailcow_scim_users_name_scope (token_id, user_name_sort, id, domain)`,
    ],
  },
];

export const SCHEMA_TARGET_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The lease migrators take (migration-lock.ts). */
const MIGRATION_LOCK = 'migrate';

const META_DDL = `CREATE TABLE IF NOT EXISTS mailcow_scim_meta (
  name VARCHAR(100) NOT NULL,
  value TEXT NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (name)
) ${TABLE_ATTRS}`;

/** The applied plugin schema version (0 when none). */
export async function readSchemaVersion(db: Queryable): Promise<number> {
  const [tables] = await db.query<import('mysql2').RowDataPacket[]>(`SHOW TABLES LIKE 'mailcow_scim_meta'`);
  if (tables.length === 0) return 0;
  const [rows] = await db.query<import('mysql2').RowDataPacket[]>(
    `SELECT value FROM mailcow_scim_meta WHERE name = 'schema_version'`,
  );
  return rows.length ? Number(rows[0]!.value) : 0;
}

/** The mailcow-scim version that applied the newest migration ('' when unknown). */
export async function readSchemaWriter(db: Queryable): Promise<string> {
  const [rows] = await db.query<import('mysql2').RowDataPacket[]>(`SELECT value FROM mailcow_scim_meta WHERE name = 'schema_version_by'`).catch(() => [[]] as never);
  return rows[0] ? String(rows[0].value) : '';
}

export interface MigrationResult {
  from: number;
  to: number;
  applied: string[];
  /** The database has migrations this build does not know: nothing was touched, writes are refused. */
  ahead: boolean;
}

export interface MigrateOptions {
  /** The migrations to apply (tests); default MIGRATIONS. */
  migrations?: readonly Migration[];
  /** Recorded as the schema's writer (default: package.json's version). */
  version?: string;
  lease?: LeaseOptions;
}

/** Versions 1, 2, 3, … in order: a migration is never renumbered, reordered or taken back. */
export function checkForwardOnly(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name}: version ${m.version} where ${i + 1} was expected (versions are 1, 2, 3, … in order)`);
  });
}

/**
 * Applies pending migrations in order, forward only, exactly once across every sidecar that
 * starts at the same moment: the work runs under a lease (migration-lock.ts), and the version is
 * read again once the lease is held, so a replica that waited finds the work done. A database
 * already at the target costs two reads and no lock; one ahead of this build is left alone.
 * DDL auto-commits in MariaDB, so each statement is idempotent (IF NOT EXISTS) and a migration
 * is recorded only after all its statements ran: one interrupted half-way runs again whole.
 */
export async function migrate(db: Queryable, now: () => string, options: MigrateOptions = {}): Promise<MigrationResult> {
  const migrations = options.migrations ?? MIGRATIONS;
  checkForwardOnly(migrations);
  const target = migrations[migrations.length - 1]?.version ?? 0;
  const current = await readSchemaVersion(db);
  if (current >= target) return { from: current, to: current, applied: [], ahead: current > target };
  return withLease(db, MIGRATION_LOCK, (lease) => applyPending(db, now, migrations, lease, options.version ?? VERSION), options.lease);
}

async function applyPending(db: Queryable, now: () => string, migrations: readonly Migration[], lease: Lease, version: string): Promise<MigrationResult> {
  await db.query(META_DDL);
  const from = await readSchemaVersion(db);
  const target = migrations[migrations.length - 1]?.version ?? 0;
  if (from >= target) return { from, to: from, applied: [], ahead: from > target };
  const applied: string[] = [];
  for (const m of migrations) {
    if (m.version <= from) continue;
    await m.prepare?.(db);
    for (const sql of m.statements) await db.query(sql);
    // Recorded only by the lease's holder: a migrator that lost it stops here.
    await lease.confirm();
    const at = toDbTime(now());
    await db.query(
      `INSERT INTO mailcow_scim_meta (name, value, updated_at) VALUES ('schema_version', ?, ?), (?, ?, ?), ('schema_version_by', ?, ?)
       ON DUPLICATE KEY UPDATE value = VALUES(value), updated_at = VALUES(updated_at)`,
      [String(m.version), at, `migration:${String(m.version).padStart(4, '0')}`, m.name, at, version, at],
    );
    applied.push(`${m.version}: ${m.name}`);
  }
  return { from, to: target, applied, ahead: false };
}
