export type { AuditEvent, StoredAuditEvent } from './audit-event.js';
