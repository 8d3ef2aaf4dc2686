/**
 * The unit of work on mailcow's database (docs/architecture.md §8): refused while writes are paused,
 * one transaction with its audit rows and its post-commit work recorded as outbox rows, a
 * deadlock or Galera conflict run again from nothing, and that work done right after the commit
 * (docs/architecture.md §8.1). Users and Groups both change through here.
 */
import { ScimError } from '../scim/index.js';
import type { OutboxEntry } from '../outbox/index.js';
import type { Caller } from '../users/ports.js';
import type { ChangeOptions, ChangeTx, UnitOfWork } from '../unit-of-work/index.js';
import { MailcowTx } from './change-tx.js';
import type { WriteGuard } from './database-state.js';
import type { DatabasePool } from './queryable.js';
import { writeOutbox } from './outbox-store.js';
import type { MailcowSideEffects } from './side-effects.js';
import { databaseUnreachableError, isAuthsourceTruncation } from './sql-errors.js';
import { withTransaction } from './transaction.js';

export interface UnitOfWorkDeps {
  pool: DatabasePool;
  /**
   * Connections whose session default is READ COMMITTED (createPool's readCommitted), for the
   * changes that ask for it (creates): they skip the `SET TRANSACTION` each would send on the
   * main pool. Without it those changes set the level per transaction.
   */
  readCommittedPool?: DatabasePool;
  guard: WriteGuard;
  effects: MailcowSideEffects;
  /** Does a committed change's outbox rows (the outbox worker's fast path); each is leased to it for leaseMs. */
  outbox: { leaseMs: number; dispatch(entries: readonly OutboxEntry[]): Promise<void> };
  /** Also write each audit row into mailcow's UI log (`logs`). */
  mailcowUiLog: boolean;
}

/** The stores of Users and Groups extend it: one transaction runner, whichever use case changes what. */
export class MailcowUnitOfWork implements UnitOfWork {
  constructor(protected readonly deps: UnitOfWorkDeps) {}

  async transact<T>(caller: Caller, work: (tx: ChangeTx) => Promise<T>, options: ChangeOptions = {}): Promise<T> {
    const state = await this.deps.guard.state();
    // Unreachable reads as a failed statement would say it: state.problem holds the driver's message.
    if (!state.reachable) throw databaseUnreachableError();
    if (!state.writesAllowed) throw new ScimError('writes_paused', `SCIM writes are paused: ${state.problem}`, { retryAfter: 30 });
    let outbox: OutboxEntry[] = [];
    const sessionLevel = options.readCommitted ? this.deps.readCommittedPool : undefined;
    try {
      const result = await withTransaction(
        sessionLevel ?? this.deps.pool,
        async (conn) => {
          // Each attempt starts from nothing: a retried transaction gets a fresh tx, effects and audit.
          const tx = new MailcowTx(conn, caller, { sogo: this.deps.effects.keepsSogo, readCommitted: options.readCommitted });
          const r = await work(tx);
          await tx.writeAudit(this.deps.mailcowUiLog);
          // With the change or not at all: a crash after the commit leaves these rows for the worker.
          outbox = await writeOutbox(conn, this.deps.effects.plan(tx.effects), this.deps.outbox.leaseMs);
          return r;
        },
        // The session is READ COMMITTED already: no statement to set it. Writes are held back
        // and sent with the next read where the connection allows it (statement-batch.ts).
        { ...options, readCommitted: sessionLevel ? false : options.readCommitted, batchWrites: true },
      );
      await this.deps.outbox.dispatch(outbox);
      return result;
    } catch (e) {
      // A write that hit a lost 'scim' ENUM value re-checks the database state at once.
      if (isAuthsourceTruncation(e) || (e instanceof ScimError && e.code === 'authsource_missing')) this.deps.guard.invalidate();
      throw e;
    }
  }
}

