/**
 * Crash test (issue 15, "Also build"): MariaDB killed (SIGKILL, so InnoDB recovers at start) and
 * started again in the middle of a sync. The database is the test's own (tests/helpers/
 * private-mariadb.ts: its own data directory and port), never the machine's. While it is down
 * the sidecar answers 503 and stays up; the IdP keeps retrying what got a 503 or no answer, and
 * afterwards every person is there exactly once and no mailbox is partial.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installMailcowSchemaFixture } from '../../../server/src/cli/mailcow-schema-fixture.js';
import { addDomainLikeMailcow } from '../../../server/src/mailcow/domains.js';
import { createPool, withDatabase } from '../../../server/src/mailcow/pool.js';
import type { DatabasePool } from '../../../server/src/mailcow/queryable.js';
import { partialMailboxes, rowsOf } from '../../helpers/mailcow-rows.js';
import { issueToken, waitFor } from '../../helpers/process-fixture.js';
import { startPrivateMariadb, type PrivateMariadb } from '../../helpers/private-mariadb.js';
import { startSidecarProcess, type SidecarProcess } from '../../helpers/sidecar-process.js';
import { count, people, syncUsers } from './idp-sync.js';

const D = 'restart.org';
const N = 300;
let maria: PrivateMariadb;
let url: string;
let sidecar: SidecarProcess | undefined;

/** A fresh pool per use: connections of a pool do not outlive the server they talked to. */
async function withPool<T>(fn: (pool: DatabasePool) => Promise<T>): Promise<T> {
  const pool = createPool(url, { connectionLimit: 2 });
  try {
    return await fn(pool);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

beforeAll(async () => {
  maria = await startPrivateMariadb();
  const admin = createPool(maria.url, { connectionLimit: 1 });
  await admin.query('CREATE DATABASE mailcow CHARACTER SET utf8mb4');
  await admin.end();
  url = withDatabase(maria.url, 'mailcow');
  await withPool(async (pool) => {
    await installMailcowSchemaFixture(pool);
    await addDomainLikeMailcow(pool, { domain: D, mailboxes: N * 2, defquotaMiB: 1, maxquotaMiB: 10, quotaMiB: 1_000_000 });
  });
}, 180_000);

afterAll(async () => {
  await sidecar?.stop().catch(() => undefined);
  await maria?.destroy();
});

describe('MariaDB killed and restarted mid-sync', () => {
  it(`${N} creates across a database crash: the sidecar stays up, the retried set is complete, nothing partial`, { timeout: 180_000 }, async () => {
    sidecar = await startSidecarProcess({ MARIADB_URL: url, LOG_LEVEL: 'warn', SCIM_OUTBOX_LEASE_MS: '1000', SCIM_OUTBOX_INTERVAL_MS: '250' });
    const token = await withPool((pool) => issueToken(pool, [D], { migrate: false }));
    const users = people(D, N);

    let downAt = 0;
    let backAt = 0;
    let firstCreateAfter = 0;
    let outage: Promise<void> | undefined;
    const result = await syncUsers(sidecar.baseUrl, token, users, {
      concurrency: 8,
      // An IdP retries a 503 (Retry-After) and a lost answer; a 409 means it was created before.
      retryWhile: (status) => status === 503 || status === 0 || status === 500,
      onAnswer: (status, done) => {
        if (done === Math.floor(N / 3) && !outage) {
          outage = (async () => {
            downAt = Date.now();
            await maria.kill9();
            await new Promise((r) => setTimeout(r, 3_000));
            await maria.start();
            backAt = Date.now();
          })();
        }
        if (status === 201 && backAt && !firstCreateAfter) firstCreateAfter = Date.now();
      },
    });
    await outage;
    expect(downAt).toBeGreaterThan(0);
    // The process lived through it.
    expect(await Promise.race([sidecar.exited, new Promise((r) => setTimeout(() => r('alive'), 100))])).toBe('alive');
    // What the IdP saw while the database was gone: 503s (with Retry-After), never a 500.
    expect(result.retried.get(503) ?? 0).toBeGreaterThan(0);
    expect(result.retried.get(500) ?? 0).toBe(0);
    expect(count(result, 201) + count(result, 409)).toBe(N);

    await withPool(async (pool) => {
      await waitFor('the outbox to drain', async () => Number((await rowsOf(pool, `SELECT COUNT(*) AS n FROM mailcow_scim_outbox`))[0]!.n) === 0, 30_000, 250);
      expect(await partialMailboxes(pool)).toEqual([]);
      expect(await rowsOf(pool, `SELECT COUNT(*) AS n FROM mailcow_scim_users`)).toEqual([{ n: N }]);
      expect(await rowsOf(pool, `SELECT COUNT(*) AS n FROM mailbox WHERE domain = ?`, [D])).toEqual([{ n: N }]);
      expect(await rowsOf(pool, `SELECT COUNT(*) AS n FROM _sogo_static_view WHERE domain = ?`, [D])).toEqual([{ n: N }]);
    });
    console.log(
      `MariaDB restart mid-sync: ${N} creates, ${count(result, 201)} answered 201, ${count(result, 409)} 409 (created before a lost answer); ` +
        `database down ${backAt - downAt} ms (kill, 3 s, start incl. recovery); first create ${firstCreateAfter ? firstCreateAfter - backAt : 'n/a'} ms after it was back; ` +
        `answers retried: ${[...result.retried].map(([s, n]) => `${n}× ${s || 'no answer'}`).join(', ')}; partial mailboxes after: 0`,
    );
  });
});
