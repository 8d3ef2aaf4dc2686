/**
 * What mailcow does outside the transaction after a mailbox change (docs/mailcow-facts.md §2.6):
 * the SOGo view row, Redis rate-limit and tagged-mail keys, and a memcached flush so SOGo sees
 * the change. A change records this work as outbox rows in its own transaction and the outbox
 * worker does it after the commit, again after a crash or a failure (docs/architecture.md §8.1);
 * a failure here never fails the SCIM request.
 */
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import type { Logger } from '../logging.js';
import type { TaggedMailHandler } from '../provisioning/index.js';
import type { OutboxEffects, OutboxWork, RedisKey, RedisPayload } from '../outbox/index.js';
import type { DatabasePool } from './queryable.js';
import { refreshSogoViewRow, refreshSogoViewRows } from './sogo-view.js';

/**
 * Where the id of the last outbox row that wrote a mailbox's rate limit, and its tagged-mail
 * handling, is kept (see redis()): one marker per key, `<prefix><key>:<mailbox>`.
 */
const REDIS_APPLIED_PREFIX = 'mailcow-scim:redis-applied:';
const REDIS_APPLIED_TTL_S = 3600;

/** The applied marker of one key of a mailbox. */
export function redisAppliedMarker(key: RedisKey, username: string): string {
  return `${REDIS_APPLIED_PREFIX}${key}:${username}`;
}

/**
 * KEYS: RL_VALUE, RCPT_WANTS_SUBJECT_TAG, RCPT_WANTS_SUBFOLDER_TAG, the rate limit's applied
 * marker, the tagged mail's applied marker.
 * ARGV: mailbox, row id, rate limit ('set', 'del' or ''), its value, tagged mail ('subject',
 * 'subfolder', 'none' or ''), the markers' TTL.
 * Each key is written only when its own marker is not newer than the row: a newer row that wrote
 * only the other key must not hold this one back. Returns what it wrote: 1 the rate limit, 2 the
 * tagged mail, 3 both, 0 neither.
 */
const REDIS_APPLY = `
local row = tonumber(ARGV[2])
local wrote = 0
if ARGV[3] ~= '' and tonumber(redis.call('GET', KEYS[4]) or '0') <= row then
  if ARGV[3] == 'set' then redis.call('HSET', KEYS[1], ARGV[1], ARGV[4]) else redis.call('HDEL', KEYS[1], ARGV[1]) end
  redis.call('SET', KEYS[4], ARGV[2], 'EX', ARGV[6])
  wrote = wrote + 1
end
if ARGV[5] ~= '' and tonumber(redis.call('GET', KEYS[5]) or '0') <= row then
  if ARGV[5] == 'subject' then redis.call('HSET', KEYS[2], ARGV[1], '1'); redis.call('HDEL', KEYS[3], ARGV[1])
  elseif ARGV[5] == 'subfolder' then redis.call('HSET', KEYS[3], ARGV[1], '1'); redis.call('HDEL', KEYS[2], ARGV[1])
  else redis.call('HDEL', KEYS[2], ARGV[1]); redis.call('HDEL', KEYS[3], ARGV[1]) end
  redis.call('SET', KEYS[5], ARGV[2], 'EX', ARGV[6])
  wrote = wrote + 2
end
return wrote
`;

export interface MailboxEffects {
  /** Mailboxes whose _sogo_static_view row must be refreshed (upsert when active, else delete). */
  readonly sogo: readonly string[];
  /** Mailboxes whose row the change wrote in its transaction (then flushed for SOGo). */
  readonly sogoDone: ReadonlySet<string>;
  /** RL_VALUE per mailbox: a value like "10 / 1h", or null to remove it. */
  readonly rateLimits: readonly { username: string; value: string | null }[];
  /** RCPT_WANTS_* per mailbox, only when a template names a handler (A.4). */
  readonly taggedMail: readonly { username: string; handler: TaggedMailHandler }[];
}

/**
 * The post-commit work one transaction collects: each attempt of a change owns a fresh one
 * (a retried transaction starts from nothing), the row writers add to it, and the unit of work
 * turns it into outbox rows (MailcowSideEffects.plan) written in the same transaction.
 */
export class PendingEffects implements MailboxEffects {
  readonly sogo: string[] = [];
  readonly rateLimits: { username: string; value: string | null }[] = [];
  readonly taggedMail: { username: string; handler: TaggedMailHandler }[] = [];

  /** Mailboxes whose SOGo row the change wrote itself: only the memcached flush is left to do. */
  readonly sogoDone = new Set<string>();

  refreshSogo(mailboxes: Iterable<string>): void {
    for (const m of mailboxes) this.sogo.push(m);
  }

  /** The change wrote the mailbox's row itself: what it asked for before needs no outbox row. */
  sogoWritten(mailbox: string): void {
    for (let i = this.sogo.length - 1; i >= 0; i--) if (this.sogo[i] === mailbox) this.sogo.splice(i, 1);
    this.sogoDone.add(mailbox);
  }

  setRateLimit(username: string, value: string | null): void {
    this.rateLimits.push({ username, value });
  }

  setTaggedMail(username: string, handler: TaggedMailHandler): void {
    this.taggedMail.push({ username, handler });
  }
}

export interface SideEffectOptions {
  redisUrl?: string;
  memcachedUrl?: string;
  skipSogo: boolean;
}

/**
 * mailcow's side of the outbox (outbox/ports.ts OutboxEffects): each call does all of its work
 * or throws, and the worker retries what threw. `plan` turns what a transaction collected into
 * the rows it writes with the change.
 */
export class MailcowSideEffects implements OutboxEffects {
  private client?: Redis;
  readonly flushes: boolean;
  /** Whether SOGo's view rows are kept (SKIP_SOGO turns them off). */
  readonly keepsSogo: boolean;

  constructor(
    private readonly pool: DatabasePool,
    private readonly options: SideEffectOptions,
    private readonly logger: Logger,
  ) {
    this.flushes = !options.skipSogo && Boolean(options.memcachedUrl);
    this.keepsSogo = !options.skipSogo;
    if (options.redisUrl) {
      this.client = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
      this.client.on('error', (e) => this.logger.warn({ err: e }, 'redis error'));
    }
  }

  /**
   * The outbox rows of one change: one for the SOGo rows (and the flush after them) unless
   * SKIP_SOGO, one per mailbox whose Redis keys changed, the last value of each key winning.
   * Without REDIS_URL nothing could do the Redis part, so it is not recorded (and said so).
   */
  plan(effects: MailboxEffects): OutboxWork[] {
    const work: OutboxWork[] = [];
    const mailboxes = [...new Set(effects.sogo)];
    if (!this.options.skipSogo && mailboxes.length) {
      work.push({ kind: 'sogo', subject: mailboxes.length === 1 ? mailboxes[0]! : null, payload: { mailboxes, flush: true } });
    } else if (this.flushes && effects.sogoDone.size) {
      // The rows are written and commit with the change; SOGo sees them once memcached is flushed.
      work.push({ kind: 'memcached_flush', subject: null, payload: {} });
    }
    if (this.client) {
      const keys = new Map<string, RedisPayload>();
      const of = (u: string) => keys.get(u) ?? keys.set(u, {}).get(u)!;
      for (const r of effects.rateLimits) of(r.username).rateLimit = r.value;
      for (const t of effects.taggedMail) of(t.username).taggedMail = t.handler;
      for (const [subject, payload] of keys) work.push({ kind: 'redis', subject, payload });
    } else if (effects.rateLimits.some((r) => r.value)) {
      this.logger.warn({ mailboxes: effects.rateLimits.filter((r) => r.value).map((r) => r.username) }, 'REDIS_URL is not set: a template rate limit was not written');
    }
    return work;
  }

  async sogo(mailboxes: readonly string[]): Promise<void> {
    if (mailboxes.length === 1) await refreshSogoViewRow(this.pool, mailboxes[0]!);
    else if (mailboxes.length > 1) await refreshSogoViewRows(this.pool, mailboxes);
  }

  /**
   * The keys as mailcow's template writes them, in one Lua script, so that it is atomic and
   * ordered: the script keeps, per mailbox and per key, the id of the last outbox row that wrote
   * it (`mailcow-scim:redis-applied:<key>:<mailbox>`) and refuses an older row's value of that
   * key, while still writing its other keys. The outbox's own check (newerKeys) cannot see a
   * newer change that commits and writes between that check and this write. The markers expire
   * after an hour: only a row in flight at the same moment as a newer one needs them (the keys of
   * older rows waiting for a retry are taken out of them by the newer row, outbox-store.ts
   * dropSuperseded), and an expiring marker cannot block the rows of a table whose ids started
   * again from 1.
   */
  async redis(username: string, p: RedisPayload, version: number): Promise<void> {
    const redis = this.client;
    if (!redis) return;
    const rateLimit = p.rateLimit === undefined ? '' : p.rateLimit ? 'set' : 'del';
    const tagged = p.taggedMail === undefined ? '' : p.taggedMail === 'subject' || p.taggedMail === 'subfolder' ? p.taggedMail : 'none';
    await redis.eval(
      REDIS_APPLY,
      5,
      'RL_VALUE',
      'RCPT_WANTS_SUBJECT_TAG',
      'RCPT_WANTS_SUBFOLDER_TAG',
      redisAppliedMarker('rateLimit', username),
      redisAppliedMarker('taggedMail', username),
      username,
      String(version),
      rateLimit,
      p.rateLimit ?? '',
      tagged,
      String(REDIS_APPLIED_TTL_S),
    );
  }

  /** Sends `flush_all` to memcached; throws unless it answers OK. */
  async flush(): Promise<void> {
    if (!this.flushes) return;
    const [host, port] = this.options.memcachedUrl!.split(':');
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ host, port: Number(port) });
      const done = (err?: Error) => {
        socket.destroy();
        if (err) reject(err);
        else resolve();
      };
      socket.setTimeout(2_000, () => done(new Error('memcached timeout')));
      socket.once('error', done);
      socket.once('connect', () => socket.write('flush_all\r\n'));
      socket.once('data', (d) => (String(d).startsWith('OK') ? done() : done(new Error(`memcached answered ${String(d).trim()}`))));
    });
  }

  close(): void {
    this.client?.disconnect();
  }
}
