/**
 * `mailcow-scim import pr7148` through the real binary (issue 13): the tables mailcow PR 7148
 * creates, in its later and its early layout, are imported so that the IdP's existing bearer
 * token keeps working and its next sync finds every user (by the SCIM id it stored, or by
 * userName/externalId), without duplicates, 409s or changes to the mailboxes.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../server/src/logging.js';
import { prepareDatabase } from '../../../server/src/main.js';
import { scimClient } from '../../helpers/http.js';
import { rowsOf } from '../../helpers/mailcow-rows.js';
import { runBinary } from '../../helpers/cli-binary.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
/** A raw token as the branch issues one: bin2hex(random_bytes(32)). */
const rawToken = () => randomBytes(32).toString('hex');

/** The branch's tables in its later layout (scim_id, default_template, mappers/templates, allow_claim). */
const LATER_DDL = [
  `CREATE TABLE scim_tokens (
    id INT NOT NULL AUTO_INCREMENT, description VARCHAR(255) NOT NULL DEFAULT '', token_hash CHAR(64) NOT NULL,
    domain_restriction VARCHAR(255) NULL, default_template VARCHAR(255) NULL, mappers JSON NULL, templates JSON NULL,
    allow_from VARCHAR(1024) NOT NULL DEFAULT '', allow_claim TINYINT(1) NOT NULL DEFAULT 0, active TINYINT(1) NOT NULL DEFAULT 1,
    created DATETIME(0) NOT NULL DEFAULT NOW(0), modified DATETIME ON UPDATE NOW(0),
    PRIMARY KEY (id), UNIQUE KEY token_hash (token_hash)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE scim_maps (
    username VARCHAR(255) NOT NULL, token_id INT NULL, external_id VARCHAR(255) NULL, scim_id CHAR(36) NULL,
    PRIMARY KEY (username), UNIQUE KEY scim_id (scim_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
];
/** Its early layout: template, skip_ip_check, no scim_id (the SCIM id was the address). */
const EARLY_DDL = [
  `CREATE TABLE scim_tokens (
    id INT NOT NULL AUTO_INCREMENT, description VARCHAR(255) NOT NULL DEFAULT '', token_hash VARCHAR(64) NOT NULL,
    domain_restriction VARCHAR(255) NULL, template VARCHAR(255) NULL, allow_from VARCHAR(512) NOT NULL DEFAULT '',
    skip_ip_check TINYINT(1) NOT NULL DEFAULT 0, active TINYINT(1) NOT NULL DEFAULT 1, created DATETIME(0) NOT NULL DEFAULT NOW(0),
    PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE scim_maps (username VARCHAR(255) NOT NULL, token_id INT NULL, external_id VARCHAR(255) NULL, PRIMARY KEY (username)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
];

/** A mailbox as the branch leaves one: authsource 'scim', a self-alias, a quota row. */
async function branchMailbox(pool: TestDatabase['pool'], address: string, o: { active?: number; authsource?: string } = {}): Promise<void> {
  const [local, domain] = address.split('@') as [string, string];
  await pool.query(
    `INSERT INTO mailbox (username, password, name, quota, local_part, domain, attributes, authsource, active) VALUES (?, '', ?, 1073741824, ?, ?, '{}', ?, ?)`,
    [address, `${local[0]!.toUpperCase()}${local.slice(1)} Example`, local, domain, o.authsource ?? 'scim', o.active ?? 1],
  );
  await pool.query(`INSERT INTO alias (address, goto, domain, active) VALUES (?, ?, ?, 1)`, [address, address, domain]);
}

describe('the later layout', () => {
  let t: TestSidecar;
  let env: Record<string, string>;
  const entraRaw = rawToken();
  const oktaRaw = rawToken();
  const aliceId = randomUUID();
  const carolId = randomUUID();

  beforeAll(async () => {
    t = await startTestSidecar({ domains: [{ domain: 'example.org' }, { domain: 'other.org' }] });
    env = { MARIADB_URL: t.db.url };
    for (const sql of LATER_DDL) await t.db.pool.query(sql);
    await t.db.pool.query(
      `INSERT INTO scim_tokens (description, token_hash, domain_restriction, default_template, mappers, templates, allow_from, allow_claim, active) VALUES
         ('Entra &amp; Co', ?, 'example.org', 'Default', '["sales"]', '["Default"]', '127.0.0.0/8, 10.0.0.0/8;not-an-ip', 1, 1),
         ('Okta', ?, NULL, 'Gone', '[]', '[]', '', 0, 1),
         ('Locked', ?, 'example.org', NULL, NULL, NULL, 'nowhere', 1, 1)`,
      [sha256(entraRaw), sha256(oktaRaw), sha256(rawToken())],
    );
    await branchMailbox(t.db.pool, 'alice@example.org');
    await branchMailbox(t.db.pool, 'bob@example.org');
    await branchMailbox(t.db.pool, 'carol@other.org', { active: 0 });
    await branchMailbox(t.db.pool, 'erin@example.org', { authsource: 'mailcow' });
    await t.db.pool.query(
      `INSERT INTO scim_maps (username, token_id, external_id, scim_id) VALUES
         ('alice@example.org', 1, 'ext-alice', ?), ('bob@example.org', 1, 'ext-bob', NULL), ('carol@other.org', 2, 'ext-carol', ?),
         ('dan@example.org', 1, 'ext-dan', ?), ('erin@example.org', 1, 'ext-erin', ?)`,
      [aliceId, carolId, randomUUID(), randomUUID()],
    );
  });
  afterAll(async () => t?.stop());

  it('the dry run lists every token and mailbox, says how the IdP will find each, and writes nothing', async () => {
    const r = await runBinary(['import', 'pr7148'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('mailcow PR 7148 tables found (later layout, with scim_id).');
    expect(r.stdout).toContain('IMPORT  #1 "Entra & Co" → token "Entra & Co"');
    expect(r.stdout).toContain('domains example.org; default template Default; IP allow-list 127.0.0.0/8, 10.0.0.0/8; active');
    expect(r.stdout).toContain('! allow-list entries left out (not an address or CIDR): not-an-ip');
    expect(r.stdout).toContain('! its template mappers ("sales" → Default) are not carried over');
    expect(r.stdout).toContain('here it manages the domains of its mailboxes: other.org');
    expect(r.stdout).toContain('! its default template "Gone" is not a mailcow mailbox template');
    expect(r.stdout).toContain('REFUSE  #3 "Locked"');
    expect(r.stdout).toContain('importing it would allow every address');
    expect(r.stdout).toContain(`LINK    alice@example.org  externalId ext-alice\n          keeps its SCIM id ${aliceId}: the IdP's GET, PATCH, PUT and DELETE reach it as before`);
    expect(r.stdout).toContain('it finds the user again by userName eq "bob@example.org" or externalId');
    expect(r.stdout).toContain('· inactive (active=0, how PR 7148 deactivates): kept as it is');
    expect(r.stdout).toContain('REFUSE  dan@example.org  externalId ext-dan\n          no mailbox dan@example.org in mailcow');
    expect(r.stdout).toContain('its authsource is mailcow, not scim');
    expect(r.stdout).toContain('Plan: 2 token(s) to import, 0 already imported, 1 refused; 3 mailbox(es) to link (2 keep their SCIM id), 0 already linked, 2 refused.');
    expect(await rowsOf(t.db.pool, 'SELECT id FROM mailcow_scim_tokens')).toEqual([]);
    expect(await rowsOf(t.db.pool, 'SELECT id FROM mailcow_scim_users')).toEqual([]);
  });

  it('--yes imports: the IdP keeps its token, reaches users by their stored ids, and mailboxes stay as they are', async () => {
    const before = await rowsOf(t.db.pool, 'SELECT username, name, active, authsource, quota, attributes FROM mailbox ORDER BY username');
    const r = await runBinary(['import', 'pr7148', '--yes'], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Done: 2 token(s) imported, 3 mailbox(es) linked, 0 unchanged, 0 skipped, 3 refused, 0 failed.');
    expect(await rowsOf(t.db.pool, 'SELECT username, name, active, authsource, quota, attributes FROM mailbox ORDER BY username')).toEqual(before);

    const entra = scimClient(t.baseUrl, entraRaw);
    const alice = await entra.get(`/Users/${aliceId}`);
    expect(alice.status, alice.text).toBe(200);
    expect(alice.body).toMatchObject({ id: aliceId, userName: 'alice@example.org', externalId: 'ext-alice', displayName: 'Alice Example', active: true });
    const bob = await entra.get(`/Users?filter=${encodeURIComponent('externalId eq "ext-bob"')}`);
    expect(bob.body.totalResults).toBe(1);
    expect((await entra.get(`/Users?filter=${encodeURIComponent('userName eq "bob@example.org"')}`)).body.totalResults).toBe(1);
    // The IdP's next change goes through; a create for a linked user is the usual 409, not a duplicate.
    const patched = await entra.patch(`/Users/${aliceId}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: 'Alice Liddell' }] });
    expect(patched.status, patched.text).toBe(200);
    expect((await rowsOf(t.db.pool, `SELECT name FROM mailbox WHERE username = 'alice@example.org'`))[0]).toEqual({ name: 'Alice Liddell' });
    expect((await entra.post('/Users', { schemas: [CORE], userName: 'bob@example.org' })).status).toBe(409);

    const okta = scimClient(t.baseUrl, oktaRaw);
    const carol = await okta.get(`/Users/${carolId}`);
    expect(carol.body).toMatchObject({ userName: 'carol@other.org', active: false });
    expect((await rowsOf(t.db.pool, `SELECT active FROM mailbox WHERE username = 'carol@other.org'`))[0]).toEqual({ active: 0 });

    const [token] = await rowsOf(t.db.pool, `SELECT name, prefix, policy FROM mailcow_scim_tokens WHERE name = 'Okta'`);
    expect(token!.prefix).toBe('pr7148#2');
    expect(JSON.parse(String(token!.policy))).toMatchObject({ domains: ['other.org'], defaultTemplate: null });
    expect(await rowsOf(t.db.pool, `SELECT operation, mailbox FROM mailcow_scim_events WHERE operation = 'import' ORDER BY mailbox`)).toEqual([
      { operation: 'import', mailbox: 'alice@example.org' },
      { operation: 'import', mailbox: 'bob@example.org' },
      { operation: 'import', mailbox: 'carol@other.org' },
    ]);
  });

  it('a second run changes nothing', async () => {
    const r = await runBinary(['import', 'pr7148', '--yes', '--json'], { env });
    expect(r.code).toBe(0);
    expect(r.json<{ counts: Record<string, number> }>().counts).toMatchObject({ imported: 0, linked: 0, failed: 0, skipped: 5 });
    expect(await rowsOf(t.db.pool, 'SELECT COUNT(*) AS n FROM mailcow_scim_tokens')).toEqual([{ n: 2 }]);
  });
});

describe('the early layout, and tables that are not the branch\'s', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ domains: [{ domain: 'example.org' }] });
    await prepareDatabase(db.pool, { ensureAuthsource: true }, createLogger({ level: 'silent' }));
  });
  afterAll(async () => db?.drop());

  it('says so when there is nothing to import', async () => {
    const r = await runBinary(['import', 'pr7148', '--json'], { env: { MARIADB_URL: db.url } });
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ error: { code: 'not_importable', message: 'No PR 7148 tables here: this database has neither scim_tokens nor scim_maps.' } });
  });

  it('imports the early layout: HTML-escaped names, skip_ip_check, ids that were addresses', async () => {
    for (const sql of EARLY_DDL) await db.pool.query(sql);
    await db.pool.query(`INSERT INTO scim_tokens (description, token_hash, domain_restriction, template, allow_from, skip_ip_check) VALUES ('R&amp;D &lt;IdP&gt;', ?, NULL, 'Default', '192.0.2.1', 1)`, [sha256(rawToken())]);
    await branchMailbox(db.pool, 'frank@example.org');
    await db.pool.query(`INSERT INTO scim_maps (username, token_id, external_id) VALUES ('frank@example.org', 1, 'ext-frank')`);
    const dry = await runBinary(['import', 'pr7148'], { env: { MARIADB_URL: db.url } });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('(early layout, without scim_id)');
    expect(dry.stdout).toContain('→ token "R&D <IdP>"');
    expect(dry.stdout).toContain('IP allow-list any');
    expect(dry.stdout).toContain('had no SCIM id of its own (the branch used the address)');
    const r = await runBinary(['import', 'pr7148', '--yes', '--json'], { env: { MARIADB_URL: db.url } });
    expect(r.json<{ counts: Record<string, number> }>().counts).toMatchObject({ imported: 1, linked: 1, failed: 0 });
    const [user] = await rowsOf(db.pool, `SELECT u.external_id, t.name FROM mailcow_scim_users u JOIN mailcow_scim_tokens t ON t.id = u.token_id`);
    expect(user).toEqual({ external_id: 'ext-frank', name: 'R&D <IdP>' });
  });

  it('refuses a layout the branch never had, reading nothing', async () => {
    await db.pool.query('ALTER TABLE scim_tokens DROP COLUMN template');
    const r = await runBinary(['import', 'pr7148'], { env: { MARIADB_URL: db.url } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('These tables are not in a layout PR 7148 has had (missing scim_tokens.template (or default_template))');
  });
});
