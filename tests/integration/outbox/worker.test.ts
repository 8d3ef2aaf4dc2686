/**
 * The outbox worker against real MariaDB and a real memcached: a flush that fails stays as a row
 * (attempts 1, its error kept) and is done once memcached is back; two workers (two replicas,
 * each its own pool) sweeping the same rows at once never do one row twice.
 */
import { request } from 'node:http';
import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../server/src/logging.js';
import { createOutboxStore } from '../../../server/src/mailcow/outbox-store.js';
import { createPool } from '../../../server/src/mailcow/pool.js';
import { MailcowSideEffects } from '../../../server/src/mailcow/side-effects.js';
import { OutboxWorker, type OutboxEffects, type OutboxStore } from '../../../server/src/outbox/index.js';
import { scimClient } from '../../helpers/http.js';
import { partialMailboxes, rowsOf } from '../../helpers/mailcow-rows.js';
import { startMemcached, type TestMemcached } from '../../helpers/memcached.js';
import { CORE_USER, waitFor } from '../../helpers/process-fixture.js';
import { freePort } from '../../helpers/free-port.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

function fetchLocal(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
}

const outboxRows = async (t: TestSidecar) => rowsOf(t.db.pool, `SELECT id, kind, subject, attempts, last_error FROM mailcow_scim_outbox ORDER BY id`);

describe('memcached down: the flush is retried', () => {
  let t: TestSidecar;
  let mc: TestMemcached | undefined;
  let port: number;
  let metricsPort: number;
  beforeAll(async () => {
    port = await freePort();
    metricsPort = await freePort();
    // Nothing listens on the port yet: memcached is down. Sweeps only when the test asks.
    t = await startTestSidecar({ domains: [{ domain: 'retry.org' }], env: { MEMCACHED_URL: `127.0.0.1:${port}`, SCIM_OUTBOX_INTERVAL_MS: '0', SCIM_METRICS_PORT: String(metricsPort) } });
  });
  afterAll(async () => {
    await t?.stop();
    await mc?.stop();
  });

  it('the row stays with attempts 1 and its error, and is done once memcached answers', async () => {
    const token = (await t.sidecar.tokens.create('retry', { domains: ['retry.org'] })).secret;
    const api = scimClient('http://localhost/scim/v2', token, t.httpSocket);
    const r = await api.post('/Users', { schemas: [CORE_USER], userName: 'flush@retry.org' });
    expect(r.status, r.text).toBe(201);
    // The SOGo row is written before the answer, as before the outbox.
    expect(await rowsOf(t.db.pool, `SELECT c_uid FROM _sogo_static_view WHERE c_uid = 'flush@retry.org'`)).toEqual([{ c_uid: 'flush@retry.org' }]);
    const failed = await waitFor('the failed flush to be recorded', async () => {
      const rows = await outboxRows(t);
      return rows.length === 1 && rows[0]!.last_error !== null ? rows[0] : undefined;
    });
    expect(failed).toMatchObject({ kind: 'memcached_flush', attempts: 1 });
    expect(String(failed.last_error)).toMatch(/ECONNREFUSED/);
    expect(await t.sidecar.outbox.backlog()).toMatchObject({ pending: 1, failing: 1 });
    const metrics = await fetchLocal(metricsPort, '/metrics');
    expect(metrics).toContain('mailcow_scim_outbox_backlog 1');
    expect(metrics).toContain('mailcow_scim_outbox_failing 1');
    expect(metrics).toContain('mailcow_scim_outbox_failures_total{kind="memcached_flush"} 1');
    expect(metrics).toMatch(/mailcow_scim_outbox_oldest_age_seconds \d/);
    expect(JSON.parse(await fetchLocal(metricsPort, '/healthz'))).toMatchObject({ status: 'ok', outbox: { pending: 1, failing: 1 } });

    // A sweep before the retry is due leaves the row alone.
    expect((await t.sidecar.outbox.sweep()).claimed).toBe(0);

    mc = await startMemcached(port);
    expect(await mc.flushes()).toBe(0);
    await waitFor(
      'the retried flush',
      async () => {
        await t.sidecar.outbox.sweep();
        await t.sidecar.outbox.flushNow();
        return (await outboxRows(t)).length === 0;
      },
      15_000,
      200,
    );
    expect(await mc.flushes()).toBe(1);
    expect(await t.sidecar.outbox.backlog()).toEqual({ pending: 0, failing: 0, oldestAgeSeconds: null });
    expect(await fetchLocal(metricsPort, '/metrics')).toContain('mailcow_scim_outbox_backlog 0');
  });
});

describe('two workers on the same rows', () => {
  let t: TestSidecar;
  beforeAll(async () => {
    t = await startTestSidecar({ domains: [{ domain: 'pair.org', mailboxes: 100, quotaMiB: 100_000 }], env: { SCIM_OUTBOX_INTERVAL_MS: '0' } });
  });
  afterAll(async () => t?.stop());

  it('each row is done exactly once, by one of them', async () => {
    const token = (await t.sidecar.tokens.create('pair', { domains: ['pair.org'] })).secret;
    const api = scimClient('http://localhost/scim/v2', token, t.httpSocket);
    const users = Array.from({ length: 20 }, (_, i) => `p${i}@pair.org`);
    for (const u of users) expect((await api.post('/Users', { schemas: [CORE_USER], userName: u })).status).toBe(201);
    // Work a crash left behind: no SOGo rows, 10 due outbox rows per mailbox.
    await t.db.pool.query(`DELETE FROM _sogo_static_view`);
    const values = users.flatMap((u) => Array.from({ length: 10 }, () => ['sogo', u, JSON.stringify({ mailboxes: [u], flush: false })]));
    await t.db.pool.query(
      `INSERT INTO mailcow_scim_outbox (kind, subject, payload, attempts, next_attempt_at, created_at) VALUES ${values.map(() => '(?, ?, ?, 0, UTC_TIMESTAMP(3) - INTERVAL 1 SECOND, UTC_TIMESTAMP(3))').join(', ')}`,
      values.flat(),
    );
    const [idRows] = await t.db.pool.query<RowDataPacket[]>(`SELECT id FROM mailcow_scim_outbox ORDER BY id`);
    const allIds = idRows.map((r) => Number(r.id));
    expect(allIds).toHaveLength(200);

    const silent = createLogger({ level: 'silent' });
    const replicas = [createPool(t.db.url, { connectionLimit: 3 }), createPool(t.db.url, { connectionLimit: 3 })];
    try {
      const applied = new Map<string, number>();
      const claimedBy = [new Set<number>(), new Set<number>()];
      const workers = replicas.map((pool, n) => {
        const real = new MailcowSideEffects(pool, { skipSogo: false }, silent);
        const effects: OutboxEffects = {
          flushes: false,
          async sogo(mailboxes) {
            for (const m of mailboxes) applied.set(m, (applied.get(m) ?? 0) + 1);
            await real.sogo(mailboxes);
          },
          redis: (u, p, v) => real.redis(u, p, v),
          flush: () => real.flush(),
        };
        const store = createOutboxStore(pool);
        const counting: OutboxStore = {
          ...store,
          async claimDue(limit, leaseMs) {
            const rows = await store.claimDue(limit, leaseMs);
            for (const r of rows) claimedBy[n]!.add(r.id);
            return rows;
          },
        };
        return new OutboxWorker(counting, effects, { intervalMs: 0, leaseMs: 30_000, batchSize: 7 }, silent);
      });
      const results = await Promise.all(workers.map((w) => w.sweep()));
      expect(results[0]!.claimed + results[1]!.claimed).toBe(200);
      expect(results.map((r) => r.failed)).toEqual([0, 0]);
      // Both took part, and no row was taken by both.
      expect(claimedBy[0]!.size).toBeGreaterThan(0);
      expect(claimedBy[1]!.size).toBeGreaterThan(0);
      expect([...claimedBy[0]!].filter((id) => claimedBy[1]!.has(id))).toEqual([]);
      expect([...claimedBy[0]!, ...claimedBy[1]!].sort((a, b) => a - b)).toEqual(allIds);
      expect([...applied.values()]).toEqual(Array(20).fill(10));
      expect(await rowsOf(t.db.pool, `SELECT COUNT(*) AS n FROM mailcow_scim_outbox`)).toEqual([{ n: 0 }]);
      expect(await partialMailboxes(t.db.pool)).toEqual([]);
      // A second round finds nothing to do.
      expect((await Promise.all(workers.map((w) => w.sweep()))).map((r) => r.claimed)).toEqual([0, 0]);
    } finally {
      await Promise.all(replicas.map((p) => p.end()));
    }
  });
});
