export type { AuditEvent, StoredAuditEvent } from './audit-event.js';
export { withFailureAudit } from './audited.js';
export type { FailureRecorder } from './audited.js';
export { pruneAuditEvents, startEventRetention } from './event-retention.js';
export type { EventPruneStore, EventTableStats } from './event-retention.js';
