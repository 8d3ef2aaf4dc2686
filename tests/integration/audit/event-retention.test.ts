/**
 * Audit retention (issue 13): the sidecar's background job keeps each token's events for its
 * eventRetentionDays (default 90) and the token-less ones for 90, deletes in batches, and the
 * table's size and oldest row show in /metrics and doctor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneAuditEvents, type EventPruneStore } from '../../../server/src/audit/index.js';
import { createEventPruneStore } from '../../../server/src/mailcow/event-retention.js';
import { rowsOf } from '../../helpers/mailcow-rows.js';
import { runBinary } from '../../helpers/cli-binary.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { freePort } from '../../helpers/free-port.js';

let t: TestSidecar;
let metricsPort: number;
let short: string;
let long: string;

/** `count` events of `tokenId` (null: no token) `days` old. */
async function events(tokenId: string | null, days: number, count: number, operation = 'create'): Promise<void> {
  const rows = Array.from({ length: count }, () => [tokenId, days, operation]);
  for (let i = 0; i < rows.length; i += 1000) {
    await t.db.pool.query(
      `INSERT INTO mailcow_scim_events (at, token_id, operation, outcome) VALUES ${rows.slice(i, i + 1000).map(() => '(NOW(3) - INTERVAL ? DAY, ?, ?, \'failure\')').join(', ')}`,
      rows.slice(i, i + 1000).flatMap(([tok, d, op]) => [d, tok, op]),
    );
  }
}

async function count(where: string, params: unknown[] = []): Promise<number> {
  return Number((await rowsOf(t.db.pool, `SELECT COUNT(*) AS n FROM mailcow_scim_events WHERE ${where}`, params))[0]!.n);
}

async function metrics(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
}

beforeAll(async () => {
  metricsPort = await freePort();
  // No background run during setup: the test triggers the job itself, then lets the timer run once.
  t = await startTestSidecar({ env: { SCIM_METRICS_PORT: String(metricsPort), SCIM_EVENT_PRUNE_INTERVAL_MS: '0' } });
  short = (await t.sidecar.tokens.create('Short', { domains: ['example.org'], eventRetentionDays: 30 })).token.id;
  long = (await t.sidecar.tokens.create('Long', { domains: ['example.org'] })).token.id;
});
afterAll(async () => t?.stop());

describe('event retention', () => {
  it("keeps each token's events for its days and token-less ones for 90, in batches", async () => {
    await events(short, 40, 2500);
    await events(short, 10, 3);
    await events(long, 40, 4);
    await events(long, 100, 5);
    await events(null, 100, 6, 'authenticate');
    await events(null, 10, 7, 'authenticate');

    const before = await metrics();
    expect(before).toMatch(/^mailcow_scim_events_oldest_timestamp_seconds \d+$/m);
    expect(before).toContain('mailcow_scim_events_pruned_total 0');

    const result = (await t.sidecar.pruneEvents()) as { deleted: number; batches: number };
    expect(result.deleted).toBe(2500 + 5 + 6);
    expect(result.batches).toBeGreaterThanOrEqual(3);
    expect(await count('token_id = ?', [short])).toBe(3);
    expect(await count('token_id = ?', [long])).toBe(4);
    expect(await count('token_id IS NULL')).toBe(7);

    const after = await metrics();
    expect(after).toContain(`mailcow_scim_events_pruned_total ${2500 + 5 + 6}`);
    const oldest = Number(/^mailcow_scim_events_oldest_timestamp_seconds (\d+)$/m.exec(after)![1]);
    expect(Date.now() / 1000 - oldest).toBeGreaterThan(39 * 86_400);
    expect(Date.now() / 1000 - oldest).toBeLessThan(41 * 86_400);
    expect(after).toMatch(/^mailcow_scim_events_rows \d+$/m);
    expect(after).toMatch(/^mailcow_scim_events_bytes [1-9]\d*$/m);
  });

  it('deletes in batches of the size asked, with pauses between them', async () => {
    await events(long, 200, 25);
    const sizes: number[] = [];
    const store = createEventPruneStore(t.db.pool);
    const counting: EventPruneStore = { deleteBatch: async (scope, cutoff, limit) => { const n = await store.deleteBatch(scope, cutoff, limit); sizes.push(n); return n; } };
    const r = await pruneAuditEvents({ store: counting, tokens: async () => [{ id: long, retentionDays: 90 }], defaultDays: 90, batchSize: 10, pauseMs: 1 });
    expect(r.deleted).toBe(25);
    expect(sizes.slice(0, 3)).toEqual([10, 10, 5]);
  });

  it('doctor shows the size and the oldest event, and warns when nothing prunes', async () => {
    const ok = await runBinary(['doctor'], { env: { MARIADB_URL: t.db.url } });
    expect(ok.stdout).toMatch(/ok {4}audit events pruned: about \d+ rows, [\d.]+ MiB, oldest 20\d\d-/);
    await events(long, 400, 1);
    const stale = await runBinary(['doctor'], { env: { MARIADB_URL: t.db.url } });
    expect(stale.stdout).toMatch(/warn {2}audit events pruned: .*older than the longest retention \(90 days\)/);
    expect(stale.stdout).toContain('SCIM_EVENT_PRUNE_INTERVAL_MS');
  });

  it('the background job runs by itself on its interval', async () => {
    const metricsPort2 = await freePort();
    const t2 = await startTestSidecar({ db: t.db, env: { SCIM_METRICS_PORT: String(metricsPort2), SCIM_EVENT_PRUNE_INTERVAL_MS: '300' } });
    try {
      const deadline = Date.now() + 20_000;
      while ((await count('at < NOW(3) - INTERVAL 300 DAY')) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await count('at < NOW(3) - INTERVAL 300 DAY')).toBe(0);
      expect(await (await fetch(`http://127.0.0.1:${metricsPort2}/metrics`)).text()).toMatch(/^mailcow_scim_events_pruned_total [1-9]/m);
    } finally {
      await t2.stop();
    }
  });
});
