export type { NormalizePatchOptions, PatchOperation } from './normalize.js';
export { normalizePatchRequest } from './normalize.js';
export type { PatchPath, PatchTarget } from './path.js';
export { parsePatchPath, resolvePatchPath } from './path.js';
export type { ApplyPatchOptions } from './apply/index.js';
export { applyPatch } from './apply/index.js';
