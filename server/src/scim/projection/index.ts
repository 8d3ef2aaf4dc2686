export { parseAttributeList } from './attribute-list.js';
export type { ProjectionOptions } from './project.js';
export { projectResource } from './project.js';
