/** Installing into mailcow, checking it, taking it out again; and the doctor's checks. */
export { findInstallAssets, type InstallAssets } from './assets.js';
export { HUNKS, PATCHED_FILES, BRIDGE_LOGIN_FUNCTION, SKIP_TEMPLATE_FLAG, KNOWN_MAILCOW_DB_VERSIONS } from './hunks.js';
export { runInstall, readInstallManifest, type InstallAction, type InstallOptions, type InstallResult, type InstallManifest } from './installer.js';
export { CONTAINER_SOCKETS, MAILCOW_FILES, COMPOSE_NAMES, LOCAL_IMAGE, BRIDGE_ENTRY_FILE } from './layout.js';
export { readMailcowTree, parseDbVersion } from './mailcow-dir.js';
export { renderNginxSite } from './file-pieces.js';
export type { PieceReport, PieceState } from './plan.js';
