export { AdoptionService, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './adoption-service.js';
export type { AdoptionServiceDeps, AdoptionResult, AdoptionResultOutcome, ExecutePage, PageRequest, PlanPage } from './adoption-service.js';
export { planMailbox, emptySummary, addToSummary } from './plan.js';
export type { AdoptionAction, AdoptionEntry, AdoptionSummary, PlanContext } from './plan.js';
export { compileMailboxFilter, mailboxAsUser } from './mailbox-filter.js';
export { normalizeSelection, parseAddressList, MAX_SELECTED_ADDRESSES } from './selection.js';
export type { AdoptionSelection } from './selection.js';
export type { AdoptionCandidate, AdoptionStore, AdoptOptions, AdoptOutcome, DeliveringAlias } from './ports.js';
