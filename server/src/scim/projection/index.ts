export { parseAttributeList } from './attribute-list.js';
export { projectResource } from './project.js';
