import type { RowDataPacket } from 'mysql2';
import type { Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureScimAuthsource, readAuthsourceState } from '../../../server/src/mailcow/authsource.js';
import { readDatabaseState } from '../../../server/src/mailcow/database-state.js';
import { nowIso } from '../../../server/src/mailcow/db-time.js';
import { LeaseLostError } from '../../../server/src/mailcow/migration-lock.js';
import { migrate, MIGRATIONS, SCHEMA_TARGET_VERSION, type Migration } from '../../../server/src/mailcow/migrations.js';
import { createPool } from '../../../server/src/mailcow/pool.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';

let db: TestDatabase;
/** A second database for the migrator races: a replica's own pool each. */
let race: TestDatabase;
const pools: Pool[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
  race = await createTestDatabase();
});
afterAll(async () => {
  for (const p of pools) await p.end().catch(() => undefined);
  await db?.drop();
  await race?.drop();
});

function replicaPool(): Pool {
  const p = createPool(race.url, { connectionLimit: 3 });
  pools.push(p);
  return p;
}

async function dropPluginTables(pool: Pool): Promise<void> {
  const conn = await pool.getConnection();
  try {
    await conn.query('SET FOREIGN_KEY_CHECKS = 0');
    const [rows] = await conn.query<RowDataPacket[]>(`SELECT table_name AS t, table_type AS k FROM information_schema.tables WHERE table_schema = DATABASE() AND (table_name LIKE 'mailcow\\_scim\\_%' OR table_name LIKE 'mcs\\_race\\_%')`);
    for (const r of rows) await conn.query(`DROP ${r.k === 'VIEW' ? 'VIEW' : 'TABLE'} IF EXISTS \`${r.t}\``);
    await conn.query('SET FOREIGN_KEY_CHECKS = 1');
  } finally {
    conn.release();
  }
}

/** Migrations whose statements are not idempotent: running one twice leaves two rows. */
const COUNTED: Migration[] = [
  { version: 1, name: 'runs table', statements: ['CREATE TABLE IF NOT EXISTS mcs_race_runs (id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL)', 'INSERT INTO mcs_race_runs (v) VALUES (1)'] },
  { version: 2, name: 'slow step', statements: ['DO SLEEP(0.02)', 'INSERT INTO mcs_race_runs (v) VALUES (2)'] },
  { version: 3, name: 'last step', statements: ['INSERT INTO mcs_race_runs (v) VALUES (3)'] },
];

describe('plugin schema and the authsource ENUM', () => {
  it('a mysql2 pool reaches the mailcow-compatible database', async () => {
    const [rows] = await db.pool.query<RowDataPacket[]>(`SELECT version FROM versions WHERE application = 'db_schema'`);
    expect(rows[0]!.version).toBe('19022026_1220');
  });

  it('writes are refused before migration, and the state says why', async () => {
    const s = await readDatabaseState(db.pool);
    expect(s.reachable).toBe(true);
    expect(s.writesAllowed).toBe(false);
    expect(s.problem).toMatch(/mailcow-scim migrate/);
  });

  it('migrate creates every mailcow_scim_* table once and is idempotent', async () => {
    const first = await migrate(db.pool, nowIso);
    expect(first.from).toBe(0);
    expect(first.to).toBe(SCHEMA_TARGET_VERSION);
    const again = await migrate(db.pool, nowIso);
    expect(again.applied).toEqual([]);
    const [tables] = await db.pool.query<RowDataPacket[]>(`SHOW TABLES LIKE 'mailcow\\_scim\\_%'`);
    expect(tables.map((r) => Object.values(r)[0]).sort()).toEqual(
      [
        'mailcow_scim_events', 'mailcow_scim_group_members', 'mailcow_scim_groups', 'mailcow_scim_lock', 'mailcow_scim_meta', 'mailcow_scim_outbox', 'mailcow_scim_owned_aliases',
        'mailcow_scim_tokens', 'mailcow_scim_user_emails', 'mailcow_scim_user_groups', 'mailcow_scim_users',
      ].sort(),
    );
  });

  it("adds 'scim' to the ENUM, keeping mailcow's values, default and NULL", async () => {
    const before = await readAuthsourceState(db.pool);
    expect(before.hasScim).toBe(false);
    await expect(db.pool.query(`INSERT INTO mailbox (username, password, local_part, domain, authsource) VALUES ('a@x.org','','a','x.org','scim')`)).rejects.toMatchObject({ errno: 1265 });
    expect(await ensureScimAuthsource(db.pool)).toBe(true);
    expect(await ensureScimAuthsource(db.pool)).toBe(false);
    const after = await readAuthsourceState(db.pool);
    expect(after.values).toEqual(['mailcow', 'keycloak', 'generic-oidc', 'ldap', 'scim']);
    expect(after.defaultValue).toBe('mailcow');
    expect(after.nullable).toBe(true);
    const s = await readDatabaseState(db.pool);
    expect(s.writesAllowed).toBe(true);
  });

  it('notices when a mailcow migration takes the value away again', async () => {
    await db.pool.query(`ALTER TABLE mailbox MODIFY COLUMN authsource ENUM('mailcow','keycloak','generic-oidc','ldap') NULL DEFAULT 'mailcow'`);
    const s = await readDatabaseState(db.pool);
    expect(s.authsourceHasScim).toBe(false);
    expect(s.writesAllowed).toBe(false);
    expect(s.problem).toMatch(/authsource/);
  });
});

describe('migrators that start at the same moment', () => {
  it('apply every migration exactly once, round after round (two replicas, one database)', async () => {
    const [a, b] = [replicaPool(), replicaPool()];
    for (let round = 0; round < 25; round++) {
      await dropPluginTables(a);
      const results = await Promise.all([a, b].map((p) => migrate(p, nowIso, { migrations: COUNTED, lease: { pollMs: 5 } })));
      const [runs] = await a.query<RowDataPacket[]>('SELECT v, COUNT(*) AS n FROM mcs_race_runs GROUP BY v ORDER BY v');
      expect(runs.map((r) => [r.v, Number(r.n)]), `round ${round}`).toEqual([[1, 1], [2, 1], [3, 1]]);
      expect(results.flatMap((r) => r.applied).sort(), `round ${round}`).toEqual(['1: runs table', '2: slow step', '3: last step']);
      expect(results.map((r) => r.to)).toEqual([3, 3]);
    }
  });

  it('with the real migrations, one replica migrates and the other finds the work done', async () => {
    const [a, b] = [replicaPool(), replicaPool()];
    for (let round = 0; round < 5; round++) {
      await dropPluginTables(a);
      const results = await Promise.all([a, b].map((p) => migrate(p, nowIso)));
      expect(results.map((r) => r.applied.length).sort(), `round ${round}`).toEqual([0, MIGRATIONS.length]);
      const [meta] = await a.query<RowDataPacket[]>(`SELECT value FROM mailcow_scim_meta WHERE name = 'schema_version'`);
      expect(Number(meta[0]!.value)).toBe(SCHEMA_TARGET_VERSION);
    }
  });

  it("takes over a lease its holder stopped renewing, and waits for one that is alive", async () => {
    const pool = replicaPool();
    await dropPluginTables(pool);
    await migrate(pool, nowIso, { migrations: COUNTED.slice(0, 1) });
    // A replica died half-way: its lease runs out in 0.4 s.
    await pool.query(`UPDATE mailcow_scim_lock SET owner = 'dead-host:7:abc', acquired_at = NOW(3), expires_at = NOW(3) + INTERVAL 400000 MICROSECOND WHERE name = 'migrate'`);
    const started = Date.now();
    const r = await migrate(pool, nowIso, { migrations: COUNTED, lease: { pollMs: 20 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(r.applied).toEqual(['2: slow step', '3: last step']);

    await pool.query(`UPDATE mailcow_scim_meta SET value = '2' WHERE name = 'schema_version'`);
    await pool.query(`UPDATE mailcow_scim_lock SET owner = 'busy-host:8:def', acquired_at = NOW(3), expires_at = NOW(3) + INTERVAL 1 MINUTE WHERE name = 'migrate'`);
    await expect(migrate(pool, nowIso, { migrations: COUNTED, lease: { waitMs: 300, pollMs: 20 } })).rejects.toThrow(/Another mailcow-scim holds the migrate lock \(busy-host:8:def, since /);
  });

  it('stops before recording a migration once its lease was taken over', async () => {
    const pool = replicaPool();
    await dropPluginTables(pool);
    const stolen: Migration[] = [
      ...COUNTED.slice(0, 1),
      { version: 2, name: 'lease stolen meanwhile', statements: ["UPDATE mailcow_scim_lock SET owner = 'thief:1:x' WHERE name = 'migrate'"] },
    ];
    await expect(migrate(pool, nowIso, { migrations: stolen })).rejects.toBeInstanceOf(LeaseLostError);
    const [meta] = await pool.query<RowDataPacket[]>(`SELECT value FROM mailcow_scim_meta WHERE name = 'schema_version'`);
    expect(meta[0]!.value).toBe('1');
  });

  it('leaves a database that is ahead of this build alone, and refuses writes on it', async () => {
    const pool = replicaPool();
    await dropPluginTables(pool);
    await migrate(pool, nowIso);
    await ensureScimAuthsource(pool);
    await pool.query(`UPDATE mailcow_scim_meta SET value = ? WHERE name = 'schema_version'`, [String(SCHEMA_TARGET_VERSION + 2)]);
    await pool.query(`UPDATE mailcow_scim_meta SET value = '9.1.0' WHERE name = 'schema_version_by'`);
    const [lockBefore] = await pool.query<RowDataPacket[]>('SELECT * FROM mailcow_scim_lock');
    const r = await migrate(pool, nowIso);
    expect(r).toEqual({ from: SCHEMA_TARGET_VERSION + 2, to: SCHEMA_TARGET_VERSION + 2, applied: [], ahead: true });
    const [lockAfter] = await pool.query<RowDataPacket[]>('SELECT * FROM mailcow_scim_lock');
    expect(lockAfter).toEqual(lockBefore);
    const s = await readDatabaseState(pool);
    expect(s).toMatchObject({ reachable: true, writesAllowed: false, pluginSchemaAhead: true, pluginSchemaWriter: '9.1.0', authsourceHasScim: true });
    expect(s.problem).toContain(`at version ${SCHEMA_TARGET_VERSION + 2}, newer than this mailcow-scim`);
    expect(s.problem).toContain('Run mailcow-scim 9.1.0 or newer');
  });
});
