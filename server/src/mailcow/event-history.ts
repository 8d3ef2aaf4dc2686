/**
 * Reading the audit trail, `mailcow_scim_events` (docs/architecture.md §3; written by the SCIM use
 * cases), newest first, for the admin page. Paging is by id so that new events never shift a page.
 */
import type { RowDataPacket } from 'mysql2';
import { fromDbTime } from './db-time.js';
import type { Queryable } from './queryable.js';
import type { StoredAuditEvent } from '../audit/index.js';


export interface EventQuery {
  limit: number;
  /** Only ids below this (0 = from the newest). */
  beforeId: number;
  /** Only this token's events (null = all). */
  tokenId: string | null;
}

export async function listAuditEvents(db: Queryable, q: EventQuery): Promise<StoredAuditEvent[]> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (q.beforeId > 0) {
    where.push('id < ?');
    params.push(q.beforeId);
  }
  if (q.tokenId) {
    where.push('token_id = ?');
    params.push(q.tokenId);
  }
  // LIMIT is an integer we bounded ourselves; mysql2's execute() cannot bind it portably.
  const limit = Math.max(1, Math.min(1000, Math.trunc(q.limit)));
  const [rows] = await db.execute<RowDataPacket[]>(
    `SELECT id, at, token_id, request_id, operation, resource_type, resource_id,
            mailbox, outcome, status, detail, client_ip
       FROM mailcow_scim_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY id DESC LIMIT ${limit}`,
    params,
  );
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return rows.map((r) => ({
    id: Number(r.id),
    at: fromDbTime(String(r.at)) ?? '',
    tokenId: str(r.token_id),
    requestId: str(r.request_id),
    operation: String(r.operation),
    resourceType: str(r.resource_type),
    resourceId: str(r.resource_id),
    mailbox: str(r.mailbox),
    outcome: String(r.outcome),
    status: r.status === null ? null : Number(r.status),
    detail: str(r.detail),
    clientIp: str(r.client_ip),
  }));
}
