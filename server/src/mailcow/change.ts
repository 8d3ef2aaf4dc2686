/**
 * One SCIM change on mailcow's database (architecture §8): refused while writes are paused,
 * one transaction with its audit rows, mailcow's post-commit work after the commit. Users and
 * Groups both write through here.
 */
import type { PoolConnection } from 'mysql2/promise';
import type { AuditEvent } from '../audit/index.js';
import { ScimError } from '../scim/index.js';
import type { TokenRecord } from '../tokens/index.js';
import type { WriteGuard } from './database-state.js';
import { recordEvent, recordMailcowUiLog } from './events.js';
import type { DatabasePool } from './queryable.js';
import { noEffects, type MailboxEffects, type MailcowSideEffects } from './side-effects.js';
import { databaseUnreachableError, isAuthsourceTruncation } from './sql-errors.js';
import { withTransaction, type TransactionOptions } from './transaction.js';

/** Adds an audit row to the change's transaction (defaults filled from the caller). */
export type AuditSink = (e: Partial<AuditEvent>) => void;

export interface ChangeDeps {
  pool: DatabasePool;
  guard: WriteGuard;
  effects: MailcowSideEffects;
  mailcowUiLog: boolean;
}

export interface ChangeCaller {
  token: TokenRecord;
  requestId: string;
  clientIp: string | null;
}

export async function runChange<T>(
  deps: ChangeDeps,
  caller: ChangeCaller,
  resourceType: 'User' | 'Group',
  fn: (conn: PoolConnection, effects: MailboxEffects, audit: AuditSink) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const state = await deps.guard.state();
  // Unreachable reads as a failed statement would say it: state.problem holds the driver's message.
  if (!state.reachable) throw databaseUnreachableError();
  if (!state.writesAllowed) throw new ScimError('writes_paused', `SCIM writes are paused: ${state.problem}`, { retryAfter: 30 });
  const effects = noEffects();
  try {
    const result = await withTransaction(
      deps.pool,
      async (conn) => {
        // A retried transaction starts from nothing again.
        effects.sogo.length = effects.rateLimits.length = effects.taggedMail.length = 0;
        const events: AuditEvent[] = [];
        const r = await fn(conn, effects, (e) =>
          events.push({
            tokenId: caller.token.id,
            requestId: caller.requestId,
            clientIp: caller.clientIp,
            operation: 'change',
            resourceType,
            resourceId: null,
            mailbox: null,
            outcome: 'success',
            status: 200,
            detail: null,
            ...e,
          }),
        );
        for (const e of events) {
          await recordEvent(conn, e);
          if (deps.mailcowUiLog) await recordMailcowUiLog(conn, e, caller.token.name);
        }
        return r;
      },
      options,
    );
    await deps.effects.apply(effects);
    return result;
  } catch (e) {
    // A write that hit a lost 'scim' ENUM value re-checks the database state at once.
    if (isAuthsourceTruncation(e) || (e instanceof ScimError && e.code === 'authsource_missing')) deps.guard.invalidate();
    throw e;
  }
}
