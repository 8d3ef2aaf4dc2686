export type { AuditEvent, StoredAuditEvent } from './audit-event.js';
export { withFailureAudit } from './audited.js';
export type { FailureRecorder } from './audited.js';
