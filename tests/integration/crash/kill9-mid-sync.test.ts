/**
 * Crash test (issue 15, "Also build"): `kill -9` of the sidecar process while hundreds of creates
 * are in flight, a restart, the IdP's retry of the whole set, then the row-completeness checks
 * (tests/helpers/mailcow-rows.ts): no partial mailbox, every mailbox with its alias, quota rows,
 * ACL and SOGo row, each person exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partialMailboxes, rowsOf } from '../../helpers/mailcow-rows.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';
import { issueToken, waitFor } from '../../helpers/process-fixture.js';
import { startSidecarProcess, type SidecarProcess } from '../../helpers/sidecar-process.js';
import { count, people, syncUsers } from './idp-sync.js';

const D = 'kill9.org';
const N = 400;
let db: TestDatabase;
const running: SidecarProcess[] = [];
const env = () => ({ MARIADB_URL: db.url, LOG_LEVEL: 'warn', SCIM_OUTBOX_LEASE_MS: '1000', SCIM_OUTBOX_INTERVAL_MS: '250' });

beforeAll(async () => {
  db = await createTestDatabase({ domains: [{ domain: D, mailboxes: N * 2, defquotaMiB: 1, maxquotaMiB: 10, quotaMiB: 1_000_000 }] });
});
afterAll(async () => {
  for (const p of running) await p.stop().catch(() => undefined);
  await db?.drop();
});

describe('kill -9 of the sidecar mid-sync', () => {
  it(`${N} creates, killed part-way: after a restart and the IdP's retry every person is there once, nothing partial`, async () => {
    const first = await startSidecarProcess(env());
    running.push(first);
    const token = await issueToken(db.pool, [D], { migrate: false });
    const users = people(D, N);

    let killed: Promise<void> | undefined;
    const before = await syncUsers(first.baseUrl, token, users, {
      concurrency: 16,
      onAnswer: (_status, done) => {
        if (done === Math.floor(N * 0.3) && !killed) killed = first.kill9();
      },
    });
    await killed;
    const created = count(before, 201);
    expect(created).toBeGreaterThanOrEqual(Math.floor(N * 0.3) - 16);
    expect(created).toBeLessThan(N);
    expect(count(before, 0)).toBeGreaterThan(0);
    const afterKill = await partialMailboxes(db.pool);

    const restartedAt = Date.now();
    const second = await startSidecarProcess(env());
    running.push(second);
    const retry = await syncUsers(second.baseUrl, token, users, { concurrency: 16 });
    const recoveredMs = Date.now() - restartedAt;
    expect([...retry.statuses.keys()].sort()).toEqual(created === 0 ? [201] : [201, 409]);
    expect(count(retry, 201) + count(retry, 409)).toBe(N);

    await waitFor('the outbox to drain', async () => Number((await rowsOf(db.pool, `SELECT COUNT(*) AS n FROM mailcow_scim_outbox`))[0]!.n) === 0, 20_000, 200);
    expect(await partialMailboxes(db.pool)).toEqual([]);
    expect(await rowsOf(db.pool, `SELECT COUNT(*) AS n FROM mailcow_scim_users`)).toEqual([{ n: N }]);
    expect(await rowsOf(db.pool, `SELECT COUNT(*) AS n FROM mailbox WHERE domain = ?`, [D])).toEqual([{ n: N }]);
    expect(await rowsOf(db.pool, `SELECT COUNT(*) AS n FROM _sogo_static_view WHERE domain = ?`, [D])).toEqual([{ n: N }]);
    // The figures of the run (docs/operations.md, "After a crash or an outage").
    console.log(
      `kill -9 mid-sync: ${N} creates, ${created} answered 201 before the kill, ${count(before, 0)} cut off; ` +
        `problems right after the kill: ${afterKill.length} (${afterKill.slice(0, 3).join('; ')}); ` +
        `retry: ${count(retry, 201)} created, ${count(retry, 409)} already there; partial mailboxes after: 0; ` +
        `restart to a complete set: ${recoveredMs} ms`,
    );
  });
});
