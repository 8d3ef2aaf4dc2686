/**
 * The outbox's ports (docs/architecture.md §8.1): post-commit work recorded as rows in the same
 * transaction as the change that needs it, done right after the commit and, when that did not
 * happen (a crash, Redis or memcached down), again later by whichever replica claims the row.
 */
import type { TaggedMailHandler } from '../provisioning/index.js';

/**
 * A mailbox's Redis keys as one change left them: a rate limit (null removes it) and the
 * plus-address handling. Each key is superseded on its own: a change that wrote only one of them
 * says nothing about the other, so an older row's other key must still be written.
 */
export interface RedisPayload {
  rateLimit?: string | null;
  taggedMail?: TaggedMailHandler;
}

/** One key (group) of a RedisPayload, the unit in which a newer row supersedes an older one. */
export type RedisKey = keyof RedisPayload;

/**
 * One piece of post-commit work.
 * - `sogo`: recompute the mailboxes' `_sogo_static_view` rows from their current state (so doing
 *   it twice, or late, writes what mailcow's refresh would write now), then flush memcached.
 * - `redis`: one mailbox's keys, in commit order: a newer row of the same mailbox supersedes the
 *   keys of an older one that it carries too, and only those.
 * - `memcached_flush`: the SOGo part is done, the flush is not yet.
 */
export type OutboxWork =
  | { kind: 'sogo'; subject: string | null; payload: { mailboxes: string[]; flush: boolean } }
  | { kind: 'redis'; subject: string; payload: RedisPayload }
  | { kind: 'memcached_flush'; subject: null; payload: Record<string, never> };

export type OutboxKind = OutboxWork['kind'];

export type OutboxEntry = OutboxWork & {
  id: number;
  /** Attempts started before this one (0 for the fast path right after the commit). */
  attempts: number;
};

export interface OutboxBacklog {
  /** Rows not yet done, whether due now or waiting for a retry or a lease. */
  pending: number;
  /** Rows that failed at least once. */
  failing: number;
  /** Seconds since the oldest pending row was written (null when there is none). */
  oldestAgeSeconds: number | null;
}

export interface OutboxStore {
  /**
   * Takes up to `limit` due rows for this process: each is leased for `leaseMs` (its next attempt
   * moved past the lease, its attempts counted) in a committed claim, so that no other replica
   * takes it meanwhile.
   */
  claimDue(limit: number, leaseMs: number): Promise<OutboxEntry[]>;
  /** The rows' work is done. */
  complete(ids: readonly number[]): Promise<void>;
  /** The rows' work failed: try again after `delayMs`; `countAttempt` for an attempt claimDue did not count. */
  retryLater(ids: readonly number[], error: string, delayMs: number, countAttempt: boolean): Promise<void>;
  /** The SOGo part of a row is done, its flush is still to come (leased for `leaseMs`). */
  awaitFlush(id: number, leaseMs: number): Promise<void>;
  /**
   * Takes the keys the entry carries out of the older `redis` rows of its mailbox (this one has
   * the newer values of those keys); an older row left with no key is deleted.
   */
  dropSuperseded(entry: OutboxEntry): Promise<void>;
  /** The keys that newer `redis` rows of the entry's mailbox carry (this one's values of them are stale). */
  newerKeys(entry: OutboxEntry): Promise<ReadonlySet<RedisKey>>;
  backlog(): Promise<OutboxBacklog>;
}

/** mailcow's side of the work: each call either does all of it or throws. */
export interface OutboxEffects {
  sogo(mailboxes: readonly string[]): Promise<void>;
  /**
   * Writes each of the mailbox's keys in the payload unless a row newer than `version` (the
   * outbox row's id) wrote that key already: a claimed old row whose write lands after a newer
   * change's must not undo it, and must still write the keys the newer change did not touch.
   */
  redis(username: string, payload: RedisPayload, version: number): Promise<void>;
  /** `flush_all` to memcached; throws when it was not acknowledged. */
  flush(): Promise<void>;
  /** Whether a memcached is configured at all (else flushes are done by doing nothing). */
  readonly flushes: boolean;
}
