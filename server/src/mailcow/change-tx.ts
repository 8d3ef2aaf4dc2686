/**
 * One attempt of one change: the row stores bound to its connection and caller, the audit rows
 * it will write, and the post-commit work its writes collect (`effects`, owned here and by
 * nothing else).
 */
import type { PoolConnection } from 'mysql2/promise';
import type { AuditEvent } from '../audit/index.js';
import type { ChangeAudit, ChangeTx } from '../unit-of-work/index.js';
import type { Caller, DomainRows, MailcowSettings } from '../users/ports.js';
import { domainUsage, lockDomain, lockDomainWithUsage } from './domains.js';
import { recordEvent, recordMailcowUiLog } from './events.js';
import { SqlGroupRows } from './group-rows.js';
import { readIdpAuthsource } from './idp-settings.js';
import { SqlMailboxRows } from './mailbox-rows.js';
import { SqlUserAliasRows } from './owned-aliases.js';
import { PendingEffects } from './side-effects.js';
import { findMailboxTemplate } from './templates.js';
import { TxReads } from './tx-reads.js';
import { SqlUserRows } from './user-rows.js';

export class MailcowTx implements ChangeTx {
  readonly effects = new PendingEffects();
  /** What this attempt read already (tx-reads.ts), shared by its stores. */
  private readonly reads = new TxReads();
  readonly users: SqlUserRows;
  readonly mailboxes: SqlMailboxRows;
  readonly domains: DomainRows;
  readonly settings: MailcowSettings;
  readonly aliases: SqlUserAliasRows;
  readonly groups: SqlGroupRows;
  private readonly events: AuditEvent[] = [];

  constructor(
    private readonly conn: PoolConnection,
    private readonly caller: Caller,
    options: { sogo: boolean; readCommitted?: boolean },
  ) {
    const reads = this.reads;
    this.users = new SqlUserRows(conn, caller, reads);
    this.mailboxes = new SqlMailboxRows(conn, this.effects, reads, options.sogo, options.readCommitted);
    this.domains = {
      lock: (domain) => lockDomain(conn, domain),
      usage: (domain) => domainUsage(conn, domain),
      lockWithUsage: (domain) => lockDomainWithUsage(conn, domain),
    };
    this.settings = {
      template: async (name) => {
        const known = reads.template(name);
        return known.known ? known.template : findMailboxTemplate(conn, name);
      },
      idpAuthsource: async () => {
        const known = reads.idpAuthsource();
        return known ? known.authsource : readIdpAuthsource(conn);
      },
    };
    this.aliases = new SqlUserAliasRows(conn, caller.token.id, this.effects, reads);
    this.groups = new SqlGroupRows(conn, caller, this.effects, reads);
  }

  audit(entry: ChangeAudit): void {
    this.events.push({
      tokenId: this.caller.token.id,
      requestId: this.caller.requestId,
      clientIp: this.caller.clientIp,
      resourceId: null,
      mailbox: null,
      outcome: 'success',
      status: 200,
      detail: null,
      ...entry,
    });
  }

  /** The change's audit rows, last thing before the commit. */
  async writeAudit(mailcowUiLog: boolean): Promise<void> {
    for (const e of this.events) {
      await recordEvent(this.conn, e);
      if (mailcowUiLog) await recordMailcowUiLog(this.conn, e, this.caller.token.name);
    }
  }
}
