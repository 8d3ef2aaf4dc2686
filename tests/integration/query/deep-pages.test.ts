/**
 * Deep index pages (issue 14): a page of startIndex/count past the middle of the list is read
 * from the end of the order (resource-list.ts indexWindow). It must hold exactly the users, in
 * exactly the order, that the naive front-to-back OFFSET gives: for the default order and
 * sortBy=userName, both directions, with and without a filter, over a token with several
 * domains, creation times shared by many users (ties broken by id), deleted users, and rows of
 * other tokens and of domains the token does not manage. On real MariaDB, with the rows written
 * straight over MariaDB's sequence engine.
 */
import { randomUUID } from 'node:crypto';
import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowIso } from '../../../server/src/mailcow/db-time.js';
import { migrate } from '../../../server/src/mailcow/migrations.js';
import { buildListStatements, indexWindow, listResourceIds, listResources } from '../../../server/src/mailcow/resource-list.js';
import { USER_PAGE_ROWS } from '../../../server/src/mailcow/user-store.js';
import { userListSource } from '../../../server/src/mailcow/user-query.js';
import { parseListParams, type PageQuery } from '../../../server/src/scim/list-params.js';
import { USER_RESOURCE_TYPE } from '../../../server/src/scim/schema/index.js';
import { DEFAULT_POLICY } from '../../../server/src/tokens/policy.js';
import type { Caller } from '../../../server/src/users/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';

/** Users per domain written, before some are deleted. */
const PER_DOMAIN = 700;
const DOMAINS = ['a.example', 'b.example', 'c.example'];
/** Users of the token in a domain it does not manage (not listed), and of another token. */
const OUTSIDE = 'outside.example';

let db: TestDatabase;
let caller: Caller;
const tokenId = randomUUID();
const otherTokenId = randomUUID();
let total = 0;

async function insertUsers(token: string, domain: string, n: number, offset: number): Promise<void> {
  await db.pool.query(
    `INSERT INTO mailbox (username, password, name, local_part, domain, attributes, active)
     SELECT CONCAT('u', seq + ?, '@', ?), '', CONCAT('User ', seq), CONCAT('u', seq + ?), ?, '{}', 1 FROM seq_1_to_${n}`,
    [offset, domain, offset, domain],
  );
  // Creation times repeat: 40 users share each second, so the id decides their order. User
  // names interleave the domains ('user-0001-a…', 'user-0001-b…'), so no domain is a range.
  await db.pool.query(
    `INSERT INTO mailcow_scim_users (id, token_id, user_name, user_name_lc, active, mailbox, domain, resource, version, created_at, last_modified)
     SELECT UUID(), ?, CONCAT('User-', LPAD(seq, 4, '0'), '-', ?), CONCAT('user-', LPAD(seq, 4, '0'), '-', ?), 1, CONCAT('u', seq + ?, '@', ?), ?,
            JSON_OBJECT('schemas', JSON_ARRAY('urn:ietf:params:scim:schemas:core:2.0:User'), 'userName', CONCAT('User-', LPAD(seq, 4, '0'), '-', ?)),
            1, TIMESTAMP('2026-01-01') + INTERVAL (seq DIV 40) SECOND, TIMESTAMP('2026-01-01')
       FROM seq_1_to_${n}`,
    [token, domain, domain, offset, domain, domain, domain],
  );
}

beforeAll(async () => {
  db = await createTestDatabase({ domains: [...DOMAINS, OUTSIDE].map((domain) => ({ domain })) });
  await migrate(db.pool, nowIso);
  for (const [id, name] of [[tokenId, 'deep'], [otherTokenId, 'other']]) {
    await db.pool.query(
      `INSERT INTO mailcow_scim_tokens (id, name, token_hash, prefix, policy, active, created_at, updated_at) VALUES (?, ?, UNHEX(SHA2(?, 256)), 'mcs_x', '{}', 1, NOW(3), NOW(3))`,
      [id, name, id],
    );
  }
  for (const [k, d] of DOMAINS.entries()) await insertUsers(tokenId, d, PER_DOMAIN, k * 10_000);
  await insertUsers(tokenId, OUTSIDE, 200, 50_000);
  await insertUsers(otherTokenId, 'a.example', 200, 60_000);
  // Deleted users leave holes in every part of the order.
  await db.pool.query(`DELETE FROM mailcow_scim_users WHERE token_id = ? AND (CRC32(id) % 7 = 0 OR user_name_lc LIKE 'user-0001-%')`, [tokenId]);
  await db.pool.query('ANALYZE TABLE mailcow_scim_users');
  const [[row]] = await db.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM mailcow_scim_users WHERE token_id = ? AND domain IN (?)`, [tokenId, DOMAINS]);
  total = Number(row!.n);
  caller = {
    token: { id: tokenId, name: 'deep', prefix: 'mcs_x', active: true, revokedAt: null, policy: { ...DEFAULT_POLICY, domains: DOMAINS }, createdAt: nowIso(), updatedAt: nowIso(), lastUsedAt: null, lastUsedIp: null },
    requestId: 'deep-pages',
    clientIp: null,
  };
}, 120_000);

afterAll(async () => {
  await db?.drop();
});

/** The page as the naive statement gives it: front-to-back OFFSET, no window from the end. */
async function naivePage(q: PageQuery): Promise<string[]> {
  const page = buildListStatements(userListSource(caller), q).page!;
  const [rows] = await db.pool.query<RowDataPacket[]>(page.sql, page.params);
  return rows.map((r) => String(r.id));
}

const ORDERS: [string, Record<string, string>][] = [
  ['default order', {}],
  ['default order, descending', { sortOrder: 'descending' }],
  ['sortBy=userName', { sortBy: 'userName' }],
  ['sortBy=userName descending', { sortBy: 'userName', sortOrder: 'descending' }],
];
const FILTERS: [string, Record<string, string>][] = [
  ['no filter', {}],
  // Matches most users (two of the three domains), on an indexed column.
  ['a filter matching most users', { filter: 'userName ew "a.example" or userName ew "c.example"' }],
];

describe('a deep index page is the naive page', () => {
  it('the population has ties, holes and rows out of scope', async () => {
    expect(total).toBeGreaterThan(1500);
    expect(total).toBeLessThan(DOMAINS.length * PER_DOMAIN);
    const [[ties]] = await db.pool.query<RowDataPacket[]>(`SELECT MAX(n) AS n FROM (SELECT COUNT(*) AS n FROM mailcow_scim_users WHERE token_id = ? GROUP BY created_at) t`, [tokenId]);
    expect(Number(ties!.n)).toBeGreaterThan(50);
  });

  for (const [orderName, order] of ORDERS) {
    for (const [filterName, filter] of FILTERS) {
      it(`${orderName}, ${filterName}: every page, at every depth, as the naive query`, async () => {
        const first = await listResourceIds(db.pool, userListSource(caller), parseListParams({ ...order, ...filter, count: '1' }, USER_RESOURCE_TYPE, 500));
        const n = first.total;
        expect(n).toBeGreaterThan(filter.filter ? total / 2 : total - 1);
        const starts = [1, 2, Math.floor(n / 2) - 3, Math.floor(n / 2) + 1, n - 250, n - 100, n - 99, n - 7, n, n + 1];
        for (const count of [1, 7, 100]) {
          for (const startIndex of starts) {
            const q = parseListParams({ ...order, ...filter, startIndex: String(startIndex), count: String(count) }, USER_RESOURCE_TYPE, 500);
            const page = await listResourceIds(db.pool, userListSource(caller), q);
            expect(page.total).toBe(n);
            const naive = startIndex > n ? [] : await naivePage(q);
            expect(page.ids, `startIndex ${startIndex}, count ${count}`).toEqual(naive);
            expect(page.ids).toHaveLength(Math.max(0, Math.min(count, n - startIndex + 1)));
            // The store's rows, read in the page's own statement, are the same page.
            const rows = await listResources(db.pool, userListSource(caller), q, USER_PAGE_ROWS);
            expect({ total: rows.total, ids: rows.items.map((u) => u.id), positions: rows.positions }).toEqual({ total: n, ids: naive, positions: page.positions });
          }
        }
      });
    }
  }

  it('the whole list read in pages of 100 from the front is the naive list, without repeats', async () => {
    const q = (startIndex: number) => parseListParams({ sortBy: 'userName', startIndex: String(startIndex), count: '100' }, USER_RESOURCE_TYPE, 500);
    const seen: string[] = [];
    for (let start = 1; start <= total; start += 100) seen.push(...(await listResourceIds(db.pool, userListSource(caller), q(start))).ids);
    expect(new Set(seen).size).toBe(total);
    expect(seen).toEqual(await naivePage({ ...q(1), count: total }));
  });
});

describe('the cost of a deep page', () => {
  it('reads from the nearer end: the window never skips more than half the list', () => {
    expect(indexWindow(1, 100, 100_000)).toEqual({ fromEnd: false, limit: 100, offset: 0 });
    expect(indexWindow(99_901, 100, 100_000)).toEqual({ fromEnd: true, limit: 100, offset: 0 });
    expect(indexWindow(99_951, 100, 100_000)).toEqual({ fromEnd: true, limit: 50, offset: 0 });
    expect(indexWindow(60_001, 100, 100_000)).toEqual({ fromEnd: true, limit: 100, offset: 39_900 });
    expect(indexWindow(50_001, 100, 100_000)).toEqual({ fromEnd: true, limit: 100, offset: 49_900 });
    expect(indexWindow(49_901, 100, 100_000)).toEqual({ fromEnd: false, limit: 100, offset: 49_900 });
  });

  it.each(ORDERS)('%s: the last page walks an index in order and reads about one page of entries', async (_, order) => {
    const q = parseListParams({ ...order, startIndex: String(total - 99), count: '100' }, USER_RESOURCE_TYPE, 500);
    const st = buildListStatements(userListSource(caller), q, total);
    expect(st.fromEnd).toBe(true);
    await expectIndexWalk(st.page!.sql, st.page!.params, 400);
  });

  it.each(ORDERS)('%s: the last page with its rows still walks the index, and joins about a page of rows', async (_, order) => {
    const q = parseListParams({ ...order, startIndex: String(total - 99), count: '100' }, USER_RESOURCE_TYPE, 500);
    const st = buildListStatements(userListSource(caller), q, total, { rows: { ...USER_PAGE_ROWS, prefix: undefined } });
    expect(st.fromEnd).toBe(true);
    const [analyzed] = await db.pool.query<RowDataPacket[]>(`ANALYZE FORMAT=JSON ${st.page!.sql}`, st.page!.params);
    const plan = String(Object.values(analyzed[0]!)[0]);
    // The index walk of the ids inside, then the rows by primary key: a few rows per user.
    expect(plan, plan).toMatch(/"key": "ix_mailcow_scim_users_(created|name)_scope"/);
    const read = [...plan.matchAll(/"r_rows": ([0-9.]+)/g)].reduce((a, m) => a + Number(m[1]), 0);
    expect(read, plan).toBeLessThan(1000);
  });

  it.each(ORDERS)('%s: the middle page skips through a covering index, not the table', async (_, order) => {
    const q = parseListParams({ ...order, startIndex: String(Math.floor(total / 2)), count: '100' }, USER_RESOURCE_TYPE, 500);
    const st = buildListStatements(userListSource(caller), q, total);
    const [analyzed] = await db.pool.query<RowDataPacket[]>(`ANALYZE FORMAT=JSON ${st.page!.sql}`, st.page!.params);
    const plan = String(Object.values(analyzed[0]!)[0]);
    expect(plan, plan).not.toContain('filesort');
    expect(plan, plan).toContain('"using_index": true');
    expect(plan, plan).toMatch(/"key": "ix_mailcow_scim_users_(created|name)_scope"/);
  });
});

/** The statement gives its order by walking an index (no filesort) and reads under `maxRead` entries. */
async function expectIndexWalk(sql: string, params: unknown[], maxRead: number): Promise<void> {
  const [analyzed] = await db.pool.query<RowDataPacket[]>(`ANALYZE FORMAT=JSON ${sql}`, params);
  const plan = String(Object.values(analyzed[0]!)[0]);
  expect(plan, plan).not.toContain('filesort');
  const read = [...plan.matchAll(/"r_rows": ([0-9.]+)/g)].reduce((a, m) => a + Number(m[1]), 0);
  expect(read, plan).toBeLessThan(maxRead);
}
