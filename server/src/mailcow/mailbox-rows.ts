/**
 * A change's mailbox rows (the MailboxRows port): mailboxes.ts writes them as mailcow does, and
 * each write queues what mailcow does after such a change (the SOGo view row, Redis keys).
 */
import type { PoolConnection } from 'mysql2/promise';
import type { MailboxSnapshot, MailboxUpdate, NewMailboxPlan } from '../provisioning/index.js';
import type { MailboxRows, WrittenMailbox } from '../users/ports.js';
import { SCIM_AUTHSOURCE } from './authsource.js';
import { initialAttributesJson } from './mailbox-attributes.js';
import { deleteMailboxRows, editedColumns, editMailbox, findMailbox, insertMailbox, replaceTags, writeUserAcl } from './mailboxes.js';
import type { PendingEffects } from './side-effects.js';
import { refreshSogoViewRow, removeSogoViewRow, upsertActiveSogoViewRowReadCommitted } from './sogo-view.js';
import { writeLater } from './statement-batch.js';
import type { TxReads } from './tx-reads.js';

export class SqlMailboxRows implements MailboxRows {
  constructor(
    private readonly conn: PoolConnection,
    private readonly effects: PendingEffects,
    private readonly reads: TxReads,
    /** Whether mailcow's SOGo view is kept at all (not with SKIP_SOGO). */
    private readonly sogo: boolean,
    /** Whether the change runs under READ COMMITTED (a create): see publish. */
    private readonly readCommitted = false,
  ) {}

  /** The active value of each mailbox this change inserted. */
  private readonly inserted = new Map<string, number>();

  async lock(address: string): Promise<MailboxSnapshot | undefined> {
    // A user's lock locked and read its mailbox already (user-rows.ts).
    return this.reads.takeMailbox(address) ?? findMailbox(this.conn, address, true);
  }

  async insert(m: NewMailboxPlan): Promise<void> {
    this.reads.dropMailbox(m.address.address);
    await insertMailbox(this.conn, {
      username: m.address.address,
      localPart: m.address.localPart,
      domain: m.address.domain,
      name: m.name,
      quotaBytes: m.quotaBytes,
      active: m.active,
      authsource: SCIM_AUTHSOURCE,
      attributesJson: initialAttributesJson(m.access, Math.floor(Date.now() / 1000)),
      acl: m.template.acl,
      tags: m.tags,
    });
    this.inserted.set(m.address.address, m.active);
    this.effects.refreshSogo([m.address.address]);
    this.queueTemplateKeys(m.address.address, m.template);
  }

  async setQuota(address: string, quotaBytes: number): Promise<void> {
    this.reads.dropMailbox(address);
    await writeLater(this.conn, `UPDATE mailbox SET quota = ? WHERE username = ?`, [quotaBytes, address]);
  }

  async update(mailbox: MailboxSnapshot, u: MailboxUpdate): Promise<WrittenMailbox> {
    this.reads.dropMailbox(mailbox.username);
    if (u.edit) {
      await editMailbox(this.conn, mailbox, u.edit);
      if (this.sogo && mailbox.active === 1 && editedColumns(mailbox, u.edit).active !== 1) await this.unpublish(mailbox.username);
      else this.effects.refreshSogo([mailbox.username]);
    }
    if (u.ensureQuotaRows) {
      for (const table of ['quota2', 'quota2replica']) {
        await this.conn.execute(`INSERT IGNORE INTO ${table} (username, bytes, messages) VALUES (?, 0, 0)`, [mailbox.username]);
      }
    }
    if (u.template) {
      await writeUserAcl(this.conn, mailbox.username, u.template.acl);
      this.queueTemplateKeys(mailbox.username, u.template);
    }
    if (u.tags) await replaceTags(this.conn, mailbox.username, u.tags);
    const { active, name, quotaBytes } = editedColumns(mailbox, u.edit ?? {});
    return { active, name, quotaBytes };
  }

  async delete(address: string): Promise<void> {
    this.reads.dropMailbox(address);
    this.inserted.delete(address);
    await deleteMailboxRows(this.conn, address);
    this.effects.refreshSogo([address]);
    this.effects.setRateLimit(address, null);
  }

  async publish(address: string): Promise<void> {
    if (!this.sogo) return;
    // The row inside the change: atomic with it, so a crash can no longer leave an active mailbox
    // without its row, and no outbox row is needed for it. A mailbox this READ COMMITTED change
    // inserted has a known state: active, one INSERT … SELECT writes the row (it locks nothing
    // the views read there); otherwise it has none. Anything else takes the two statements a
    // refresh after a commit takes.
    const active = this.inserted.get(address);
    if (this.readCommitted && active === 1) await upsertActiveSogoViewRowReadCommitted(this.conn, address);
    else if (active !== undefined && active !== 1) await removeSogoViewRow(this.conn, address);
    else await refreshSogoViewRow(this.conn, address);
    this.effects.sogoWritten(address);
  }

  /**
   * A deactivation removes the mailbox's SOGo row inside the change, as publish writes a new
   * one: the row goes with the commit, and no outbox row is needed for it (only the memcached
   * flush, when there is one). The row's refresh after a commit no longer needs a read of the
   * views to learn that it goes. Only for a mailbox that was active: its row normally exists, so the
   * DELETE locks that one record and no gap (this runs under REPEATABLE READ).
   */
  private async unpublish(address: string): Promise<void> {
    await removeSogoViewRow(this.conn, address);
    this.effects.sogoWritten(address);
  }

  private queueTemplateKeys(username: string, t: NewMailboxPlan['template']): void {
    this.effects.setRateLimit(username, t.rateLimit);
    if (t.taggedMail) this.effects.setTaggedMail(username, t.taggedMail);
  }
}
