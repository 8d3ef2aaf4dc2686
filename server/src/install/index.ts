/** Installing into mailcow, checking it, taking it out again; and the doctor's checks. */
export { findInstallAssets, type InstallAssets } from './assets.js';
export { HUNKS, PATCHED_FILES, KNOWN_MAILCOW_DB_VERSIONS } from './hunks.js';
export { runInstall, type InstallAction, type InstallResult } from './installer.js';
export { renderNginxSite, renderNginxUpstream } from './file-pieces.js';
export type { PieceReport } from './plan.js';
