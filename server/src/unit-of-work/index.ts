export type { ChangeAudit, ChangeOptions, ChangeTx, UnitOfWork } from './ports.js';
