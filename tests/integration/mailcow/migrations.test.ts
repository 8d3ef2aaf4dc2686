import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureScimAuthsource, readAuthsourceState } from '../../../server/src/mailcow/authsource.js';
import { readDatabaseState } from '../../../server/src/mailcow/database-state.js';
import { nowIso } from '../../../server/src/mailcow/db-time.js';
import { migrate, SCHEMA_TARGET_VERSION } from '../../../server/src/mailcow/migrations.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

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
        'mailcow_scim_events', 'mailcow_scim_group_members', 'mailcow_scim_groups', 'mailcow_scim_meta', 'mailcow_scim_owned_aliases',
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
