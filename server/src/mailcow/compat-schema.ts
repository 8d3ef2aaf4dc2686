/**
 * A MariaDB schema that matches mailcow's for every table and view the sidecar touches, plus the
 * seed rows mailcow's migration writes. The integration tests and the demo database run against
 * it, so a test that passes here is talking to the same column types, defaults, keys and FK
 * cascades as a real mailcow install.
 *
 * Source of every fact: mailcow-dockerized `data/web/inc/init_db.inc.php` at HEAD 06424670
 * (`$db_version = "19022026_1220"`), function `init_db_schema()`, and
 * shared/docs/mailcow-integration.md §1 and Appendix A. The column type strings below are mailcow's
 * own declarations, kept verbatim so that a diff against a newer init_db.inc.php is easy to read.
 * Tables mailcow declares but the sidecar never reads or writes (admin, relayhosts, sogo_*, oauth_*,
 * …) are left out on purpose.
 */
import type { Queryable } from './queryable.js';

/**
 * mailcow's `db_schema` version these definitions follow: `$db_version` in
 * data/web/inc/init_db.inc.php (mailcow-integration.md §1, Appendix A heading).
 */
export const MAILCOW_DB_SCHEMA_VERSION = '19022026_1220';

/**
 * The `mailbox.authsource` ENUM values mailcow declares, in declaration order
 * (data/web/inc/init_db.inc.php, table `mailbox`; mailcow-integration.md §0 fact 1). `'scim'` is
 * deliberately absent: the sidecar's own migration adds it, and mailcow's next migration removes it
 * again (§1.2), which is exactly what tests built on this schema have to be able to reproduce.
 */
export const MAILCOW_AUTHSOURCES: readonly string[] = Object.freeze([
  'mailcow',
  'keycloak',
  'generic-oidc',
  'ldap',
]);

/**
 * `templates.attributes` of the "Default" mailbox template, byte for byte as `init_db` stores it
 * (PHP `json_encode` of `$default_mailbox_template` in data/web/inc/init_db.inc.php with the stock
 * `$MAILBOX_DEFAULT_ATTRIBUTES` of vars.inc.php; observed text in mailcow-integration.md A.1).
 * mailcow hashes this exact text into `attributes.attribute_hash` (§1.4), so it must not be
 * re-serialised.
 */
export const DEFAULT_MAILBOX_TEMPLATE_ATTRIBUTES =
  '{"tags":[],"quota":0,"quarantine_notification":"hourly","quarantine_category":"reject",' +
  '"rl_frame":"s","rl_value":"","force_pw_update":0,"force_tfa":0,"sogo_access":1,"active":1,' +
  '"tls_enforce_in":0,"tls_enforce_out":0,"imap_access":1,"pop3_access":1,"smtp_access":1,' +
  '"sieve_access":1,"eas_access":1,"dav_access":1,"acl_spam_alias":1,"acl_tls_policy":1,' +
  '"acl_spam_score":1,"acl_spam_policy":1,"acl_delimiter_action":1,"acl_syncjobs":0,' +
  '"acl_eas_reset":1,"acl_sogo_profile_reset":0,"acl_pushover":1,"acl_quarantine":1,' +
  '"acl_quarantine_attachments":1,"acl_quarantine_notification":1,"acl_quarantine_category":1,' +
  '"acl_app_passwds":1}';

/**
 * `templates.attributes` of the "Default" domain template as `init_db` stores it (quotas in bytes;
 * data/web/inc/init_db.inc.php `$default_domain_template`; observed text in mailcow-integration.md
 * A.1). PHP keeps the first position of the key `max_quota_for_domain`, which init_db lists twice.
 */
export const DEFAULT_DOMAIN_TEMPLATE_ATTRIBUTES =
  '{"tags":[],"max_num_aliases_for_domain":400,"max_num_mboxes_for_domain":10,' +
  '"def_quota_for_mbox":3221225472,"max_quota_for_mbox":10737418240,' +
  '"max_quota_for_domain":10737418240,"rl_frame":"s","rl_value":"","active":1,"gal":1,' +
  '"backupmx":0,"relay_all_recipients":0,"relay_unknown_only":0,"dkim_selector":"dkim",' +
  '"key_size":2048}';

interface ForeignKey {
  readonly column: string;
  readonly refTable: string;
  readonly refColumn: string;
  readonly onDelete: 'CASCADE';
  readonly onUpdate: 'NO ACTION';
}

interface TableDefinition {
  readonly name: string;
  /** [column, full SQL type] in mailcow's declaration order. */
  readonly columns: readonly (readonly [string, string])[];
  readonly primaryKey?: readonly string[];
  readonly uniqueKeys?: Readonly<Record<string, readonly string[]>>;
  readonly keys?: Readonly<Record<string, readonly string[]>>;
  readonly foreignKeys?: Readonly<Record<string, ForeignKey>>;
}

// Every mailcow table carries the same attributes (the `attr` entry of each table in init_db).
const TABLE_ATTRIBUTES = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 ROW_FORMAT=DYNAMIC';

const cascadeToMailbox = (column: string): ForeignKey => ({
  column,
  refTable: 'mailbox',
  refColumn: 'username',
  onDelete: 'CASCADE',
  onUpdate: 'NO ACTION',
});

// Kept in init_db's declaration order: `mailbox` must exist before the tables whose FKs point at it,
// and this order is the one in which a failing mailcow migration stops (mailcow-integration.md §1.2).
const TABLES: readonly TableDefinition[] = [
  {
    name: 'versions',
    columns: [
      ['application', 'VARCHAR(255) NOT NULL'],
      ['version', 'VARCHAR(100) NOT NULL'],
      ['created', 'DATETIME(0) NOT NULL DEFAULT NOW(0)'],
    ],
    primaryKey: ['application'],
  },
  {
    // init_db declares no keys at all for fido2, so the table has no primary key.
    name: 'fido2',
    columns: [
      ['username', 'VARCHAR(255) NOT NULL'],
      ['friendlyName', 'VARCHAR(255)'],
      ['rpId', 'VARCHAR(255) NOT NULL'],
      ['credentialPublicKey', 'TEXT NOT NULL'],
      ['certificateChain', 'TEXT'],
      ['certificate', 'TEXT'],
      ['certificateIssuer', 'VARCHAR(255)'],
      ['certificateSubject', 'VARCHAR(255)'],
      ['signatureCounter', 'INT'],
      ['AAGUID', 'BLOB'],
      ['credentialId', 'BLOB NOT NULL'],
      ['created', 'DATETIME(0) NOT NULL DEFAULT NOW(0)'],
      ['modified', 'DATETIME ON UPDATE NOW(0)'],
      ['active', "TINYINT(1) NOT NULL DEFAULT '1'"],
    ],
  },
  {
    name: '_sogo_static_view',
    columns: [
      ['c_uid', 'VARCHAR(255) NOT NULL'],
      ['domain', 'VARCHAR(255) NOT NULL'],
      ['c_name', 'VARCHAR(255) NOT NULL'],
      ['c_password', "VARCHAR(255) NOT NULL DEFAULT ''"],
      ['c_cn', 'VARCHAR(255)'],
      ['c_l', 'VARCHAR(255)'],
      ['c_o', 'VARCHAR(255)'],
      ['c_ou', 'VARCHAR(255)'],
      ['c_telephonenumber', 'VARCHAR(255)'],
      ['mail', 'VARCHAR(255) NOT NULL'],
      ['aliases', 'TEXT NOT NULL'],
      ['ad_aliases', "VARCHAR(6144) NOT NULL DEFAULT ''"],
      ['ext_acl', "VARCHAR(6144) NOT NULL DEFAULT ''"],
      ['kind', "VARCHAR(100) NOT NULL DEFAULT ''"],
      ['multiple_bookings', 'INT NOT NULL DEFAULT -1'],
    ],
    primaryKey: ['c_uid'],
    keys: { domain: ['domain'] },
  },
  {
    name: 'alias',
    columns: [
      ['id', 'INT NOT NULL AUTO_INCREMENT'],
      ['address', 'VARCHAR(255) NOT NULL'],
      ['goto', 'TEXT NOT NULL'],
      ['domain', 'VARCHAR(255) NOT NULL'],
      ['created', 'DATETIME(0) NOT NULL DEFAULT NOW(0)'],
      ['modified', 'DATETIME ON UPDATE CURRENT_TIMESTAMP'],
      ['private_comment', 'TEXT'],
      ['public_comment', 'TEXT'],
      ['sogo_visible', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['internal', "TINYINT(1) NOT NULL DEFAULT '0'"],
      ['sender_allowed', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['active', "TINYINT(1) NOT NULL DEFAULT '1'"],
    ],
    primaryKey: ['id'],
    uniqueKeys: { address: ['address'] },
    keys: { domain: ['domain'] },
  },
  {
    name: 'api',
    columns: [
      ['api_key', 'VARCHAR(255) NOT NULL'],
      ['allow_from', 'VARCHAR(512) NOT NULL'],
      ['skip_ip_check', "TINYINT(1) NOT NULL DEFAULT '0'"],
      ['created', 'DATETIME(0) NOT NULL DEFAULT NOW(0)'],
      ['modified', 'DATETIME ON UPDATE NOW(0)'],
      ['access', "ENUM('ro', 'rw') NOT NULL DEFAULT 'rw'"],
      ['active', "TINYINT(1) NOT NULL DEFAULT '1'"],
    ],
    primaryKey: ['api_key'],
  },
  {
    name: 'sender_acl',
    columns: [
      ['id', 'INT NOT NULL AUTO_INCREMENT'],
      ['logged_in_as', 'VARCHAR(255) NOT NULL'],
      ['send_as', 'VARCHAR(255) NOT NULL'],
      ['external', "TINYINT(1) NOT NULL DEFAULT '0'"],
    ],
    primaryKey: ['id'],
  },
  {
    name: 'templates',
    columns: [
      ['id', 'INT NOT NULL AUTO_INCREMENT'],
      ['template', 'VARCHAR(255) NOT NULL'],
      ['type', 'VARCHAR(255) NOT NULL'],
      ['attributes', 'JSON'],
      ['created', 'DATETIME(0) NOT NULL DEFAULT NOW(0)'],
      ['modified', 'DATETIME ON UPDATE CURRENT_TIMESTAMP'],
    ],
    primaryKey: ['id'],
  },
  {
    // Limits are MiB here, unlike mailbox.quota (bytes): mailcow-integration.md §1.3 `domain`.
    name: 'domain',
    columns: [
      ['domain', 'VARCHAR(255) NOT NULL'],
      ['description', 'VARCHAR(255)'],
      ['aliases', "INT(10) NOT NULL DEFAULT '0'"],
      ['mailboxes', "INT(10) NOT NULL DEFAULT '0'"],
      ['defquota', "BIGINT(20) NOT NULL DEFAULT '3072'"],
      ['maxquota', "BIGINT(20) NOT NULL DEFAULT '102400'"],
      ['quota', "BIGINT(20) NOT NULL DEFAULT '102400'"],
      ['relayhost', "VARCHAR(255) NOT NULL DEFAULT '0'"],
      ['backupmx', "TINYINT(1) NOT NULL DEFAULT '0'"],
      ['gal', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['relay_all_recipients', "TINYINT(1) NOT NULL DEFAULT '0'"],
      ['relay_unknown_only', "TINYINT(1) NOT NULL DEFAULT '0'"],
      ['created', 'DATETIME(0) NOT NULL DEFAULT NOW(0)'],
      ['modified', 'DATETIME ON UPDATE CURRENT_TIMESTAMP'],
      ['active', "TINYINT(1) NOT NULL DEFAULT '1'"],
    ],
    primaryKey: ['domain'],
  },
  {
    name: 'quarantine',
    columns: [
      ['id', 'INT NOT NULL AUTO_INCREMENT'],
      ['qid', 'VARCHAR(30) NOT NULL'],
      ['subject', 'VARCHAR(500)'],
      ['score', 'FLOAT(8,2)'],
      ['ip', 'VARCHAR(50)'],
      ['action', "CHAR(20) NOT NULL DEFAULT 'unknown'"],
      ['symbols', 'JSON'],
      ['fuzzy_hashes', 'JSON'],
      ['sender', "VARCHAR(255) NOT NULL DEFAULT 'unknown'"],
      ['rcpt', 'VARCHAR(255)'],
      ['msg', 'LONGTEXT'],
      ['domain', 'VARCHAR(255)'],
      ['notified', "TINYINT(1) NOT NULL DEFAULT '0'"],
      ['created', 'DATETIME(0) NOT NULL DEFAULT NOW(0)'],
      ['user', "VARCHAR(255) NOT NULL DEFAULT 'unknown'"],
      ['qhash', 'VARCHAR(64)'],
    ],
    primaryKey: ['id'],
    keys: { qhash: ['qhash'] },
  },
  {
    // quota is bytes and its default means 100 KiB, which is why the sidecar always sets it
    // (mailcow-integration.md §1.3 `mailbox`).
    name: 'mailbox',
    columns: [
      ['username', 'VARCHAR(255) NOT NULL'],
      ['password', 'VARCHAR(255) NOT NULL'],
      ['name', 'VARCHAR(255)'],
      ['description', 'VARCHAR(255)'],
      ['mailbox_path_prefix', "VARCHAR(150) DEFAULT '/var/vmail/'"],
      ['quota', "BIGINT(20) NOT NULL DEFAULT '102400'"],
      ['local_part', 'VARCHAR(255) NOT NULL'],
      ['domain', 'VARCHAR(255) NOT NULL'],
      ['attributes', 'JSON'],
      ['custom_attributes', "JSON NOT NULL DEFAULT ('{}')"],
      ['kind', "VARCHAR(100) NOT NULL DEFAULT ''"],
      ['multiple_bookings', 'INT NOT NULL DEFAULT -1'],
      ['authsource', `ENUM(${MAILCOW_AUTHSOURCES.map((v) => `'${v}'`).join(', ')}) DEFAULT 'mailcow'`],
      ['created', 'DATETIME(0) NOT NULL DEFAULT NOW(0)'],
      ['modified', 'DATETIME ON UPDATE CURRENT_TIMESTAMP'],
      ['active', "TINYINT(1) NOT NULL DEFAULT '1'"],
    ],
    primaryKey: ['username'],
    keys: { domain: ['domain'], kind: ['kind'] },
  },
  {
    // No primary key in mailcow either: only the UNIQUE pair (mailcow-integration.md A.4).
    name: 'tags_mailbox',
    columns: [
      ['tag_name', 'VARCHAR(255) NOT NULL'],
      ['username', 'VARCHAR(255) NOT NULL'],
    ],
    uniqueKeys: { tag_name: ['tag_name', 'username'] },
    foreignKeys: { fk_tags_mailbox: cascadeToMailbox('username') },
  },
  {
    name: 'sieve_filters',
    columns: [
      ['id', 'INT NOT NULL AUTO_INCREMENT'],
      ['username', 'VARCHAR(255) NOT NULL'],
      ['script_desc', 'VARCHAR(255) NOT NULL'],
      ['script_name', "ENUM('active','inactive')"],
      ['script_data', 'TEXT NOT NULL'],
      ['filter_type', "ENUM('postfilter','prefilter')"],
      ['created', 'DATETIME(0) NOT NULL DEFAULT NOW(0)'],
      ['modified', 'DATETIME ON UPDATE CURRENT_TIMESTAMP'],
    ],
    primaryKey: ['id'],
    keys: { username: ['username'], script_desc: ['script_desc'] },
    foreignKeys: { fk_username_sieve_global_before: cascadeToMailbox('username') },
  },
  {
    name: 'app_passwd',
    columns: [
      ['id', 'INT NOT NULL AUTO_INCREMENT'],
      ['name', 'VARCHAR(255) NOT NULL'],
      ['mailbox', 'VARCHAR(255) NOT NULL'],
      ['domain', 'VARCHAR(255) NOT NULL'],
      ['password', 'VARCHAR(255) NOT NULL'],
      ['created', 'DATETIME(0) NOT NULL DEFAULT NOW(0)'],
      ['modified', 'DATETIME ON UPDATE CURRENT_TIMESTAMP'],
      ['imap_access', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['smtp_access', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['dav_access', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['eas_access', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['pop3_access', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['sieve_access', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['active', "TINYINT(1) NOT NULL DEFAULT '1'"],
    ],
    primaryKey: ['id'],
    keys: { mailbox: ['mailbox'], password: ['password'], domain: ['domain'] },
    foreignKeys: { fk_username_app_passwd: cascadeToMailbox('mailbox') },
  },
  {
    // mailcow writes all 15 flags explicitly, so these defaults (pw_reset 1) never reach its rows
    // (mailcow-integration.md §1.3 `user_acl`, A.4).
    name: 'user_acl',
    columns: [
      ['username', 'VARCHAR(255) NOT NULL'],
      ['spam_alias', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['tls_policy', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['spam_score', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['spam_policy', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['delimiter_action', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['syncjobs', "TINYINT(1) NOT NULL DEFAULT '0'"],
      ['eas_reset', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['sogo_profile_reset', "TINYINT(1) NOT NULL DEFAULT '0'"],
      ['pushover', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['quarantine', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['quarantine_attachments', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['quarantine_notification', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['quarantine_category', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['app_passwds', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['pw_reset', "TINYINT(1) NOT NULL DEFAULT '1'"],
    ],
    primaryKey: ['username'],
    foreignKeys: { fk_username: cascadeToMailbox('username') },
  },
  {
    name: 'alias_domain',
    columns: [
      ['alias_domain', 'VARCHAR(255) NOT NULL'],
      ['target_domain', 'VARCHAR(255) NOT NULL'],
      ['created', 'DATETIME(0) NOT NULL DEFAULT NOW(0)'],
      ['modified', 'DATETIME ON UPDATE CURRENT_TIMESTAMP'],
      ['active', "TINYINT(1) NOT NULL DEFAULT '1'"],
    ],
    primaryKey: ['alias_domain'],
    keys: { active: ['active'], target_domain: ['target_domain'] },
  },
  {
    name: 'spamalias',
    columns: [
      ['address', 'VARCHAR(255) NOT NULL'],
      ['goto', 'TEXT NOT NULL'],
      ['description', 'TEXT NOT NULL'],
      ['created', 'DATETIME(0) NOT NULL DEFAULT NOW(0)'],
      ['modified', 'DATETIME ON UPDATE CURRENT_TIMESTAMP'],
      ['validity', 'INT(11)'],
      ['permanent', "TINYINT(1) NOT NULL DEFAULT '0'"],
    ],
    primaryKey: ['address'],
  },
  {
    name: 'filterconf',
    columns: [
      ['object', "VARCHAR(255) NOT NULL DEFAULT ''"],
      ['option', "VARCHAR(50) NOT NULL DEFAULT ''"],
      ['value', "VARCHAR(100) NOT NULL DEFAULT ''"],
      ['created', 'DATETIME(0) NOT NULL DEFAULT NOW(0)'],
      ['modified', 'DATETIME ON UPDATE CURRENT_TIMESTAMP'],
      ['prefid', 'INT(11) NOT NULL AUTO_INCREMENT'],
    ],
    primaryKey: ['prefid'],
    keys: { object: ['object'] },
  },
  {
    name: 'identity_provider',
    columns: [
      ['key', 'VARCHAR(255) NOT NULL'],
      ['value', 'TEXT NOT NULL'],
      ['created', 'DATETIME(0) NOT NULL DEFAULT NOW(0)'],
      ['modified', 'DATETIME ON UPDATE CURRENT_TIMESTAMP'],
    ],
    primaryKey: ['key'],
  },
  {
    name: 'logs',
    columns: [
      ['id', 'INT NOT NULL AUTO_INCREMENT'],
      ['task', "CHAR(32) NOT NULL DEFAULT '000000'"],
      ['type', "VARCHAR(32) DEFAULT ''"],
      ['msg', 'TEXT'],
      ['call', 'TEXT'],
      ['user', 'VARCHAR(64) NOT NULL'],
      ['role', 'VARCHAR(32) NOT NULL'],
      ['remote', 'VARCHAR(39) NOT NULL'],
      ['time', 'INT(11) NOT NULL'],
    ],
    primaryKey: ['id'],
  },
  {
    name: 'sasl_log',
    columns: [
      ['service', "VARCHAR(32) NOT NULL DEFAULT ''"],
      ['app_password', 'INT'],
      ['username', 'VARCHAR(255) NOT NULL'],
      ['real_rip', 'VARCHAR(64) NOT NULL'],
      ['datetime', 'DATETIME(0) NOT NULL DEFAULT NOW(0)'],
    ],
    primaryKey: ['service', 'real_rip', 'username'],
    keys: {
      username: ['username'],
      service: ['service'],
      datetime: ['datetime'],
      real_rip: ['real_rip'],
    },
  },
  {
    name: 'quota2',
    columns: [
      ['username', 'VARCHAR(255) NOT NULL'],
      ['bytes', "BIGINT(20) NOT NULL DEFAULT '0'"],
      ['messages', "BIGINT(20) NOT NULL DEFAULT '0'"],
    ],
    primaryKey: ['username'],
  },
  {
    name: 'quota2replica',
    columns: [
      ['username', 'VARCHAR(255) NOT NULL'],
      ['bytes', "BIGINT(20) NOT NULL DEFAULT '0'"],
      ['messages', "BIGINT(20) NOT NULL DEFAULT '0'"],
    ],
    primaryKey: ['username'],
  },
  {
    name: 'imapsync',
    columns: [
      ['id', 'INT NOT NULL AUTO_INCREMENT'],
      ['user2', 'VARCHAR(255) NOT NULL'],
      ['host1', 'VARCHAR(255) NOT NULL'],
      ['authmech1', "ENUM('PLAIN','LOGIN','CRAM-MD5') DEFAULT 'PLAIN'"],
      ['regextrans2', "VARCHAR(255) DEFAULT ''"],
      ['authmd51', 'TINYINT(1) NOT NULL DEFAULT 0'],
      ['domain2', "VARCHAR(255) NOT NULL DEFAULT ''"],
      ['subfolder2', "VARCHAR(255) NOT NULL DEFAULT ''"],
      ['user1', 'VARCHAR(255) NOT NULL'],
      ['password1', 'VARCHAR(255) NOT NULL'],
      ['exclude', "VARCHAR(500) NOT NULL DEFAULT ''"],
      ['maxage', "SMALLINT NOT NULL DEFAULT '0'"],
      ['mins_interval', "SMALLINT UNSIGNED NOT NULL DEFAULT '0'"],
      ['maxbytespersecond', "VARCHAR(50) NOT NULL DEFAULT '0'"],
      ['port1', 'SMALLINT UNSIGNED NOT NULL'],
      ['enc1', "ENUM('TLS','SSL','PLAIN') DEFAULT 'TLS'"],
      ['delete2duplicates', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['delete1', "TINYINT(1) NOT NULL DEFAULT '0'"],
      ['delete2', "TINYINT(1) NOT NULL DEFAULT '0'"],
      ['automap', "TINYINT(1) NOT NULL DEFAULT '0'"],
      ['skipcrossduplicates', "TINYINT(1) NOT NULL DEFAULT '0'"],
      ['custom_params', "VARCHAR(512) NOT NULL DEFAULT ''"],
      ['timeout1', "SMALLINT NOT NULL DEFAULT '600'"],
      ['timeout2', "SMALLINT NOT NULL DEFAULT '600'"],
      ['subscribeall', "TINYINT(1) NOT NULL DEFAULT '1'"],
      ['dry', "TINYINT(1) NOT NULL DEFAULT '0'"],
      ['is_running', "TINYINT(1) NOT NULL DEFAULT '0'"],
      ['returned_text', 'LONGTEXT'],
      ['last_run', 'TIMESTAMP NULL DEFAULT NULL'],
      ['success', 'TINYINT(1) UNSIGNED DEFAULT NULL'],
      ['exit_status', 'VARCHAR(50) DEFAULT NULL'],
      ['created', 'DATETIME(0) NOT NULL DEFAULT NOW(0)'],
      ['modified', 'DATETIME ON UPDATE CURRENT_TIMESTAMP'],
      ['active', "TINYINT(1) NOT NULL DEFAULT '0'"],
    ],
    primaryKey: ['id'],
  },
  {
    name: 'bcc_maps',
    columns: [
      ['id', 'INT NOT NULL AUTO_INCREMENT'],
      ['local_dest', 'VARCHAR(255) NOT NULL'],
      ['bcc_dest', 'VARCHAR(255) NOT NULL'],
      ['domain', 'VARCHAR(255) NOT NULL'],
      ['type', "ENUM('sender','rcpt')"],
      ['created', 'DATETIME(0) NOT NULL DEFAULT NOW(0)'],
      ['modified', 'DATETIME ON UPDATE CURRENT_TIMESTAMP'],
      ['active', "TINYINT(1) NOT NULL DEFAULT '0'"],
    ],
    primaryKey: ['id'],
    keys: { local_dest: ['local_dest'] },
  },
  {
    // init_db also re-issues this same ENUM through a separate MODIFY ("Migrate webauthn tfa").
    name: 'tfa',
    columns: [
      ['id', 'INT NOT NULL AUTO_INCREMENT'],
      ['key_id', 'VARCHAR(255) NOT NULL'],
      ['username', 'VARCHAR(255) NOT NULL'],
      ['authmech', "ENUM('yubi_otp', 'u2f', 'hotp', 'totp', 'webauthn')"],
      ['secret', 'VARCHAR(255) DEFAULT NULL'],
      ['keyHandle', 'VARCHAR(1023) DEFAULT NULL'],
      ['publicKey', 'VARCHAR(4096) DEFAULT NULL'],
      ['counter', "INT NOT NULL DEFAULT '0'"],
      ['certificate', 'TEXT'],
      ['active', "TINYINT(1) NOT NULL DEFAULT '0'"],
    ],
    primaryKey: ['id'],
  },
  {
    name: 'pushover',
    columns: [
      ['username', 'VARCHAR(255) NOT NULL'],
      ['key', 'VARCHAR(255) NOT NULL'],
      ['token', 'VARCHAR(255) NOT NULL'],
      ['attributes', 'JSON'],
      ['title', 'TEXT'],
      ['text', 'TEXT'],
      ['senders', 'TEXT'],
      ['senders_regex', 'TEXT'],
      ['active', "TINYINT(1) NOT NULL DEFAULT '1'"],
    ],
    primaryKey: ['username'],
  },
];

// The views init_db drops and re-creates on every migration, in its order. update_sogo_static_view()
// (data/web/inc/functions.inc.php) joins the first, third and fourth into `_sogo_static_view`
// (mailcow-integration.md §1.3); grouped_sender_acl is unused by mailcow but exists; the sieve views
// serve Dovecot and are included because their base table is.
const VIEWS: readonly (readonly [string, string])[] = [
  [
    'grouped_mail_aliases',
    `CREATE VIEW grouped_mail_aliases (username, aliases) AS
  SELECT goto, IFNULL(GROUP_CONCAT(address ORDER BY address SEPARATOR ' '), '') AS address
  FROM alias
  WHERE address != goto AND active = '1' AND sogo_visible = '1' AND address NOT LIKE '@%'
  GROUP BY goto`,
  ],
  [
    'grouped_sender_acl',
    `CREATE VIEW grouped_sender_acl (username, send_as_acl) AS
  SELECT logged_in_as, IFNULL(GROUP_CONCAT(send_as SEPARATOR ' '), '') AS send_as_acl
  FROM sender_acl
  WHERE send_as NOT LIKE '@%'
  GROUP BY logged_in_as`,
  ],
  [
    'grouped_sender_acl_external',
    `CREATE VIEW grouped_sender_acl_external (username, send_as_acl) AS
  SELECT logged_in_as, IFNULL(GROUP_CONCAT(send_as SEPARATOR ' '), '') AS send_as_acl
  FROM sender_acl
  WHERE send_as NOT LIKE '@%' AND external = '1'
  GROUP BY logged_in_as`,
  ],
  [
    // No filter on alias_domain.active: mailcow lists inactive alias domains too.
    'grouped_domain_alias_address',
    `CREATE VIEW grouped_domain_alias_address (username, ad_alias) AS
  SELECT username, IFNULL(GROUP_CONCAT(local_part, '@', alias_domain SEPARATOR ' '), '') AS ad_alias
  FROM mailbox LEFT OUTER JOIN alias_domain ON target_domain = domain
  GROUP BY username`,
  ],
  [
    'sieve_before',
    `CREATE VIEW sieve_before (id, username, script_name, script_data) AS
  SELECT md5(script_data), username, script_name, script_data
  FROM sieve_filters
  WHERE filter_type = 'prefilter'`,
  ],
  [
    'sieve_after',
    `CREATE VIEW sieve_after (id, username, script_name, script_data) AS
  SELECT md5(script_data), username, script_name, script_data
  FROM sieve_filters
  WHERE filter_type = 'postfilter'`,
  ],
];

/** Names of the base tables this schema creates, in creation order (see TABLES above for sources). */
export const MAILCOW_COMPAT_TABLE_NAMES: readonly string[] = Object.freeze(TABLES.map((t) => t.name));

/** Names of the views this schema creates (data/web/inc/init_db.inc.php `$views`). */
export const MAILCOW_COMPAT_VIEW_NAMES: readonly string[] = Object.freeze(VIEWS.map(([name]) => name));

const quoteIdentifier = (name: string): string => `\`${name.replaceAll('`', '``')}\``;
const columnList = (columns: readonly string[]): string => columns.map(quoteIdentifier).join(', ');

// mailcow runs without NO_BACKSLASH_ESCAPES (its my.cnf sets no sql_mode, §1.1), so both the quote
// and the backslash need escaping inside a literal.
const sqlStringLiteral = (value: string): string =>
  `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;

function createTableStatement(table: TableDefinition): string {
  const parts = table.columns.map(([name, type]) => `${quoteIdentifier(name)} ${type}`);
  if (table.primaryKey) parts.push(`PRIMARY KEY (${columnList(table.primaryKey)})`);
  for (const [name, columns] of Object.entries(table.uniqueKeys ?? {})) {
    parts.push(`UNIQUE KEY ${quoteIdentifier(name)} (${columnList(columns)})`);
  }
  for (const [name, columns] of Object.entries(table.keys ?? {})) {
    parts.push(`KEY ${quoteIdentifier(name)} (${columnList(columns)})`);
  }
  // Same clause shape as init_db (`FOREIGN KEY <name> (...)`, no CONSTRAINT keyword), so MariaDB
  // names the constraint and its index exactly as on a mailcow install.
  for (const [name, fk] of Object.entries(table.foreignKeys ?? {})) {
    parts.push(
      `FOREIGN KEY ${quoteIdentifier(name)} (${quoteIdentifier(fk.column)}) ` +
        `REFERENCES ${quoteIdentifier(fk.refTable)} (${quoteIdentifier(fk.refColumn)}) ` +
        `ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}`,
    );
  }
  return `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(table.name)} (\n  ${parts.join(',\n  ')}\n) ${TABLE_ATTRIBUTES}`;
}

// init_db inserts a Default template only when none of that type and name exists, leaving an
// admin-edited one alone; the NOT EXISTS guard keeps that behaviour and makes a re-run harmless.
function insertDefaultTemplateStatement(type: 'domain' | 'mailbox', attributes: string): string {
  return (
    'INSERT INTO `templates` (`type`, `template`, `attributes`)\n' +
    `  SELECT ${sqlStringLiteral(type)}, 'Default', ${sqlStringLiteral(attributes)} FROM DUAL\n` +
    `  WHERE NOT EXISTS (SELECT 1 FROM \`templates\` WHERE \`type\` = ${sqlStringLiteral(type)} AND \`template\` = 'Default')`
  );
}

/**
 * Every statement, in order, that builds the mailcow-compatible schema on an empty database:
 * the tables (CREATE TABLE IF NOT EXISTS, as init_db does for a missing table), the views (dropped
 * and re-created, as init_db does on every run), the `versions` row ('db_schema',
 * MAILCOW_DB_SCHEMA_VERSION) and the Default domain template (id 1 on a fresh database) followed by
 * the Default mailbox template (id 2). Order and seed values follow init_db_schema() in
 * data/web/inc/init_db.inc.php and mailcow-integration.md §1.1 and A.1. Running the list twice is
 * harmless.
 */
export function mailcowCompatSchemaStatements(): string[] {
  return [
    ...TABLES.map(createTableStatement),
    ...VIEWS.flatMap(([name, create]) => [`DROP VIEW IF EXISTS ${quoteIdentifier(name)}`, create]),
    `REPLACE INTO \`versions\` (\`application\`, \`version\`) VALUES ('db_schema', ${sqlStringLiteral(MAILCOW_DB_SCHEMA_VERSION)})`,
    insertDefaultTemplateStatement('domain', DEFAULT_DOMAIN_TEMPLATE_ATTRIBUTES),
    insertDefaultTemplateStatement('mailbox', DEFAULT_MAILBOX_TEMPLATE_ATTRIBUTES),
  ];
}

/**
 * Runs mailcowCompatSchemaStatements() one by one on the database `db` is connected to (meant for
 * an empty one). DDL commits implicitly in MariaDB, so there is no transaction to roll back: a
 * failure leaves the statements before it applied, much like a failed mailcow migration (§1.1).
 */
export async function installMailcowCompatSchema(db: Queryable): Promise<void> {
  for (const statement of mailcowCompatSchemaStatements()) {
    await db.query(statement);
  }
}
