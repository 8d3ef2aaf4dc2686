export { AdoptionService } from './adoption-service.js';
export type { AdoptionResult, AdoptionResultOutcome } from './adoption-service.js';
export { emptySummary, addToSummary } from './plan.js';
export type { AdoptionEntry, AdoptionSummary } from './plan.js';
export { parseAddressList } from './selection.js';
export type { AdoptionSelection } from './selection.js';
export type { AdoptionCandidate, AdoptionStore, AdoptOptions, AdoptOutcome, DeliveringAlias } from './ports.js';
