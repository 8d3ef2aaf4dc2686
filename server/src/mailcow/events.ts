/**
 * mailcow_scim_events: the append-only audit of every change (architecture §3), and,
 * optionally, a row in mailcow's own UI log (`logs`, §1.3) so admins see SCIM changes there.
 */
import { randomBytes } from 'node:crypto';
import type { RowDataPacket } from 'mysql2';
import type { Queryable } from './queryable.js';
import { fromDbTime, nowIso, toDbTime } from './db-time.js';

export interface AuditEvent {
  tokenId: string | null;
  requestId: string | null;
  operation: string;
  resourceType: 'User' | 'Group' | 'Token' | null;
  resourceId: string | null;
  mailbox: string | null;
  outcome: 'success' | 'failure';
  status: number | null;
  detail: string | null;
  clientIp: string | null;
}

export async function recordEvent(db: Queryable, e: AuditEvent): Promise<void> {
  await db.execute(
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
  await db.execute(
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

export interface StoredEvent extends AuditEvent {
  id: number;
  at: string;
}

export async function listEvents(db: Queryable, options: { limit: number; tokenId?: string; beforeId?: number }): Promise<StoredEvent[]> {
  const where: string[] = [];
  const args: unknown[] = [];
  if (options.tokenId) (where.push('token_id = ?'), args.push(options.tokenId));
  if (options.beforeId) (where.push('id < ?'), args.push(options.beforeId));
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT * FROM mailcow_scim_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
    [...args, Math.min(Math.max(1, options.limit), 1000)],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    at: fromDbTime(r.at)!,
    tokenId: r.token_id,
    requestId: r.request_id,
    operation: r.operation,
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    mailbox: r.mailbox,
    outcome: r.outcome,
    status: r.status === null ? null : Number(r.status),
    detail: r.detail,
    clientIp: r.client_ip,
  }));
}
