/**
 * The outbox worker's decisions on an in-memory store (the SQL store is tested against MariaDB in
 * tests/integration/outbox/): what a failure records, how the retry delay grows, that a newer
 * Redis row wins over an older one for the keys it carries, that one flush covers a burst, and
 * that a failed flush keeps its rows.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../server/src/logging.js';
import { OutboxWorker, type OutboxEffects, type OutboxEntry, type OutboxStore, type OutboxWork, type RedisKey, type RedisPayload } from '../../../server/src/outbox/index.js';

interface Row {
  entry: OutboxEntry;
  attempts: number;
  dueAt: number;
  lastError: string | null;
}

class MemoryStore implements OutboxStore {
  rows = new Map<number, Row>();
  private nextId = 1;
  now = 0;

  write(work: OutboxWork, leaseMs: number): OutboxEntry {
    const entry = { ...work, id: this.nextId++, attempts: 0 } as OutboxEntry;
    this.rows.set(entry.id, { entry, attempts: 0, dueAt: this.now + leaseMs, lastError: null });
    return entry;
  }
  async claimDue(limit: number, leaseMs: number) {
    const due = [...this.rows.values()].filter((r) => r.dueAt <= this.now).slice(0, limit);
    return due.map((r) => {
      const entry = { ...r.entry, attempts: r.attempts } as OutboxEntry;
      r.attempts++;
      r.dueAt = this.now + leaseMs;
      return entry;
    });
  }
  async complete(ids: readonly number[]) {
    for (const id of ids) this.rows.delete(id);
  }
  async retryLater(ids: readonly number[], error: string, delayMs: number, countAttempt: boolean) {
    for (const id of ids) {
      const r = this.rows.get(id)!;
      if (countAttempt) r.attempts++;
      r.lastError = error;
      r.dueAt = this.now + delayMs;
    }
  }
  async awaitFlush(id: number, leaseMs: number) {
    const r = this.rows.get(id)!;
    r.entry = { kind: 'memcached_flush', subject: null, payload: {}, id, attempts: r.attempts };
    r.dueAt = this.now + leaseMs;
  }
  async dropSuperseded(e: OutboxEntry) {
    if (e.kind !== 'redis') return;
    for (const [id, r] of this.rows) {
      if (r.entry.kind !== 'redis' || r.entry.subject !== e.subject || id >= e.id) continue;
      const rest = Object.fromEntries(Object.entries(r.entry.payload).filter(([k]) => !(k in e.payload)));
      if (Object.keys(rest).length) r.entry = { ...r.entry, payload: rest };
      else this.rows.delete(id);
    }
  }
  async newerKeys(e: OutboxEntry) {
    const keys = new Set<RedisKey>();
    for (const r of this.rows.values()) if (r.entry.kind === 'redis' && r.entry.subject === e.subject && r.entry.id > e.id) for (const k of Object.keys(r.entry.payload)) keys.add(k as RedisKey);
    return keys;
  }
  async backlog() {
    return { pending: this.rows.size, failing: [...this.rows.values()].filter((r) => r.lastError).length, oldestAgeSeconds: null };
  }
}

class Effects implements OutboxEffects {
  flushes = true;
  sogoCalls: string[][] = [];
  redisCalls: [string, RedisPayload][] = [];
  flushCalls = 0;
  failSogo = 0;
  failFlush = 0;
  async sogo(m: readonly string[]) {
    if (this.failSogo-- > 0) throw new Error('Lock wait timeout exceeded');
    this.sogoCalls.push([...m]);
  }
  async redis(u: string, p: RedisPayload) {
    this.redisCalls.push([u, p]);
  }
  async flush() {
    this.flushCalls++;
    if (this.failFlush-- > 0) throw new Error('connect ECONNREFUSED 127.0.0.1:11211');
  }
}

const silent = createLogger({ level: 'silent' });
const sogo = (m: string): OutboxWork => ({ kind: 'sogo', subject: m, payload: { mailboxes: [m], flush: true } });

function setup(options: { retryBaseMs?: number; retryMaxMs?: number } = {}) {
  const store = new MemoryStore();
  const effects = new Effects();
  const failures: string[] = [];
  const worker = new OutboxWorker(store, effects, { intervalMs: 0, leaseMs: 30_000, flushDebounceMs: 10_000, flushMaxDelayMs: 10_000, onFailure: (k) => failures.push(k), ...options }, silent);
  return { store, effects, worker, failures };
}

describe('OutboxWorker', () => {
  it('the fast path does the SOGo work, keeps the row until one flush covers the burst, then deletes it', async () => {
    const { store, effects, worker } = setup();
    const entries = ['a@x', 'b@x', 'c@x'].map((m) => store.write(sogo(m), 30_000));
    for (const e of entries) await worker.dispatch([e]);
    expect(effects.sogoCalls).toEqual([['a@x'], ['b@x'], ['c@x']]);
    expect([...store.rows.values()].map((r) => r.entry.kind)).toEqual(['memcached_flush', 'memcached_flush', 'memcached_flush']);
    expect(effects.flushCalls).toBe(0);
    await worker.flushNow();
    expect(effects.flushCalls).toBe(1);
    expect(store.rows.size).toBe(0);
  });

  it('without memcached a SOGo row is done once its SOGo part is', async () => {
    const { store, effects, worker } = setup();
    effects.flushes = false;
    await worker.dispatch([store.write(sogo('a@x'), 30_000)]);
    expect(store.rows.size).toBe(0);
  });

  it('a failure keeps the row with attempts 1, its error and a retry after about retryBaseMs; the sweep then does it', async () => {
    const { store, effects, worker, failures } = setup({ retryBaseMs: 1_000 });
    effects.failSogo = 1;
    await worker.dispatch([store.write(sogo('a@x'), 30_000)]);
    const row = [...store.rows.values()][0]!;
    expect(row).toMatchObject({ attempts: 1, lastError: 'Lock wait timeout exceeded' });
    expect(row.dueAt).toBeGreaterThanOrEqual(750);
    expect(row.dueAt).toBeLessThanOrEqual(1_250);
    expect(failures).toEqual(['sogo']);
    expect((await worker.sweep()).claimed).toBe(0);
    store.now = 1_300;
    expect(await worker.sweep()).toEqual({ claimed: 1, failed: 0 });
    expect(effects.sogoCalls).toEqual([['a@x']]);
  });

  it('the retry delay doubles per attempt, up to retryMaxMs', async () => {
    const { store, effects, worker } = setup({ retryBaseMs: 1_000, retryMaxMs: 5_000 });
    store.write(sogo('a@x'), 0);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      effects.failSogo = 1;
      await worker.sweep();
      const r = [...store.rows.values()][0]!;
      delays.push(r.dueAt - store.now);
      store.now = r.dueAt;
    }
    expect([...store.rows.values()][0]!.attempts).toBe(5);
    const bases = [1_000, 2_000, 4_000, 5_000, 5_000];
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(bases[i]! * 0.75);
      expect(d).toBeLessThanOrEqual(bases[i]! * 1.25);
    });
  });

  it('a newer Redis row of the same mailbox wins: the older one is dropped, never applied after it', async () => {
    const { store, effects, worker } = setup();
    // An older change's row, left behind and due again.
    const older = store.write({ kind: 'redis', subject: 'a@x', payload: { rateLimit: '10 / 1h' } }, 0);
    const newer = store.write({ kind: 'redis', subject: 'a@x', payload: { rateLimit: null } }, 30_000);
    // A sweep takes the older one while the newer one is pending: it is skipped.
    expect((await worker.sweep()).claimed).toBe(1);
    expect(effects.redisCalls).toEqual([]);
    expect(store.rows.has(older.id)).toBe(false);
    await worker.dispatch([newer]);
    expect(effects.redisCalls).toEqual([['a@x', { rateLimit: null }]]);

    // The fast path of a newer row drops an older one that waits for its retry.
    const stale = store.write({ kind: 'redis', subject: 'b@x', payload: { taggedMail: 'subject' } }, 60_000);
    const fresh = store.write({ kind: 'redis', subject: 'b@x', payload: { taggedMail: 'none' } }, 30_000);
    await worker.dispatch([fresh]);
    expect(store.rows.has(stale.id)).toBe(false);
    expect(store.rows.size).toBe(0);
    expect(effects.redisCalls.at(-1)).toEqual(['b@x', { taggedMail: 'none' }]);
  });

  it('a newer Redis row supersedes only the keys it carries: the older row still writes the others', async () => {
    const { store, effects, worker } = setup();
    // Claimed while a newer row that carries only the tagged mail is pending: only the rate limit is written.
    const older = store.write({ kind: 'redis', subject: 'a@x', payload: { rateLimit: '10 / 1h', taggedMail: 'subject' } }, 0);
    const newer = store.write({ kind: 'redis', subject: 'a@x', payload: { taggedMail: 'subfolder' } }, 30_000);
    expect((await worker.sweep()).claimed).toBe(1);
    expect(effects.redisCalls).toEqual([['a@x', { rateLimit: '10 / 1h' }]]);
    expect(store.rows.has(older.id)).toBe(false);
    await worker.dispatch([newer]);
    expect(effects.redisCalls.at(-1)).toEqual(['a@x', { taggedMail: 'subfolder' }]);

    // The fast path of a newer row takes its keys out of an older one waiting for its retry, and keeps the rest.
    const stale = store.write({ kind: 'redis', subject: 'b@x', payload: { rateLimit: '5 / 1m', taggedMail: 'subject' } }, 60_000);
    await worker.dispatch([store.write({ kind: 'redis', subject: 'b@x', payload: { rateLimit: null } }, 30_000)]);
    expect([...store.rows.values()].map((r) => r.entry)).toEqual([{ ...stale, payload: { taggedMail: 'subject' } }]);
    store.now = 60_000;
    expect((await worker.sweep()).claimed).toBe(1);
    expect(effects.redisCalls.at(-1)).toEqual(['b@x', { taggedMail: 'subject' }]);
    expect(store.rows.size).toBe(0);
  });

  it('a failed flush keeps every row it covered, each counted once, and the next flush after the delay clears them', async () => {
    const { store, effects, worker, failures } = setup({ retryBaseMs: 1_000 });
    effects.failFlush = 1;
    await worker.dispatch([store.write(sogo('a@x'), 30_000), store.write(sogo('b@x'), 30_000)]);
    await worker.flushNow();
    expect([...store.rows.values()].map((r) => [r.entry.kind, r.attempts, r.lastError])).toEqual([
      ['memcached_flush', 1, 'connect ECONNREFUSED 127.0.0.1:11211'],
      ['memcached_flush', 1, 'connect ECONNREFUSED 127.0.0.1:11211'],
    ]);
    expect(failures).toEqual(['memcached_flush']);
    store.now = 2_000;
    expect((await worker.sweep()).claimed).toBe(2);
    await worker.flushNow();
    expect(effects.flushCalls).toBe(2);
    expect(store.rows.size).toBe(0);
  });

  it('stop() sends the pending flush and sweeps no more', async () => {
    const { store, effects, worker } = setup();
    await worker.dispatch([store.write(sogo('a@x'), 30_000)]);
    await worker.stop();
    expect(effects.flushCalls).toBe(1);
    expect(store.rows.size).toBe(0);
    store.write(sogo('b@x'), 0);
    expect((await worker.sweep()).claimed).toBe(0);
  });
});
