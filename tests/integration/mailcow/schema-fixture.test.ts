/**
 * Our SQL of mailcow's schema (tests/fixtures/mailcow-schema/), which every integration test, the
 * benchmark and the demo load, against the schema mailcow's own init_db_schema() creates: an
 * unchanged copy of release 2026-07a (tests/fixtures/mailcow-upstream/) is run with the machine's
 * PHP on one fresh database, our SQL on another, and their information_schema is compared. A
 * failure names the table and the field that differ; docs/mailcow-facts.md, "Refreshing the
 * schema fixture", says what to do about it.
 *
 * The second half checks facts docs/mailcow-facts.md states about that schema on the database
 * mailcow's code made, not on ours.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { installMailcowSchemaFixture, MAILCOW_SCHEMA_FIXTURE_DIR } from '../../../server/src/cli/mailcow-schema-fixture.js';
import { MAILCOW_AUTHSOURCES, MAILCOW_DB_SCHEMA_VERSION } from '../../../server/src/mailcow/mailcow-release.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';
import { run } from '../php-bridge/php-run.js';

/**
 * Tables mailcow's init_db declares that the fixture leaves out, because nothing in mailcow-scim
 * reads or writes them. A table a new mailcow release adds fails the test until it is put here or
 * into schema.sql.
 */
const LEFT_OUT = [
  'admin', 'da_acl', 'da_sso', 'domain_admins', 'domain_wide_footer', 'forwarding_hosts', 'mta_sts',
  'oauth_clients', 'recipient_maps', 'relayhosts', 'reset_password', 'settingsmap', 'sogo_admin',
  'sogo_alarms_folder', 'sogo_sessions_folder', 'tags_domain', 'tls_policy_override', 'transports',
].sort();

/** The tables schema.sql creates, in its order (read from the file so each gets its own test). */
const FIXTURE_TABLES = [
  ...readFileSync(`${MAILCOW_SCHEMA_FIXTURE_DIR}/schema.sql`, 'utf8').matchAll(/^CREATE TABLE IF NOT EXISTS `([^`]+)`/gm),
].map((m) => m[1]!);

interface Snapshot {
  baseTables: string[];
  views: Record<string, unknown>;
  table(name: string): unknown;
  rows(sql: string): Promise<RowDataPacket[]>;
}

/** What information_schema says about one database, with its name taken out of view definitions. */
async function snapshot(db: TestDatabase): Promise<Snapshot> {
  const q = async (sql: string): Promise<RowDataPacket[]> => (await db.pool.query<RowDataPacket[]>(sql, [db.name]))[0];
  const byTable = (rows: RowDataPacket[]) => {
    const out = new Map<string, Record<string, unknown>[]>();
    for (const { t, ...rest } of rows) out.set(String(t), [...(out.get(String(t)) ?? []), rest]);
    return out;
  };
  const tables = await q(
    `SELECT TABLE_NAME AS t, TABLE_TYPE AS type, ENGINE AS engine, ROW_FORMAT AS rowFormat, TABLE_COLLATION AS collation, CREATE_OPTIONS AS options
       FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`,
  );
  const columns = byTable(
    await q(
      `SELECT TABLE_NAME AS t, ORDINAL_POSITION AS position, COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable,
              COLUMN_DEFAULT AS \`default\`, EXTRA AS extra, CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation,
              GENERATION_EXPRESSION AS generated, COLUMN_COMMENT AS comment
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    ),
  );
  const indexes = byTable(
    await q(
      `SELECT TABLE_NAME AS t, INDEX_NAME AS name, NON_UNIQUE AS nonUnique, SEQ_IN_INDEX AS seq, COLUMN_NAME AS \`column\`,
              SUB_PART AS subPart, INDEX_TYPE AS type, NULLABLE AS nullable
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    ),
  );
  const foreignKeys = byTable(
    await q(
      `SELECT k.TABLE_NAME AS t, k.CONSTRAINT_NAME AS name, k.ORDINAL_POSITION AS position, k.COLUMN_NAME AS \`column\`,
              k.REFERENCED_TABLE_NAME AS refTable, k.REFERENCED_COLUMN_NAME AS refColumn, r.UPDATE_RULE AS onUpdate, r.DELETE_RULE AS onDelete
         FROM information_schema.KEY_COLUMN_USAGE k
         JOIN information_schema.REFERENTIAL_CONSTRAINTS r
           ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
        WHERE k.TABLE_SCHEMA = ? ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
    ),
  );
  const checks = byTable(
    await q(
      `SELECT TABLE_NAME AS t, CONSTRAINT_NAME AS name, CHECK_CLAUSE AS clause
         FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? ORDER BY TABLE_NAME, CONSTRAINT_NAME`,
    ),
  );
  const schemaName = new RegExp(`\`${db.name}\`\\.`, 'g');
  const views: Record<string, unknown> = {};
  for (const v of await q(
    `SELECT TABLE_NAME AS t, VIEW_DEFINITION AS definition, CHECK_OPTION AS checkOption, IS_UPDATABLE AS updatable,
            SECURITY_TYPE AS security, ALGORITHM AS algorithm
       FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`,
  )) {
    const { t, definition, ...rest } = v;
    views[String(t)] = { ...rest, definition: String(definition).replace(schemaName, ''), columns: columns.get(String(t)) };
  }
  const tableInfo = new Map(tables.map(({ t, ...rest }) => [String(t), rest]));
  return {
    baseTables: tables.filter((t) => t.type === 'BASE TABLE').map((t) => String(t.t)),
    views,
    table: (name) =>
      tableInfo.has(name)
        ? {
            ...tableInfo.get(name),
            columns: columns.get(name) ?? [],
            indexes: indexes.get(name) ?? [],
            foreignKeys: foreignKeys.get(name) ?? [],
            checks: checks.get(name) ?? [],
          }
        : undefined,
    rows: async (sql) => (await db.pool.query<RowDataPacket[]>(sql))[0],
  };
}

let mailcowDb: TestDatabase;
let fixtureDb: TestDatabase;
let mailcow: Snapshot;
let ours: Snapshot;

beforeAll(async () => {
  [mailcowDb, fixtureDb] = await Promise.all([createTestDatabase({ mailcow: false }), createTestDatabase({ mailcow: false })]);
  const url = new URL(mailcowDb.url);
  const r = await run('php', ['tests/helpers/run-mailcow-init-db.php', 'tests/fixtures/mailcow-upstream'], {
    env: {
      MCS_DB_HOST: url.hostname || '127.0.0.1',
      MCS_DB_PORT: url.port || '3306',
      MCS_DB_USER: decodeURIComponent(url.username || 'root'),
      MCS_DB_PASS: decodeURIComponent(url.password),
      MCS_DB_NAME: mailcowDb.name,
    },
    timeoutMs: 60_000,
  });
  expect(r, 'mailcow init_db_schema() ran').toMatchObject({ code: 0, stdout: 'DB initialization completed\n' });
  await installMailcowSchemaFixture(fixtureDb.pool);
  [mailcow, ours] = await Promise.all([snapshot(mailcowDb), snapshot(fixtureDb)]);
});

afterAll(async () => {
  await mailcowDb?.drop();
  await fixtureDb?.drop();
});

describe('the schema fixture is the schema mailcow 2026-07a creates', () => {
  it('has every table mailcow declares, except the ones listed as left out', () => {
    expect(ours.baseTables.filter((t) => !mailcow.baseTables.includes(t)), 'tables mailcow does not have').toEqual([]);
    expect(mailcow.baseTables.filter((t) => !ours.baseTables.includes(t)).sort(), 'tables left out').toEqual(LEFT_OUT);
    expect(FIXTURE_TABLES.slice().sort()).toEqual(ours.baseTables.slice().sort());
  });

  it.each(FIXTURE_TABLES)('table %s: engine, row format, collation, columns, keys, foreign keys, checks', (table) => {
    expect(ours.table(table)).toEqual(mailcow.table(table));
  });

  it('has the same views, defined the same way', () => {
    expect(Object.keys(ours.views)).toEqual(Object.keys(mailcow.views));
    for (const name of Object.keys(mailcow.views)) expect(ours.views[name], name).toEqual(mailcow.views[name]);
  });

  it('has the same seed rows: the schema version and both Default templates', async () => {
    const seed = async (s: Snapshot) => ({
      versions: await s.rows('SELECT application, version FROM versions ORDER BY application'),
      templates: await s.rows('SELECT id, template, type, attributes, modified FROM templates ORDER BY id'),
    });
    const expected = await seed(mailcow);
    expect(await seed(ours)).toEqual(expected);
    expect(expected.versions).toEqual([{ application: 'db_schema', version: MAILCOW_DB_SCHEMA_VERSION }]);
  });

  it('changes nothing when loaded a second time (as init_db on an up-to-date database)', async () => {
    await installMailcowSchemaFixture(fixtureDb.pool);
    const again = await snapshot(fixtureDb);
    for (const table of FIXTURE_TABLES) expect(again.table(table), table).toEqual(ours.table(table));
    expect(again.views).toEqual(ours.views);
    expect(await again.rows('SELECT COUNT(*) AS n FROM templates')).toEqual([{ n: 2 }]);
  });
});

describe("facts of docs/mailcow-facts.md, on the database mailcow's code made", () => {
  const pool = (): Pool => mailcowDb.pool;
  const rows = async (sql: string, params: unknown[] = []) => (await pool().query<RowDataPacket[]>(sql, params))[0];
  const insertMailbox = (username: string) =>
    pool().query(
      `INSERT INTO mailbox (username, password, name, quota, local_part, domain, attributes, authsource, active)
       VALUES (?, '', 'Test', 1073741824, ?, ?, '{}', 'mailcow', 1)`,
      [username, ...username.split('@')],
    );

  it("§0 fact 1: mailbox.authsource is mailcow's four values, NULL allowed, default 'mailcow'; 'scim' is refused (1265)", async () => {
    const [col] = await rows("SHOW COLUMNS FROM mailbox LIKE 'authsource'");
    expect(col).toMatchObject({ Type: `enum(${MAILCOW_AUTHSOURCES.map((v) => `'${v}'`).join(',')})`, Null: 'YES', Default: 'mailcow' });
    await expect(
      pool().query("INSERT INTO mailbox (username, password, local_part, domain, authsource) VALUES ('x@example.org', '', 'x', 'example.org', 'scim')"),
    ).rejects.toMatchObject({ errno: 1265 });
  });

  it('§1.3: a bare mailbox row gets quota 102400 bytes, custom_attributes {}, kind empty, multiple_bookings -1', async () => {
    await pool().query("INSERT INTO mailbox (username, password, local_part, domain) VALUES ('d@example.org', '', 'd', 'example.org')");
    const [mb] = await rows("SELECT quota, custom_attributes, authsource, active, kind, multiple_bookings, mailbox_path_prefix, modified FROM mailbox WHERE username = 'd@example.org'");
    expect(mb).toEqual({
      quota: 102400,
      custom_attributes: '{}',
      authsource: 'mailcow',
      active: 1,
      kind: '',
      multiple_bookings: -1,
      mailbox_path_prefix: '/var/vmail/',
      modified: null,
    });
    await pool().query("DELETE FROM mailbox WHERE username = 'd@example.org'");
  });

  it('§1.3: four foreign keys point at mailbox.username, all ON DELETE CASCADE; the only other one is tags_domain → domain', async () => {
    expect(
      await rows(
        `SELECT TABLE_NAME AS t, CONSTRAINT_NAME AS c, DELETE_RULE AS del, UPDATE_RULE AS upd, REFERENCED_TABLE_NAME AS ref
           FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? ORDER BY TABLE_NAME`,
        [mailcowDb.name],
      ),
    ).toEqual([
      { t: 'app_passwd', c: 'fk_username_app_passwd', del: 'CASCADE', upd: 'NO ACTION', ref: 'mailbox' },
      { t: 'sieve_filters', c: 'fk_username_sieve_global_before', del: 'CASCADE', upd: 'NO ACTION', ref: 'mailbox' },
      { t: 'tags_domain', c: 'fk_tags_domain', del: 'CASCADE', upd: 'NO ACTION', ref: 'domain' },
      { t: 'tags_mailbox', c: 'fk_tags_mailbox', del: 'CASCADE', upd: 'NO ACTION', ref: 'mailbox' },
      { t: 'user_acl', c: 'fk_username', del: 'CASCADE', upd: 'NO ACTION', ref: 'mailbox' },
    ]);
  });

  it('§1.3: deleting a mailbox cascades into user_acl, tags_mailbox, sieve_filters, app_passwd, not quota2', async () => {
    const user = 'c1@example.org';
    await insertMailbox(user);
    await pool().query('INSERT INTO user_acl (username) VALUES (?)', [user]);
    await pool().query("INSERT INTO tags_mailbox (tag_name, username) VALUES ('sales', ?), ('scim', ?)", [user, user]);
    await pool().query("INSERT INTO sieve_filters (username, script_desc, script_name, script_data, filter_type) VALUES (?, 'd', 'active', 'keep;', 'prefilter')", [user]);
    await pool().query("INSERT INTO app_passwd (name, mailbox, domain, password) VALUES ('phone', ?, 'example.org', 'x')", [user]);
    await pool().query('INSERT INTO quota2 (username) VALUES (?)', [user]);
    await pool().query('DELETE FROM mailbox WHERE username = ?', [user]);
    const count = async (table: string, column = 'username') => Number((await rows(`SELECT COUNT(*) AS n FROM ${table} WHERE ${column} = ?`, [user]))[0]!.n);
    expect({
      user_acl: await count('user_acl'),
      tags_mailbox: await count('tags_mailbox'),
      sieve_filters: await count('sieve_filters'),
      app_passwd: await count('app_passwd', 'mailbox'),
      quota2: await count('quota2'),
    }).toEqual({ user_acl: 0, tags_mailbox: 0, sieve_filters: 0, app_passwd: 0, quota2: 1 });
    await pool().query('DELETE FROM quota2 WHERE username = ?', [user]);
  });

  it('§1.3: grouped_mail_aliases lists active, SOGo-visible aliases other than the self-alias and catch-alls, sorted', async () => {
    await pool().query(
      `INSERT INTO alias (address, goto, domain, active, sogo_visible) VALUES
        ('a1@example.org', 'a1@example.org', 'example.org', 1, 1), ('sales@example.org', 'a1@example.org', 'example.org', 1, 1),
        ('info@example.org', 'a1@example.org', 'example.org', 1, 1), ('off@example.org', 'a1@example.org', 'example.org', 0, 1),
        ('@catchall.example.org', 'a1@example.org', 'example.org', 1, 1), ('hidden@example.org', 'a1@example.org', 'example.org', 1, 0)`,
    );
    expect(await rows("SELECT username, aliases FROM grouped_mail_aliases WHERE username = 'a1@example.org'")).toEqual([
      { username: 'a1@example.org', aliases: 'info@example.org sales@example.org' },
    ]);
    await pool().query("DELETE FROM alias WHERE goto = 'a1@example.org'");
  });

  it('§1.3: grouped_domain_alias_address and grouped_sender_acl_external feed ad_aliases and ext_acl', async () => {
    await insertMailbox('v1@example.org');
    await pool().query("INSERT INTO alias_domain (alias_domain, target_domain, active) VALUES ('example.net', 'example.org', 0)");
    await pool().query(
      `INSERT INTO sender_acl (logged_in_as, send_as, external) VALUES
        ('v1@example.org', 'ext@foreign.test', 1), ('v1@example.org', 'internal@example.org', 0), ('v1@example.org', '@foreign.test', 1)`,
    );
    // An inactive alias domain is listed too: the view does not look at alias_domain.active.
    expect(await rows("SELECT ad_alias FROM grouped_domain_alias_address WHERE username = 'v1@example.org'")).toEqual([{ ad_alias: 'v1@example.net' }]);
    expect(await rows("SELECT send_as_acl FROM grouped_sender_acl_external WHERE username = 'v1@example.org'")).toEqual([{ send_as_acl: 'ext@foreign.test' }]);
    await pool().query("DELETE FROM sender_acl WHERE logged_in_as = 'v1@example.org'");
    await pool().query("DELETE FROM alias_domain WHERE alias_domain = 'example.net'");
    await pool().query("DELETE FROM mailbox WHERE username = 'v1@example.org'");
  });

  it('§1.4, A.1: the Default mailbox template hashes to attribute_hash c63d56c9… (SHA-1 of its text as a PHP JSON string)', async () => {
    const [row] = await rows("SELECT attributes FROM templates WHERE type = 'mailbox' AND template = 'Default'");
    const text = String(row!.attributes);
    const phpJsonString = JSON.stringify(text)
      .replaceAll('/', '\\/')
      .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    const sha1 = (s: string) => createHash('sha1').update(s, 'utf8').digest('hex');
    expect(sha1(phpJsonString)).toBe('c63d56c97072ca649e4bb8af48835600ac8808e3');
    // The raw text hashes differently, so hashing the wrong thing cannot pass.
    expect(sha1(text).startsWith('356d066c')).toBe(true);
    expect(Object.keys(JSON.parse(text))).toHaveLength(32);
  });
});
