/**
 * `mailcow-scim migrate` against real MariaDB where it must be careful (issue 13): a database
 * that is not mailcow's is refused before anything is written, and migration 5 makes token names
 * unique without losing a token that shared its name.
 */
import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowIso } from '../../../server/src/mailcow/db-time.js';
import { migrate, MIGRATIONS } from '../../../server/src/mailcow/migrations.js';
import { runBinary } from '../../helpers/cli-binary.js';
import { rowsOf } from '../../helpers/mailcow-rows.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';

const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const d of dbs) await d.drop();
});

async function tablesOf(db: TestDatabase): Promise<string[]> {
  const [rows] = await db.pool.query<RowDataPacket[]>('SHOW TABLES');
  return rows.map((r) => String(Object.values(r)[0])).sort();
}

describe('migrate on a database that is not mailcow\'s', () => {
  let other: TestDatabase;
  beforeAll(async () => {
    other = await createTestDatabase({ mailcow: false });
    dbs.push(other);
    await other.pool.query('CREATE TABLE wp_posts (id INT PRIMARY KEY, title TEXT)');
  });

  it('says what is missing, exits 1 and creates no table at all', async () => {
    const r = await runBinary(['migrate'], { env: { MARIADB_URL: other.url } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`The database "${other.name}" is not mailcow's`);
    expect(r.stderr).toContain('missing table mailbox');
    expect(r.stderr).toContain('missing table domain');
    expect(r.stderr).toContain('Nothing was written');
    expect(await tablesOf(other)).toEqual(['wp_posts']);
  });

  it('--json gives the missing tables as data', async () => {
    const r = await runBinary(['migrate', '--json'], { env: { MARIADB_URL: other.url } });
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ error: { code: 'not_mailcow_database', database: other.name, missing: expect.arrayContaining(['table mailbox', 'table alias', 'table templates']) } });
  });

  it('names a missing column and a mailbox.username our foreign keys cannot reference', async () => {
    await other.pool.query(`CREATE TABLE mailbox (username INT PRIMARY KEY, domain VARCHAR(255), authsource VARCHAR(20))`);
    const r = await runBinary(['migrate', '--json'], { env: { MARIADB_URL: other.url } });
    const error = r.json<{ error: { missing: string[]; incompatible: string[] } }>().error;
    expect(error.missing).toContain('column mailbox.local_part');
    expect(error.incompatible).toEqual([
      'mailbox.username is int(11), not varchar(255) as in mailcow (our foreign keys need mailcow\'s type)',
      "mailbox.authsource is varchar(20), not mailcow's ENUM('mailcow', …)",
    ]);
    expect(await tablesOf(other)).toEqual(['mailbox', 'wp_posts']);
  });

  it('doctor reports it, and doctor --repair writes nothing there either', async () => {
    const before = await tablesOf(other);
    const r = await runBinary(['doctor', '--repair'], { env: { MARIADB_URL: other.url } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("repaired  not mailcow's database");
    expect(r.stdout).toMatch(/FAIL {2}mailcow's tables present: mcs_t_\w+: missing table versions/);
    expect(await tablesOf(other)).toEqual(before);
  });

  it("passes on mailcow's schema", async () => {
    const mailcow = await createTestDatabase();
    dbs.push(mailcow);
    const r = await runBinary(['migrate', '--json'], { env: { MARIADB_URL: mailcow.url } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ writesAllowed: true, authsourceHasScim: true });
  });
});

describe('migration 5: one live token per name', () => {
  it('renames later duplicates after their id, leaves revoked ones alone, then enforces the name', async () => {
    const db = await createTestDatabase();
    dbs.push(db);
    // The schema as version 4 left it, with tokens that share names.
    await migrate(db.pool, nowIso, { migrations: MIGRATIONS.filter((x) => x.version <= 4) });
    const token = (id: string, name: string, created: string, revoked: string | null) =>
      db.pool.query(
        `INSERT INTO mailcow_scim_tokens (id, name, token_hash, prefix, policy, active, revoked_at, created_at, updated_at) VALUES (?, ?, UNHEX(SHA2(?, 256)), 'mcs_x', '{}', 1, ?, ?, ?)`,
        [id, name, id, revoked, created, created],
      );
    await token('11111111-0000-4000-8000-000000000000', 'Entra', '2025-01-01 00:00:00', null);
    await token('22222222-0000-4000-8000-000000000000', 'Entra', '2025-02-01 00:00:00', null);
    await token('33333333-0000-4000-8000-000000000000', 'Entra', '2024-06-01 00:00:00', '2024-12-01 00:00:00');
    await token('44444444-0000-4000-8000-000000000000', 'Okta', '2025-03-01 00:00:00', null);

    const result = await migrate(db.pool, nowIso);
    // Later migrations (the outbox, list indexes) follow it in the same run.
    expect(result.applied[0]).toBe('5: tokens: one live token per name');
    expect(await rowsOf(db.pool, `SELECT id, name FROM mailcow_scim_tokens ORDER BY id`)).toEqual([
      { id: '11111111-0000-4000-8000-000000000000', name: 'Entra' },
      { id: '22222222-0000-4000-8000-000000000000', name: 'Entra (22222222)' },
      { id: '33333333-0000-4000-8000-000000000000', name: 'Entra' },
      { id: '44444444-0000-4000-8000-000000000000', name: 'Okta' },
    ]);
    await expect(token('55555555-0000-4000-8000-000000000000', 'okta', '2025-04-01 00:00:00', null)).rejects.toMatchObject({ errno: 1062 });
    await token('66666666-0000-4000-8000-000000000000', 'Okta', '2025-04-01 00:00:00', '2025-04-02 00:00:00');
    expect((await migrate(db.pool, nowIso)).applied).toEqual([]);
  });
});
