/**
 * Does the outbox's work (docs/architecture.md §8.1). Right after a change commits, the unit of work
 * hands its rows here (`dispatch`, the fast path: the SOGo row is written before the SCIM answer,
 * as before the outbox); each row is deleted once its work is done. A row left behind (the
 * process was killed between the commit and the work, or Redis or memcached failed) is found by
 * the sweep, at start and every `intervalMs`, and done again with a growing delay between
 * attempts. Every piece of work may run twice without harm, so a lease that ran out (the work
 * took longer than `leaseMs`) costs time, never correctness.
 *
 * The memcached flush stays debounced across a burst (an initial sync of 10,000 users must not
 * flush 10,000 times): a row whose SOGo part is done waits as `memcached_flush` until one flush
 * covers it.
 */
import type { Logger } from '../logging.js';
import type { OutboxBacklog, OutboxEffects, OutboxEntry, OutboxKind, OutboxStore, RedisKey, RedisPayload } from './ports.js';

export interface OutboxWorkerOptions {
  /** Time between sweeps for rows left behind; 0 sweeps only at start (and when asked). */
  intervalMs: number;
  /** How long a row belongs to whoever took it before another process may take it over. */
  leaseMs: number;
  /** Rows taken per claim. */
  batchSize?: number;
  /** First retry delay; it doubles per attempt up to retryMaxMs (with ±25 % jitter). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Quiet time before a flush, and the longest a flush may be postponed. */
  flushDebounceMs?: number;
  flushMaxDelayMs?: number;
  /** Called once per failed attempt. */
  onFailure?: (kind: OutboxKind) => void;
}

export interface SweepResult {
  /** Rows taken in this sweep. */
  claimed: number;
  failed: number;
}

const DEFAULTS = { batchSize: 100, retryBaseMs: 1_000, retryMaxMs: 300_000, flushDebounceMs: 200, flushMaxDelayMs: 2_000 };

export class OutboxWorker {
  private readonly o: Required<Omit<OutboxWorkerOptions, 'onFailure'>> & Pick<OutboxWorkerOptions, 'onFailure'>;
  private readonly log: Logger;
  private sweeping?: Promise<SweepResult>;
  private sweepTimer?: NodeJS.Timeout;
  private stopped = false;
  /** Rows waiting for the next flush: id → whether a claim already counted this attempt. */
  private flushRows = new Map<number, boolean>();
  private flushTimer?: NodeJS.Timeout;
  private firstFlushPending?: number;
  private flushing?: Promise<void>;
  /** Flushes acknowledged by memcached (for tests). */
  flushes = 0;

  constructor(
    private readonly store: OutboxStore,
    private readonly effects: OutboxEffects,
    options: OutboxWorkerOptions,
    logger: Logger,
  ) {
    this.o = { ...DEFAULTS, ...options };
    this.log = logger.child({ job: 'outbox' });
  }

  get leaseMs(): number {
    return this.o.leaseMs;
  }

  /** Sweeps now, then every intervalMs. */
  start(): void {
    void this.sweep();
    if (this.o.intervalMs <= 0) return;
    const schedule = () => {
      this.sweepTimer = setTimeout(() => {
        void this.sweep().finally(() => {
          if (!this.stopped) schedule();
        });
      }, this.o.intervalMs);
      this.sweepTimer.unref();
    };
    schedule();
  }

  /** The fast path: a committed change's rows, done now. Never throws: a failure is retried later. */
  async dispatch(entries: readonly OutboxEntry[]): Promise<void> {
    for (const e of entries) await this.run(e, false);
  }

  /** Takes and does every due row (a sweep already running is awaited, not doubled). */
  sweep(): Promise<SweepResult> {
    if (this.stopped) return Promise.resolve({ claimed: 0, failed: 0 });
    this.sweeping ??= this.sweepAll()
      .catch((e: unknown) => {
        this.log.warn({ err: e }, 'outbox sweep failed; the next one tries again');
        return { claimed: 0, failed: 0 };
      })
      .finally(() => {
        this.sweeping = undefined;
      });
    return this.sweeping;
  }

  backlog(): Promise<OutboxBacklog> {
    return this.store.backlog();
  }

  /** Sends the pending flush now and stops the timers (rows not done stay for the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    await this.sweeping;
    if (this.flushRows.size) await this.flushNow();
    await this.flushing;
  }

  private async sweepAll(): Promise<SweepResult> {
    const result: SweepResult = { claimed: 0, failed: 0 };
    for (;;) {
      const batch = await this.store.claimDue(this.o.batchSize, this.o.leaseMs);
      result.claimed += batch.length;
      for (const e of batch) if (!(await this.run(e, true))) result.failed++;
      if (batch.length < this.o.batchSize || this.stopped) break;
    }
    if (result.claimed) this.log.info(result, 'outbox: did post-commit work left behind');
    return result;
  }

  /** Does one row's work; false when it failed (the row then waits for its retry). */
  private async run(e: OutboxEntry, claimed: boolean): Promise<boolean> {
    try {
      switch (e.kind) {
        case 'sogo':
          await this.effects.sogo(e.payload.mailboxes);
          if (e.payload.flush && this.effects.flushes) {
            await this.store.awaitFlush(e.id, this.o.leaseMs);
            this.queueFlush(e.id, claimed);
          } else {
            await this.store.complete([e.id]);
          }
          break;
        case 'redis': {
          // A retried row must not overwrite a key that a newer change of the same mailbox wrote,
          // but the keys no newer row carries are still its own to write. A fresh row skips the
          // read: a newer row of its mailbox is rare right after its commit, and the ids in Redis
          // order them anyway.
          const payload = claimed ? withoutKeys(e.payload, await this.store.newerKeys(e)) : e.payload;
          if (!Object.values(payload).some((v) => v !== undefined)) {
            await this.store.complete([e.id]);
            break;
          }
          await this.store.dropSuperseded(e);
          // Ordered per key by the row's id in Redis itself (side-effects.ts): a newer row of the
          // mailbox that committed and wrote after the check above still wins for its keys.
          await this.effects.redis(e.subject, payload, e.id);
          await this.store.complete([e.id]);
          break;
        }
        case 'memcached_flush':
          if (this.effects.flushes) this.queueFlush(e.id, claimed);
          else await this.store.complete([e.id]);
          break;
      }
      return true;
    } catch (err) {
      await this.failed([e.id], e.kind, e.attempts + 1, err, !claimed);
      return false;
    }
  }

  private async failed(ids: number[], kind: OutboxKind, attempts: number, err: unknown, countAttempt: boolean): Promise<void> {
    this.o.onFailure?.(kind);
    const delay = this.retryDelay(attempts);
    this.log.warn({ err, kind, rows: ids.length, attempts, retryInMs: delay }, 'outbox: post-commit work failed; it is retried');
    await this.store.retryLater(ids, errorText(err), delay, countAttempt).catch((e: unknown) => this.log.warn({ err: e }, 'outbox: could not record the failure; the row is retried after its lease'));
  }

  private retryDelay(attempts: number): number {
    const base = Math.min(this.o.retryMaxMs, this.o.retryBaseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }

  private queueFlush(id: number, counted: boolean): void {
    this.flushRows.set(id, counted);
    const now = Date.now();
    this.firstFlushPending ??= now;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    const wait = Math.max(0, Math.min(this.o.flushDebounceMs, this.firstFlushPending + this.o.flushMaxDelayMs - now));
    this.flushTimer = setTimeout(() => void this.flushNow(), wait);
    this.flushTimer.unref();
  }

  /** One flush for every row waiting for one. */
  async flushNow(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.firstFlushPending = undefined;
    await this.flushing;
    const rows = this.flushRows;
    this.flushRows = new Map();
    if (!rows.size) return;
    this.flushing = (async () => {
      try {
        await this.effects.flush();
        this.flushes++;
        await this.store.complete([...rows.keys()]);
      } catch (err) {
        const uncounted = [...rows].filter(([, c]) => !c).map(([id]) => id);
        const counted = [...rows].filter(([, c]) => c).map(([id]) => id);
        if (uncounted.length) await this.failed(uncounted, 'memcached_flush', 1, err, true);
        if (counted.length) await this.failed(counted, 'memcached_flush', 2, err, false);
      }
    })().finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
  }
}

/** The payload without the keys a newer row carries. */
function withoutKeys(payload: RedisPayload, keys: ReadonlySet<RedisKey>): RedisPayload {
  if (!keys.size) return payload;
  const rest: RedisPayload = { ...payload };
  for (const k of keys) delete rest[k];
  return rest;
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.slice(0, 1000);
}
