/**
 * A filter costs what an index lookup costs (issue 4): at 100,000 users, `userName eq`,
 * `externalId eq` and `emails.value eq` (and Entra's `emails[type eq "work"].value eq`) read a
 * handful of rows through an index, never the table. The statements EXPLAINed are exactly the
 * ones the Users list runs (buildListStatements), and ANALYZE reports the rows really read.
 *
 * The rows are written straight into MariaDB with INSERT … SELECT over MariaDB's sequence
 * engine (seq_1_to_100000), so the whole file stays well under a minute on two cores.
 */
import { randomUUID } from 'node:crypto';
import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../../server/src/mailcow/migrations.js';
import { nowIso } from '../../../server/src/mailcow/db-time.js';
import { buildListStatements, listResourceIds, listResources } from '../../../server/src/mailcow/resource-list.js';
import { USER_PAGE_ROWS } from '../../../server/src/mailcow/user-store.js';
import { selectUsers } from '../../../server/src/mailcow/user-rows.js';
import { userListSource } from '../../../server/src/mailcow/user-query.js';
import { parseListParams } from '../../../server/src/scim/list-params.js';
import { USER_RESOURCE_TYPE } from '../../../server/src/scim/schema/index.js';
import { DEFAULT_POLICY } from '../../../server/src/tokens/policy.js';
import type { Caller } from '../../../server/src/users/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';

const USERS = 100_000;
let db: TestDatabase;
let caller: Caller;
const tokenId = randomUUID();
const timings: Record<string, number> = {};

beforeAll(async () => {
  let t = Date.now();
  db = await createTestDatabase({ domains: [{ domain: 'example.org' }] });
  await migrate(db.pool, nowIso);
  const conn = await db.pool.getConnection();
  try {
    await conn.query('SET SESSION foreign_key_checks = 0, unique_checks = 0');
    await conn.query(
      `INSERT INTO mailcow_scim_tokens (id, name, token_hash, prefix, policy, active, created_at, updated_at) VALUES (?, 'explain', UNHEX(SHA2(?, 256)), 'mcs_x', '{}', 1, NOW(3), NOW(3))`,
      [tokenId, tokenId],
    );
    await conn.query(
      `INSERT INTO mailbox (username, password, name, local_part, domain, attributes, active)
       SELECT CONCAT('user', seq, '@example.org'), '', CONCAT('User ', seq), CONCAT('user', seq), 'example.org', '{}', 1 FROM seq_1_to_${USERS}`,
    );
    await conn.query(
      `INSERT INTO mailcow_scim_users (id, token_id, user_name, user_name_lc, external_id, display_name, display_name_lc, active, mailbox, domain, resource, version, created_at, last_modified)
       SELECT UUID(), ?, CONCAT('User', seq, '@Example.org'), CONCAT('user', seq, '@example.org'), CONCAT('ext-', seq), CONCAT('User ', seq), CONCAT('user ', seq), 1,
              CONCAT('user', seq, '@example.org'), 'example.org',
              JSON_OBJECT('schemas', JSON_ARRAY('urn:ietf:params:scim:schemas:core:2.0:User'), 'userName', CONCAT('User', seq, '@Example.org'),
                          'externalId', CONCAT('ext-', seq), 'displayName', CONCAT('User ', seq),
                          'emails', JSON_ARRAY(JSON_OBJECT('value', CONCAT('user', seq, '@example.org'), 'type', 'work', 'primary', TRUE),
                                               JSON_OBJECT('value', CONCAT('u', seq, '@home.example'), 'type', 'home'))),
              1, TIMESTAMP('2026-01-01') + INTERVAL seq SECOND, TIMESTAMP('2026-01-01') + INTERVAL seq SECOND
         FROM seq_1_to_${USERS}`,
      [tokenId],
    );
    await conn.query(
      `INSERT INTO mailcow_scim_user_emails (user_id, token_id, position, value_lc, type, is_primary)
       SELECT id, token_id, 0, user_name_lc, 'work', 1 FROM mailcow_scim_users
       UNION ALL SELECT id, token_id, 1, CONCAT('u', SUBSTRING_INDEX(SUBSTRING(user_name_lc, 5), '@', 1), '@home.example'), 'home', 0 FROM mailcow_scim_users`,
    );
    await conn.query('ANALYZE TABLE mailcow_scim_users, mailcow_scim_user_emails, mailbox');
  } finally {
    conn.release();
  }
  timings.load = Date.now() - t;
  caller = { token: { id: tokenId, name: 'explain', prefix: 'mcs_x', active: true, revokedAt: null, policy: { ...DEFAULT_POLICY, domains: ['example.org'] }, createdAt: nowIso(), updatedAt: nowIso(), lastUsedAt: null, lastUsedIp: null }, requestId: 'explain', clientIp: null };
  t = Date.now();
}, 120_000);

afterAll(async () => {
  console.info(`explain-100k: ${JSON.stringify(timings)}`);
  await db?.drop();
});

interface PlanRow {
  table: string;
  type: string;
  key: string | null;
  rows: number;
  r_rows?: number;
}

async function plan(verb: 'EXPLAIN' | 'ANALYZE', sql: string, params: unknown[]): Promise<PlanRow[]> {
  const [rows] = await db.pool.query<RowDataPacket[]>(`${verb} ${sql}`, params);
  return rows.map((r) => ({ table: String(r.table), type: String(r.type), key: r.key === null ? null : String(r.key), rows: Number(r.rows), ...(r.r_rows !== undefined ? { r_rows: Number(r.r_rows) } : {}) }));
}

const CASES: [string, string, string][] = [
  ['userName eq', 'userName eq "USER77777@example.org"', 'uq_mailcow_scim_users_name'],
  ['externalId eq', 'externalId eq "ext-77777"', 'ix_mailcow_scim_users_external'],
  ['emails.value eq', 'emails.value eq "U77777@Home.example"', 'ix_mailcow_scim_user_emails_value'],
  ['Entra emails[type eq "work"].value eq', 'emails[type eq "work"].value eq "user77777@example.org"', 'ix_mailcow_scim_user_emails_value'],
];

describe(`at ${USERS.toLocaleString('en')} users`, () => {
  it.each(CASES)('%s is an index lookup', async (name, filter, index) => {
    const p = parseListParams({ filter }, USER_RESOURCE_TYPE, 100);
    const statements = buildListStatements(userListSource(caller), { ...p, seek: undefined });
    for (const [which, st] of [['count', statements.count], ['page', statements.page!]] as const) {
      const explained = await plan('EXPLAIN', st.sql, st.params);
      // No full scan of a table (a materialised one-row semi-join or the JSON_TABLE of one
      // user's document are not tables), and the expected index is used.
      const scans = explained.filter((r) => r.type === 'ALL' && !r.table.startsWith('<') && r.table !== 'jt');
      expect(scans, `${which}: ${JSON.stringify(explained)}`).toEqual([]);
      expect(explained.map((r) => r.key), `${which}: ${JSON.stringify(explained)}`).toContain(index);
      const analyzed = await plan('ANALYZE', st.sql, st.params);
      const read = analyzed.reduce((n, r) => n + (r.r_rows ?? 0), 0);
      expect(read, `${which}: ${JSON.stringify(analyzed)}`).toBeLessThan(10);
      timings[`${name} ${which} rows read`] = read;
    }
    const t = Date.now();
    const page = await listResourceIds(db.pool, userListSource(caller), { ...p });
    timings[`${name} ms`] = Date.now() - t;
    expect(page.total).toBe(1);
  });

  it('the default page (creation order) reads the index in order, not 100,000 rows', async () => {
    const p = parseListParams({ count: 100 }, USER_RESOURCE_TYPE, 500);
    const st = buildListStatements(userListSource(caller), p).page!;
    const analyzed = await plan('ANALYZE', st.sql, st.params);
    expect(analyzed.reduce((n, r) => n + (r.r_rows ?? 0), 0), JSON.stringify(analyzed)).toBeLessThan(1000);
    // totalResults counts the scope index (migration 3), not the table.
    const c = buildListStatements(userListSource(caller), p).count;
    const counted = await plan('EXPLAIN', c.sql, c.params);
    expect(counted.map((r) => r.key), JSON.stringify(counted)).toEqual(['ix_mailcow_scim_users_scope']);
    const t = Date.now();
    const page = await listResourceIds(db.pool, userListSource(caller), p);
    timings['first page of 100 with totalResults ms'] = Date.now() - t;
    expect(page.total).toBe(USERS);
    expect(page.ids).toHaveLength(100);
  });

  it('a lookup reads its row, mailbox, quota and groups in one statement of a handful of rows', async () => {
    const p = parseListParams({ filter: 'userName eq "USER77777@example.org"' }, USER_RESOURCE_TYPE, 100);
    // As listResources sends it (the probe, with the store's rows), without the session prefix ANALYZE cannot take.
    const st = buildListStatements(userListSource(caller), p, undefined, { probe: true, rows: { ...USER_PAGE_ROWS, prefix: undefined } }).page!;
    const analyzed = await plan('ANALYZE', st.sql, st.params);
    const scans = analyzed.filter((r) => r.type === 'ALL' && !r.table.startsWith('<'));
    expect(scans, JSON.stringify(analyzed)).toEqual([]);
    expect(analyzed.map((r) => r.key), JSON.stringify(analyzed)).toContain('uq_mailcow_scim_users_name');
    expect(analyzed.reduce((n, r) => n + (r.r_rows ?? 0), 0), JSON.stringify(analyzed)).toBeLessThan(10);
    let t = Date.now();
    const one = await listResources(db.pool, userListSource(caller), p, USER_PAGE_ROWS);
    timings['lookup, one statement ms'] = Date.now() - t;
    t = Date.now();
    const ids = await listResourceIds(db.pool, { ...userListSource(caller) }, { ...p, startIndex: 1 });
    const byId = await selectUsers(db.pool, 'u.id IN (?)', [ids.ids]);
    timings['lookup, ids then rows then groups ms'] = Date.now() - t;
    expect(one.total).toBe(1);
    expect(one.items).toEqual(byId);
  });

  it('the first page of 100 with its rows joins them to the index walk: about a page of rows read', async () => {
    const p = parseListParams({ count: 100 }, USER_RESOURCE_TYPE, 500);
    const st = buildListStatements(userListSource(caller), p, undefined, { probe: true, rows: { ...USER_PAGE_ROWS, prefix: undefined } }).page!;
    const analyzed = await plan('ANALYZE', st.sql, st.params);
    const scans = analyzed.filter((r) => r.type === 'ALL' && !r.table.startsWith('<'));
    expect(scans, JSON.stringify(analyzed)).toEqual([]);
    expect(analyzed.reduce((n, r) => n + (r.r_rows ?? 0), 0), JSON.stringify(analyzed)).toBeLessThan(1000);
    const t = Date.now();
    const page = await listResources(db.pool, userListSource(caller), p, USER_PAGE_ROWS);
    timings['first page of 100 with rows and totalResults ms'] = Date.now() - t;
    expect(page.total).toBe(USERS);
    expect(page.items).toHaveLength(100);
  });

  it('a cursor page deep in the list is a range read too', async () => {
    const p = parseListParams({ count: 100, cursor: '' }, USER_RESOURCE_TYPE, 500);
    const first = await listResourceIds(db.pool, userListSource(caller), { ...p, seek: { from: null, backwards: false } });
    const from = { key: '2026-01-01 23:00:00.000', id: first.ids[0]! };
    const st = buildListStatements(userListSource(caller), { ...p, seek: { from, backwards: false } }).page!;
    const analyzed = await plan('ANALYZE', st.sql, st.params);
    expect(analyzed.reduce((n, r) => n + (r.r_rows ?? 0), 0), JSON.stringify(analyzed)).toBeLessThan(1000);
  });
});
