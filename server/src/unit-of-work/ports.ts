/**
 * The unit of work: one SCIM change is one transaction, in which a use case reads and writes
 * rows through the stores `tx` hands it, in the order the use case decides. The implementation
 * guarantees the rest: writes are refused while the database state forbids them, the audit rows
 * commit with the change, a deadlock runs the whole work again from nothing (so `work` must
 * only touch the world through `tx`), and what mailcow does after a change (SOGo, Redis,
 * memcached) is collected by the transaction and done after its commit.
 */
import type { AuditEvent } from '../audit/index.js';
import type { GroupRows } from '../groups/ports.js';
import type { Caller, DomainRows, MailboxRows, MailcowSettings, UserAliasRows, UserRows } from '../users/ports.js';

/** An audit row of the change; tokenId, requestId and clientIp come from the caller. */
export type ChangeAudit = Partial<AuditEvent> & Pick<AuditEvent, 'resourceType' | 'operation'>;

/** Everything a change reads and writes, inside its transaction and scoped to its caller. */
export interface ChangeTx {
  readonly users: UserRows;
  readonly mailboxes: MailboxRows;
  readonly domains: DomainRows;
  readonly settings: MailcowSettings;
  readonly aliases: UserAliasRows;
  readonly groups: GroupRows;
  /** Written with the change, in its transaction (a change that rolls back leaves none). */
  audit(entry: ChangeAudit): void;
}

export interface ChangeOptions {
  /**
   * Each statement reads what is committed: for a change that takes its serialising lock last
   * (a create takes the domain row just before mailcow's limit count), so that the lock is held
   * for the count and the commit only (docs/performance.md).
   */
  readCommitted?: boolean;
}

export interface UnitOfWork {
  transact<T>(caller: Caller, work: (tx: ChangeTx) => Promise<T>, options?: ChangeOptions): Promise<T>;
}
