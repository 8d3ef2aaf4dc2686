/**
 * One entry of the audit trail (`mailcow_scim_events`, docs/architecture.md §3): written by the data
 * layer with every change and every refusal, read back by the admin page.
 */
export interface AuditEvent {
  tokenId: string | null;
  requestId: string | null;
  operation: string;
  resourceType: string | null;
  resourceId: string | null;
  mailbox: string | null;
  outcome: 'success' | 'failure';
  status: number | null;
  detail: string | null;
  clientIp: string | null;
}

/** An audit entry as stored: with its id (the paging key) and time. */
export interface StoredAuditEvent extends Omit<AuditEvent, 'outcome'> {
  id: number;
  at: string;
  outcome: string;
}
