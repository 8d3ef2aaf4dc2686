/**
 * mailcow_scim_events: the append-only audit of every change (docs/architecture.md §3), and,
 * optionally, a row in mailcow's own UI log (`logs`, §1.3) so admins see SCIM changes there.
 */
import { randomBytes } from 'node:crypto';
import type { AuditEvent } from '../audit/index.js';
import type { Queryable } from './queryable.js';
import { writeLater } from './statement-batch.js';

export type { AuditEvent } from '../audit/index.js';
import { nowIso, toDbTime } from './db-time.js';


export async function recordEvent(db: Queryable, e: AuditEvent): Promise<void> {
  await writeLater(
    db,
    `INSERT INTO mailcow_scim_events (at, token_id, request_id, operation, resource_type, resource_id, mailbox, outcome, status, detail, client_ip)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [toDbTime(nowIso()), e.tokenId, e.requestId, e.operation, e.resourceType, e.resourceId, e.mailbox, e.outcome, e.status, e.detail?.slice(0, 2000) ?? null, e.clientIp],
  );
}

/**
 * A row in mailcow's UI log, shaped like logger() writes it: a 6-hex-character task, type,
 * msg as JSON [key, arg], call as JSON, user, role, remote, unix time.
 */
export async function recordMailcowUiLog(db: Queryable, e: AuditEvent, tokenName: string): Promise<void> {
  const msgKey = e.outcome === 'failure' ? 'scim_change_failed' : `scim_${e.operation}`;
  await writeLater(
    db,
    `INSERT INTO logs (task, type, msg, \`call\`, user, role, remote, time) VALUES (?, ?, ?, ?, ?, 'admin', ?, UNIX_TIMESTAMP())`,
    [
      randomBytes(3).toString('hex').toUpperCase(),
      e.outcome === 'success' ? 'success' : 'danger',
      JSON.stringify([msgKey, e.mailbox ?? e.resourceId ?? '']),
      JSON.stringify(['scim', e.operation, e.resourceType, { id: e.resourceId, request: e.requestId }]),
      `SCIM (${tokenName})`,
      (e.clientIp ?? '').slice(0, 39),
    ],
  );
}
