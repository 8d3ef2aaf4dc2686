/**
 * What mailcow does outside the transaction after a mailbox change (docs/mailcow-facts.md
 * §2.6): the SOGo view row, Redis rate-limit and tagged-mail keys, and a memcached flush so
 * SOGo sees the change. The flush is debounced: an initial sync of 10,000 users must not flush
 * 10,000 times. Failures here are logged, never turned into a failed SCIM request: the
 * database change is committed and the next change or a restart repeats the work.
 */
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import type { Logger } from '../logging.js';
import type { TaggedMailHandler } from '../provisioning/index.js';
import type { DatabasePool } from './queryable.js';
import { refreshSogoViewRow, refreshSogoViewRows } from './sogo-view.js';

export interface MailboxEffects {
  /** Mailboxes whose _sogo_static_view row must be refreshed (upsert when active, else delete). */
  readonly sogo: readonly string[];
  /** RL_VALUE per mailbox: a value like "10 / 1h", or null to remove it. */
  readonly rateLimits: readonly { username: string; value: string | null }[];
  /** RCPT_WANTS_* per mailbox, only when a template names a handler (A.4). */
  readonly taggedMail: readonly { username: string; handler: TaggedMailHandler }[];
}

/**
 * The post-commit work one transaction collects: each attempt of a change owns a fresh one
 * (a retried transaction starts from nothing), the row writers add to it, and the unit of work
 * hands it to MailcowSideEffects after the commit. It is plain data, so that it could as well
 * be written in the transaction and done by someone else later.
 */
export class PendingEffects implements MailboxEffects {
  readonly sogo: string[] = [];
  readonly rateLimits: { username: string; value: string | null }[] = [];
  readonly taggedMail: { username: string; handler: TaggedMailHandler }[] = [];

  refreshSogo(mailboxes: Iterable<string>): void {
    for (const m of mailboxes) this.sogo.push(m);
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
  /** Quiet time before a flush, and the longest a flush may be postponed. */
  flushDebounceMs?: number;
  flushMaxDelayMs?: number;
}

export class MailcowSideEffects {
  private redis?: Redis;
  private flushTimer?: NodeJS.Timeout;
  private firstPending?: number;
  /** Flushes actually sent (for tests and metrics). */
  flushes = 0;

  constructor(
    private readonly pool: DatabasePool,
    private readonly options: SideEffectOptions,
    private readonly logger: Logger,
  ) {
    if (options.redisUrl) {
      this.redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
      this.redis.on('error', (e) => this.logger.warn({ err: e }, 'redis error'));
    }
  }

  async apply(effects: MailboxEffects): Promise<void> {
    try {
      if (!this.options.skipSogo) {
        const mailboxes = [...new Set(effects.sogo)];
        if (mailboxes.length === 1) await refreshSogoViewRow(this.pool, mailboxes[0]!);
        else if (mailboxes.length > 1) await refreshSogoViewRows(this.pool, mailboxes);
      }
      if (this.redis && (effects.rateLimits.length || effects.taggedMail.length)) {
        for (const r of effects.rateLimits) {
          if (r.value) await this.redis.hset('RL_VALUE', r.username, r.value);
          else await this.redis.hdel('RL_VALUE', r.username);
        }
        for (const t of effects.taggedMail) {
          if (t.handler === 'subject') {
            await this.redis.hset('RCPT_WANTS_SUBJECT_TAG', t.username, '1');
            await this.redis.hdel('RCPT_WANTS_SUBFOLDER_TAG', t.username);
          } else if (t.handler === 'subfolder') {
            await this.redis.hset('RCPT_WANTS_SUBFOLDER_TAG', t.username, '1');
            await this.redis.hdel('RCPT_WANTS_SUBJECT_TAG', t.username);
          } else {
            await this.redis.hdel('RCPT_WANTS_SUBJECT_TAG', t.username);
            await this.redis.hdel('RCPT_WANTS_SUBFOLDER_TAG', t.username);
          }
        }
      } else if (!this.redis && effects.rateLimits.some((r) => r.value)) {
        this.logger.warn({ mailboxes: effects.rateLimits.filter((r) => r.value).map((r) => r.username) }, 'REDIS_URL is not set: a template rate limit was not written');
      }
    } catch (e) {
      this.logger.error({ err: e }, 'post-commit mailcow side effects failed');
    }
    if (!this.options.skipSogo && effects.sogo.length) this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (!this.options.memcachedUrl) return;
    const debounce = this.options.flushDebounceMs ?? 200;
    const maxDelay = this.options.flushMaxDelayMs ?? 2_000;
    const now = Date.now();
    this.firstPending ??= now;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    const wait = Math.max(0, Math.min(debounce, this.firstPending + maxDelay - now));
    this.flushTimer = setTimeout(() => void this.flushNow(), wait);
    this.flushTimer.unref();
  }

  /** Sends `flush_all` to memcached now (pending debounced flushes are folded into it). */
  async flushNow(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.firstPending = undefined;
    if (!this.options.memcachedUrl) return;
    const [host, port] = this.options.memcachedUrl.split(':');
    await new Promise<void>((resolve) => {
      const socket = connect({ host, port: Number(port) });
      const done = (err?: Error) => {
        if (err) this.logger.warn({ err }, 'memcached flush failed; SOGo may show stale data until its cache expires');
        else this.flushes++;
        socket.destroy();
        resolve();
      };
      socket.setTimeout(2_000, () => done(new Error('memcached timeout')));
      socket.once('error', done);
      socket.once('connect', () => socket.write('flush_all\r\n'));
      socket.once('data', (d) => (String(d).startsWith('OK') ? done() : done(new Error(`memcached answered ${String(d).trim()}`))));
    });
  }

  /** Flushes what is pending and closes connections. */
  async close(): Promise<void> {
    if (this.flushTimer) await this.flushNow();
    this.redis?.disconnect();
  }
}
