/** Durable post-commit work: the outbox's ports and its worker (docs/architecture.md §8.1). */
export type { OutboxBacklog, OutboxEffects, OutboxEntry, OutboxKind, OutboxStore, OutboxWork, RedisKey, RedisPayload } from './ports.js';
export { OutboxWorker } from './outbox-worker.js';
