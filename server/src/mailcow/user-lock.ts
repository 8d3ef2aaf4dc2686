/**
 * The lock of a user for a change reads, in the same statement, what the change asks for next:
 * its mailbox row (which the statement's join locks anyway), the aliases it owns, the template
 * it had applied and mailcow's first one (what the change applies unless its template changes)
 * and the configured IdP. A change is bounded by its round trips (docs/performance.md), and this
 * is four of them. The subqueries in the SELECT list are plain reads of the transaction's
 * snapshot, as the separate reads were, and lock nothing (user-lock.test.ts): a template or the
 * IdP row locked by every change would serialise them all.
 */
import type { RowDataPacket } from 'mysql2';
import { IDP_AUTHSOURCE_QUERY, idpAuthsourceFrom } from './idp-settings.js';
import { MAILBOX_COLUMNS, toMailbox } from './mailboxes.js';
import { ownedAliasesColumn, ownedAliasesFrom } from './owned-aliases.js';
import { mailboxTemplateColumns, mailboxTemplateColumnsFrom } from './templates.js';
import type { TxReads } from './tx-reads.js';

/** SELECT-list columns over `u` (mailcow_scim_users) and `m` (its mailbox), read with keepLockReads. */
export const USER_LOCK_COLUMNS = [
  ...MAILBOX_COLUMNS.map((c) => `m.${c}`),
  ownedAliasesColumn('u.id'),
  mailboxTemplateColumns('ta', 'u.applied_template'),
  mailboxTemplateColumns('tf', null),
  `(${IDP_AUTHSOURCE_QUERY}) AS idp`,
].join(', ');

/** Hands what the lock read to the stores of the same attempt (tx-reads.ts). */
export function keepLockReads(userId: string, r: RowDataPacket, reads: TxReads): void {
  reads.putMailbox(toMailbox(r));
  const owned = ownedAliasesFrom(r);
  if (owned) reads.putOwnedAliases(userId, owned);
  if (r.applied_template !== null) reads.putTemplate(String(r.applied_template), mailboxTemplateColumnsFrom(String(r.applied_template), 'ta', r));
  reads.putTemplate(null, mailboxTemplateColumnsFrom(null, 'tf', r));
  reads.putIdpAuthsource(idpAuthsourceFrom(r.idp));
}
