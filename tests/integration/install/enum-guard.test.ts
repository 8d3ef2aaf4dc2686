/**
 * The ENUM guard against real MariaDB: the php-fpm hook script itself (deploy/phpfpm/), run with
 * bash as mailcow's entrypoint runs it, around a stand-in for init_db that does what mailcow's
 * does to mailbox.authsource on a schema bump (docs/mailcow-facts.md §1.1–§1.2): re-declare the
 * column with mailcow's four values (which fails with 1265 in strict mode while 'scim' rows
 * exist), then bump versions.db_schema. The migration must complete and no marker may be lost.
 * Then `doctor --repair` restores owned mailboxes after the marker was lost another way.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../../server/src/install/doctor.js';
import { readAuthsourceState } from '../../../server/src/mailcow/authsource.js';
import { nowIso } from '../../../server/src/mailcow/db-time.js';
import { createTokenStore } from '../../../server/src/mailcow/token-store.js';
import { TokenService } from '../../../server/src/tokens/index.js';
import { validateUserRuleFilter } from '../../../server/src/users/index.js';
import { scimClient } from '../../helpers/http.js';
import { serverUrl } from '../../helpers/mariadb.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

const run = promisify(execFile);
const HOOK = resolve('deploy/phpfpm/mailcow-scim-enum-guard.sh');
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const NEXT_VERSION = '01092026_0900';

let t: TestSidecar;
let dir: string;
let env: Record<string, string>;

async function q<T = RowDataPacket>(sql: string, params: unknown[] = []): Promise<T[]> {
  const [rows] = await t.db.pool.query<RowDataPacket[]>(sql, params);
  return rows as T[];
}
const authsources = async () => Object.fromEntries((await q<{ username: string; authsource: string }>('SELECT username, authsource FROM mailbox ORDER BY username')).map((r) => [r.username, r.authsource]));
const modifiedTimes = async () => q('SELECT username, modified FROM mailbox ORDER BY username');
const dbSchema = async () => (await q<{ version: string }>(`SELECT version FROM versions WHERE application = 'db_schema'`))[0]?.version;

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain: 'example.org', mailboxes: 50 }] });
  const token = (await t.sidecar.tokens.create('Entra', { domains: ['example.org'], defaultDomain: 'example.org' })).secret;
  const api = scimClient('http://localhost/scim/v2', token, t.httpSocket);
  for (const userName of ['alice@example.org', 'bob@example.org', 'carol@example.org']) {
    const r = await api.post('/Users', { schemas: [CORE], userName, active: true });
    expect(r.status, r.text).toBe(201);
    if (userName === 'carol@example.org') {
      // Deprovisioned: the SCIM link goes, the mailbox stays 'scim' (docs/architecture.md §4): a 'scim'
      // row that only the mailbox table knows about.
      expect((await api.delete(`/Users/${r.body.id}`)).status).toBe(204);
    }
  }
  await t.sidecar.stop();
  // An admin's own mailbox, untouched by everything below.
  await t.db.pool.query(
    `INSERT INTO mailbox (username, password, name, local_part, domain, attributes, authsource, active)
     VALUES ('admin.made@example.org', '{BLF-CRYPT}x', 'Admin Made', 'admin.made', 'example.org', '{}', 'mailcow', 1)`,
  );

  dir = await mkdtemp(join(tmpdir(), 'mcs-enum-'));
  const server = new URL(serverUrl());
  env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    DBNAME: t.db.name,
    DBUSER: decodeURIComponent(server.username || 'root'),
    DBPASS: decodeURIComponent(server.password),
    MASTER: 'y',
    MAILCOW_SCIM_DB_HOST: server.hostname,
    MAILCOW_SCIM_DB_PORT: server.port || '3306',
    MAILCOW_SCIM_INIT_DB_FILE: join(dir, 'init_db.inc.php'),
    MAILCOW_SCIM_INIT_DB_CMD: `bash ${join(dir, 'init-db-standin.sh')}`,
    MAILCOW_SCIM_DB_WAIT: '5',
  };
  // mailcow's new init_db.inc.php declares a newer schema version (only $db_version matters here).
  await writeFile(join(dir, 'init_db.inc.php'), `<?php\nfunction init_db_schema()\n{\n    $db_version = "${NEXT_VERSION}";\n}\n`);
  // What init_db does to the column on a schema bump, under MariaDB 10.11's default strict
  // sql_mode, aborting at the first error like init_db's single try/catch.
  await writeFile(
    join(dir, 'init-db-standin.sh'),
    `#!/bin/bash
set -e
exec mariadb --protocol=tcp -h "$MAILCOW_SCIM_DB_HOST" -P "$MAILCOW_SCIM_DB_PORT" -u "$DBUSER" ${env.DBPASS ? '-p"$DBPASS"' : ''} "$DBNAME" -e "
  SET SESSION sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION';
  ALTER TABLE mailbox MODIFY COLUMN authsource ENUM('mailcow', 'keycloak', 'generic-oidc', 'ldap') DEFAULT 'mailcow';
  REPLACE INTO versions (application, version) VALUES ('db_schema', '${NEXT_VERSION}');"
`,
  );
});

afterAll(async () => {
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const runHook = () => run('bash', [HOOK], { env, timeout: 30_000 });

describe('the php-fpm ENUM guard hook', () => {
  it("mailcow's migration fails on its own while 'scim' rows exist (the problem)", async () => {
    expect(await authsources()).toEqual({
      'admin.made@example.org': 'mailcow',
      'alice@example.org': 'scim',
      'bob@example.org': 'scim',
      'carol@example.org': 'scim',
    });
    const schemaBefore = await dbSchema();
    const failed = await run('bash', [join(dir, 'init-db-standin.sh')], { env }).then(
      () => undefined,
      (e: { stderr: string; code: number }) => e,
    );
    expect(failed?.stderr).toMatch(/1265|Data truncated for column 'authsource'/);
    expect(await dbSchema()).toBe(schemaBefore);
    expect((await readAuthsourceState(t.db.pool)).hasScim).toBe(true);
  });

  it('parks the rows, lets the migration run, re-adds the value and restores every marker', async () => {
    const before = await authsources();
    const modified = await modifiedTimes();
    const r = await runHook();
    expect(r.stdout).toContain("parking 'scim' mailboxes and running init_db");
    expect(r.stdout).toContain(`mailcow schema is now ${NEXT_VERSION}`);
    expect(r.stdout).toContain("adding 'scim' to mailbox.authsource");
    expect(await dbSchema()).toBe(NEXT_VERSION);
    const state = await readAuthsourceState(t.db.pool);
    expect(state.values).toEqual(['mailcow', 'keycloak', 'generic-oidc', 'ldap', 'scim']);
    expect(state.defaultValue).toBe('mailcow');
    expect(await authsources()).toEqual(before);
    // mailcow's change timestamps did not move.
    expect(await modifiedTimes()).toEqual(modified);
    expect(await q('SELECT * FROM mailcow_scim_authsource_parking')).toEqual([]);
  });

  it('is idempotent: a second start changes nothing', async () => {
    const before = await authsources();
    const r = await runHook();
    expect(r.stdout).not.toContain('parking');
    expect(r.stdout).toContain("ok: mailbox.authsource accepts 'scim'; 3 mailbox(es) use it");
    expect(await authsources()).toEqual(before);
  });

  it('finishes what an interrupted run parked', async () => {
    // A crash after parking: rows are 'mailcow', the parking table remembers them.
    await t.db.pool.query(`INSERT INTO mailcow_scim_authsource_parking (mailbox, parked_at) VALUES ('alice@example.org', NOW()), ('carol@example.org', NOW())`);
    await t.db.pool.query(`UPDATE mailbox SET authsource = 'mailcow' WHERE username IN ('alice@example.org', 'carol@example.org')`);
    await runHook();
    expect(await authsources()).toMatchObject({ 'alice@example.org': 'scim', 'carol@example.org': 'scim', 'admin.made@example.org': 'mailcow' });
  });

  it('does nothing on a replica (MASTER=n)', async () => {
    const r = await run('bash', [HOOK], { env: { ...env, MASTER: 'n' } });
    expect(r.stdout).toContain('not the master');
  });

  it('re-adds the value after a migration that dropped it silently (no scim rows at the time)', async () => {
    // A successful init_db while no row used 'scim': the value is gone, the rows are 'mailcow'.
    await t.db.pool.query(`UPDATE mailbox SET authsource = 'mailcow' WHERE authsource = 'scim'`);
    await t.db.pool.query(`ALTER TABLE mailbox MODIFY COLUMN authsource ENUM('mailcow', 'keycloak', 'generic-oidc', 'ldap') DEFAULT 'mailcow'`);
    await runHook();
    expect((await readAuthsourceState(t.db.pool)).hasScim).toBe(true);
  });
});

describe('doctor --repair', () => {
  it("reports the lost markers and restores 'scim' on the mailboxes our table owns", async () => {
    // The sidecar is stopped (its pool closed): doctor gets its own, as the CLI does.
    const tokens = new TokenService({ store: createTokenStore(t.db.pool), now: nowIso, validateRuleFilter: validateUserRuleFilter });
    const deps = { pool: t.db.pool, tokens, config: { httpSocket: '', rpcSocket: '' } };
    const report = await runDoctor(deps);
    expect(report.ok).toBe(false);
    const owned = report.checks.find((c) => c.name === "owned mailboxes marked 'scim'")!;
    expect(owned.status).toBe('fail');
    expect(owned.detail).toContain('alice@example.org (mailcow)');
    expect(owned.detail).toContain('bob@example.org (mailcow)');

    // And the ENUM lost too: doctor says so, --repair puts both back.
    await t.db.pool.query(`ALTER TABLE mailbox MODIFY COLUMN authsource ENUM('mailcow', 'keycloak', 'generic-oidc', 'ldap') DEFAULT 'mailcow'`);
    expect((await runDoctor(deps)).checks.find((c) => c.name === "mailbox.authsource accepts 'scim'")!.status).toBe('fail');

    const repaired = await runDoctor(deps, true);
    expect(repaired.repairs).toEqual(["added 'scim' to mailbox.authsource", "restored authsource 'scim' on 2 owned mailbox(es)"]);
    expect(repaired.checks.filter((c) => c.status === 'fail').map((c) => c.name)).toEqual([]);
    // Owned mailboxes are back; the unlinked one was not ours to decide, nor the admin's.
    expect(await authsources()).toEqual({
      'admin.made@example.org': 'mailcow',
      'alice@example.org': 'scim',
      'bob@example.org': 'scim',
      'carol@example.org': 'mailcow',
    });
  });
});
