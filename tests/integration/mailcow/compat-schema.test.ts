import { createHash, randomBytes } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import mysql from 'mysql2/promise';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import {
  DEFAULT_MAILBOX_TEMPLATE_ATTRIBUTES,
  MAILCOW_AUTHSOURCES,
  MAILCOW_DB_SCHEMA_VERSION,
  installMailcowCompatSchema,
  mailcowCompatSchemaStatements,
} from '../../../server/src/mailcow/compat-schema.js';

// Kept local on purpose: this file must not depend on the shared tests/helpers/mariadb.ts.
const serverUrl = process.env.MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';
const dbName = `mcs_test_compat_${randomBytes(6).toString('hex')}`;

function urlForDatabase(database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

// The text of mailcow-integration.md A.1, written out independently of the module under test.
const A1_MAILBOX_TEMPLATE =
  '{"tags":[],"quota":0,"quarantine_notification":"hourly","quarantine_category":"reject","rl_frame":"s","rl_value":"","force_pw_update":0,"force_tfa":0,"sogo_access":1,"active":1,"tls_enforce_in":0,"tls_enforce_out":0,"imap_access":1,"pop3_access":1,"smtp_access":1,"sieve_access":1,"eas_access":1,"dav_access":1,"acl_spam_alias":1,"acl_tls_policy":1,"acl_spam_score":1,"acl_spam_policy":1,"acl_delimiter_action":1,"acl_syncjobs":0,"acl_eas_reset":1,"acl_sogo_profile_reset":0,"acl_pushover":1,"acl_quarantine":1,"acl_quarantine_attachments":1,"acl_quarantine_notification":1,"acl_quarantine_category":1,"acl_app_passwds":1}';

const A1_DOMAIN_TEMPLATE =
  '{"tags":[],"max_num_aliases_for_domain":400,"max_num_mboxes_for_domain":10,"def_quota_for_mbox":3221225472,"max_quota_for_mbox":10737418240,"max_quota_for_domain":10737418240,"rl_frame":"s","rl_value":"","active":1,"gal":1,"backupmx":0,"relay_all_recipients":0,"relay_unknown_only":0,"dkim_selector":"dkim","key_size":2048}';

/** PHP json_encode() of a string with default flags: also escapes "/" and non-ASCII (§1.4). */
function phpJsonEncodeString(value: string): string {
  return JSON.stringify(value)
    .replaceAll('/', '\\/')
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const EXPECTED_TABLES = [
  'mailbox', 'alias', 'quota2', 'quota2replica', 'user_acl', 'tags_mailbox', 'sender_acl',
  'templates', 'domain', 'alias_domain', 'spamalias', 'identity_provider', '_sogo_static_view',
  'logs', 'versions', 'app_passwd', 'sieve_filters', 'tfa', 'fido2', 'pushover', 'bcc_maps',
  'filterconf', 'imapsync', 'quarantine', 'sasl_log', 'api',
];
const EXPECTED_VIEWS = [
  'grouped_mail_aliases', 'grouped_domain_alias_address', 'grouped_sender_acl_external',
  'grouped_sender_acl',
];

let admin: mysql.Connection;
let pool: Pool;

async function rows<T extends RowDataPacket>(sql: string, params: unknown[] = []): Promise<T[]> {
  const [result] = await pool.query<T[]>(sql, params);
  return result;
}

async function columnDefault(table: string, column: string): Promise<string | null> {
  const [col] = await rows<RowDataPacket>(
    `SELECT COLUMN_DEFAULT AS d FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?`,
    [dbName, table, column],
  );
  expect(col, `${table}.${column} exists`).toBeDefined();
  return col.d as string | null;
}

async function insertMailbox(username: string): Promise<void> {
  const [localPart, domain] = username.split('@');
  await pool.query(
    `INSERT INTO mailbox (username, password, name, quota, local_part, domain, attributes, authsource, active)
     VALUES (?, '', 'Test', 1073741824, ?, ?, '{}', 'mailcow', 1)`,
    [username, localPart, domain],
  );
}

beforeAll(async () => {
  admin = await mysql.createConnection(serverUrl);
  await admin.query(`CREATE DATABASE \`${dbName}\``);
  // mysql2 sees MariaDB's `json` column metadata and would hand back parsed objects; the hash and
  // the A.1 comparison need the text exactly as stored.
  pool = mysql.createPool({ uri: urlForDatabase(dbName), connectionLimit: 2, jsonStrings: true });
  await installMailcowCompatSchema(pool);
});

afterAll(async () => {
  await pool?.end();
  await admin?.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
  await admin?.end();
});

describe('mailcow compat schema', () => {
  it('creates every table the sidecar touches, with mailcow table attributes', async () => {
    const found = await rows<RowDataPacket>(
      `SELECT TABLE_NAME AS name, ENGINE AS engine, ROW_FORMAT AS rowFormat, TABLE_COLLATION AS coll
         FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'`,
      [dbName],
    );
    const names = found.map((r) => r.name as string);
    expect(names).toEqual(expect.arrayContaining(EXPECTED_TABLES));
    for (const r of found) {
      expect(r.engine, r.name).toBe('InnoDB');
      expect(r.rowFormat, r.name).toBe('Dynamic');
      expect(r.coll as string, r.name).toMatch(/^utf8mb4_/);
    }
  });

  it('creates the views update_sogo_static_view() reads', async () => {
    const found = await rows<RowDataPacket>(
      `SELECT TABLE_NAME AS name FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?`,
      [dbName],
    );
    expect(found.map((r) => r.name as string)).toEqual(expect.arrayContaining(EXPECTED_VIEWS));
  });

  it("declares mailbox.authsource with mailcow's four values only (no 'scim')", async () => {
    const [col] = await rows<RowDataPacket>("SHOW COLUMNS FROM mailbox LIKE 'authsource'");
    expect(col.Type).toBe("enum('mailcow','keycloak','generic-oidc','ldap')");
    expect(col.Null).toBe('YES');
    expect(col.Default).toBe('mailcow');
    expect(MAILCOW_AUTHSOURCES).toEqual(['mailcow', 'keycloak', 'generic-oidc', 'ldap']);
    await expect(
      pool.query(
        `INSERT INTO mailbox (username, password, local_part, domain, authsource)
         VALUES ('x@example.org', '', 'x', 'example.org', 'scim')`,
      ),
    ).rejects.toMatchObject({ errno: 1265 });
  });

  it('seeds versions.db_schema', async () => {
    const found = await rows<RowDataPacket>(
      "SELECT version FROM versions WHERE application = 'db_schema'",
    );
    expect(found).toEqual([{ version: '19022026_1220' }]);
    expect(MAILCOW_DB_SCHEMA_VERSION).toBe('19022026_1220');
  });

  it('seeds the Default domain template, then the Default mailbox template (A.1)', async () => {
    const found = await rows<RowDataPacket>(
      'SELECT id, template, type, attributes, modified FROM templates ORDER BY id',
    );
    expect(found).toEqual([
      { id: 1, template: 'Default', type: 'domain', attributes: A1_DOMAIN_TEMPLATE, modified: null },
      { id: 2, template: 'Default', type: 'mailbox', attributes: A1_MAILBOX_TEMPLATE, modified: null },
    ]);
    expect(DEFAULT_MAILBOX_TEMPLATE_ATTRIBUTES).toBe(A1_MAILBOX_TEMPLATE);
  });

  it('gives the Default mailbox template the attribute_hash mailcow computes (§1.4)', async () => {
    const [row] = await rows<RowDataPacket>(
      "SELECT attributes FROM templates WHERE type = 'mailbox' AND template = 'Default'",
    );
    const sha1 = (s: string): string => createHash('sha1').update(s, 'utf8').digest('hex');
    expect(sha1(phpJsonEncodeString(row.attributes as string))).toBe(
      'c63d56c97072ca649e4bb8af48835600ac8808e3',
    );
    // The raw text hashes differently; guards against hashing the wrong thing (§1.4).
    expect(sha1(row.attributes as string).startsWith('356d066c')).toBe(true);
  });

  it('keeps the column defaults mailcow declares', async () => {
    expect(await columnDefault('mailbox', 'quota')).toBe('102400');
    expect(await columnDefault('user_acl', 'pw_reset')).toBe('1');
    expect(await columnDefault('alias', 'sogo_visible')).toBe('1');
    expect(await columnDefault('_sogo_static_view', 'multiple_bookings')).toBe('-1');
    // A bare insert must land on the same defaults a mailcow row gets.
    await pool.query(
      "INSERT INTO mailbox (username, password, local_part, domain) VALUES ('d@example.org', '', 'd', 'example.org')",
    );
    const [mb] = await rows<RowDataPacket>(
      "SELECT quota, custom_attributes, authsource, active, kind, multiple_bookings, mailbox_path_prefix FROM mailbox WHERE username = 'd@example.org'",
    );
    expect(mb).toMatchObject({
      quota: 102400,
      custom_attributes: '{}',
      authsource: 'mailcow',
      active: 1,
      kind: '',
      multiple_bookings: -1,
      mailbox_path_prefix: '/var/vmail/',
    });
    await pool.query("DELETE FROM mailbox WHERE username = 'd@example.org'");
  });

  it('shows an active, visible alias with address != goto in grouped_mail_aliases', async () => {
    await pool.query(
      `INSERT INTO alias (address, goto, domain, active) VALUES
        ('a1@example.org', 'a1@example.org', 'example.org', 1),
        ('sales@example.org', 'a1@example.org', 'example.org', 1),
        ('info@example.org', 'a1@example.org', 'example.org', 1),
        ('off@example.org', 'a1@example.org', 'example.org', 0),
        ('@catchall.example.org', 'a1@example.org', 'example.org', 1)`,
    );
    await pool.query(
      `INSERT INTO alias (address, goto, domain, active, sogo_visible)
       VALUES ('hidden@example.org', 'a1@example.org', 'example.org', 1, 0)`,
    );
    const found = await rows<RowDataPacket>(
      "SELECT username, aliases FROM grouped_mail_aliases WHERE username = 'a1@example.org'",
    );
    expect(found).toEqual([
      { username: 'a1@example.org', aliases: 'info@example.org sales@example.org' },
    ]);
    await pool.query("DELETE FROM alias WHERE goto = 'a1@example.org'");
  });

  it('feeds grouped_domain_alias_address and grouped_sender_acl_external', async () => {
    await insertMailbox('v1@example.org');
    await pool.query(
      "INSERT INTO alias_domain (alias_domain, target_domain) VALUES ('example.net', 'example.org')",
    );
    await pool.query(
      `INSERT INTO sender_acl (logged_in_as, send_as, external) VALUES
        ('v1@example.org', 'ext@foreign.test', 1),
        ('v1@example.org', 'internal@example.org', 0),
        ('v1@example.org', '@foreign.test', 1)`,
    );
    expect(
      await rows<RowDataPacket>(
        "SELECT ad_alias FROM grouped_domain_alias_address WHERE username = 'v1@example.org'",
      ),
    ).toEqual([{ ad_alias: 'v1@example.net' }]);
    expect(
      await rows<RowDataPacket>(
        "SELECT send_as_acl FROM grouped_sender_acl_external WHERE username = 'v1@example.org'",
      ),
    ).toEqual([{ send_as_acl: 'ext@foreign.test' }]);
    await pool.query("DELETE FROM sender_acl WHERE logged_in_as = 'v1@example.org'");
    await pool.query("DELETE FROM alias_domain WHERE alias_domain = 'example.net'");
    await pool.query("DELETE FROM mailbox WHERE username = 'v1@example.org'");
  });

  it('cascades a mailbox delete into user_acl, tags_mailbox, sieve_filters and app_passwd', async () => {
    const user = 'c1@example.org';
    await insertMailbox(user);
    await pool.query('INSERT INTO user_acl (username) VALUES (?)', [user]);
    await pool.query("INSERT INTO tags_mailbox (tag_name, username) VALUES ('sales', ?), ('scim', ?)", [
      user,
      user,
    ]);
    await pool.query(
      "INSERT INTO sieve_filters (username, script_desc, script_name, script_data, filter_type) VALUES (?, 'd', 'active', 'keep;', 'prefilter')",
      [user],
    );
    await pool.query(
      "INSERT INTO app_passwd (name, mailbox, domain, password) VALUES ('phone', ?, 'example.org', 'x')",
      [user],
    );
    // A quota row has no FK in mailcow: it must survive, the sidecar deletes it explicitly (§2.4).
    await pool.query('INSERT INTO quota2 (username) VALUES (?)', [user]);

    await pool.query('DELETE FROM mailbox WHERE username = ?', [user]);

    const count = async (sql: string): Promise<number> =>
      Number((await rows<RowDataPacket>(sql, [user]))[0].n);
    expect(await count('SELECT COUNT(*) AS n FROM user_acl WHERE username = ?')).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM tags_mailbox WHERE username = ?')).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM sieve_filters WHERE username = ?')).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM app_passwd WHERE mailbox = ?')).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM quota2 WHERE username = ?')).toBe(1);
    await pool.query('DELETE FROM quota2 WHERE username = ?', [user]);
  });

  it('names the foreign keys as mailcow does', async () => {
    const found = await rows<RowDataPacket>(
      `SELECT TABLE_NAME AS t, CONSTRAINT_NAME AS c, DELETE_RULE AS del, REFERENCED_TABLE_NAME AS ref
         FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? ORDER BY TABLE_NAME`,
      [dbName],
    );
    expect(found).toEqual([
      { t: 'app_passwd', c: 'fk_username_app_passwd', del: 'CASCADE', ref: 'mailbox' },
      { t: 'sieve_filters', c: 'fk_username_sieve_global_before', del: 'CASCADE', ref: 'mailbox' },
      { t: 'tags_mailbox', c: 'fk_tags_mailbox', del: 'CASCADE', ref: 'mailbox' },
      { t: 'user_acl', c: 'fk_username', del: 'CASCADE', ref: 'mailbox' },
    ]);
  });

  it('can be re-run without changing the seed rows', async () => {
    for (const statement of mailcowCompatSchemaStatements()) await pool.query(statement);
    const [{ n }] = await rows<RowDataPacket>('SELECT COUNT(*) AS n FROM templates');
    expect(Number(n)).toBe(2);
  });
});
