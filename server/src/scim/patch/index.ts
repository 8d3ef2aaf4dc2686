export { normalizePatchRequest } from './normalize.js';
export { parsePatchPath, resolvePatchPath } from './path.js';
export { applyPatch } from './apply/index.js';
