/**
 * Audit retention (issue 13: mailcow_scim_events grew forever, refused requests included). Each
 * token keeps its events `eventRetentionDays` (policy, default 90); events of no token (refused
 * before a token was known) or of a token that is gone keep the default. The pruner runs in the
 * sidecar in the background, in batches with a pause between them; replicas may all run it (a
 * batch another replica already deleted deletes nothing).
 */
import type { Logger } from '../logging.js';

export interface EventTableStats {
  /** InnoDB's estimate of the row count. */
  rowsEstimate: number;
  /** Data and index size in bytes. */
  bytes: number;
  /** RFC 3339 time of the oldest event, null when the table is empty. */
  oldestAt: string | null;
}

/** One token's events; those of no token (refused before one was known); those of tokens that are gone. */
type PruneScope = { kind: 'token'; tokenId: string } | { kind: 'none' } | { kind: 'orphaned'; known: string[] };

export interface EventPruneStore {
  /** Deletes at most `limit` events of `scope` older than `cutoff` (RFC 3339); returns how many. */
  deleteBatch(scope: PruneScope, cutoff: string, limit: number): Promise<number>;
}

export interface PruneDeps {
  store: EventPruneStore;
  /** Every token, revoked ones too (their events age out by their own policy). */
  tokens(): Promise<{ id: string; retentionDays: number }[]>;
  defaultDays: number;
  now?: () => number;
  batchSize?: number;
  /** Pause between batches, so requests writing events are never queued behind a long delete. */
  pauseMs?: number;
}

export interface PruneResult {
  deleted: number;
  batches: number;
}

const DAY_MS = 86_400_000;

export async function pruneAuditEvents(deps: PruneDeps): Promise<PruneResult> {
  const now = deps.now?.() ?? Date.now();
  const batchSize = deps.batchSize ?? 1_000;
  const pause = deps.pauseMs ?? 50;
  const tokens = await deps.tokens();
  const scopes: [PruneScope, number][] = [
    ...tokens.map((t): [PruneScope, number] => [{ kind: 'token', tokenId: t.id }, t.retentionDays]),
    [{ kind: 'none' }, deps.defaultDays],
    [{ kind: 'orphaned', known: tokens.map((t) => t.id) }, deps.defaultDays],
  ];
  const result: PruneResult = { deleted: 0, batches: 0 };
  for (const [scope, days] of scopes) {
    const cutoff = new Date(now - days * DAY_MS).toISOString();
    for (;;) {
      const n = await deps.store.deleteBatch(scope, cutoff, batchSize);
      result.batches++;
      result.deleted += n;
      if (n < batchSize) break;
      await new Promise((r) => setTimeout(r, pause));
    }
  }
  return result;
}

export interface RetentionJob {
  /** Runs one prune now (also what the timer calls); a run already going is awaited, not doubled. */
  runNow(): Promise<PruneResult | undefined>;
  stop(): Promise<void>;
}

/**
 * Prunes every `intervalMs`, the first time `firstDelayMs` after start (a restart loop does not
 * delete in a hurry). The timer never keeps the process alive; a failed run is logged and the
 * next one tries again.
 */
export function startEventRetention(o: {
  prune: () => Promise<PruneResult>;
  intervalMs: number;
  firstDelayMs?: number;
  logger: Logger;
  onPruned?: (deleted: number) => void;
}): RetentionJob {
  let running: Promise<PruneResult | undefined> | undefined;
  let stopped = false;
  const log = o.logger.child({ job: 'event-retention' });
  const runNow = (): Promise<PruneResult | undefined> => {
    if (stopped) return Promise.resolve(undefined);
    running ??= o
      .prune()
      .then(
        (r) => {
          if (r.deleted) log.info({ deleted: r.deleted, batches: r.batches }, 'pruned old audit events');
          o.onPruned?.(r.deleted);
          return r;
        },
        (e: unknown) => {
          log.warn({ err: e }, 'pruning old audit events failed; the next run tries again');
          return undefined;
        },
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  let timer: NodeJS.Timeout | undefined;
  if (o.intervalMs > 0) {
    const schedule = (ms: number) => {
      timer = setTimeout(() => {
        void runNow().finally(() => {
          if (!stopped) schedule(o.intervalMs);
        });
      }, ms);
      timer.unref();
    };
    schedule(o.firstDelayMs ?? Math.min(60_000, o.intervalMs));
  }
  return {
    runNow,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
