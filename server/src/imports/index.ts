export { Pr7148Importer } from './pr7148-import.js';
export type { ImportFacts, ImportPlan, ImportSummary } from './pr7148-plan.js';
export type { Pr7148Layout, Pr7148Map, Pr7148Source, Pr7148Token } from './pr7148-source.js';
