/**
 * `mailcow-scim install`: puts every piece in place (idempotent), reports without changing
 * (`check`), or takes every piece out again (`uninstall`). All pieces are planned first; if any
 * refuses, nothing at all is written. A patch hunk whose mailcow code drifted is not a refusal:
 * it is left out and reported with what it disables, and everything else is installed (the
 * result is then not complete). Every pre-existing file that changes is backed up under
 * .mailcow-scim/backups/<time>/ first, and each file is replaced atomically (write, then rename),
 * keeping its owner and mode (file-owner.ts).
 */
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { findInstallAssets, type InstallAssets } from './assets.js';
import { planCompose } from './compose-piece.js';
import { renderBridgeStamp } from './bridge-stamp.js';
import { planBridge, planGitExclude, planHook, planNginxSite, planNginxUpstream, planVarsLocal } from './file-pieces.js';
import { KNOWN_MAILCOW_DB_VERSIONS } from './hunks.js';
import { chooseImage, type ImageSource } from './image-choice.js';
import { MAILCOW_FILES } from './layout.js';
import { readMailcowTree, readText } from './mailcow-dir.js';
import { copyFileAsIs, writeFileInPlace } from './file-owner.js';
import { planPatch } from './patch-piece.js';
import { RELEASE_IMAGE_REPOSITORY, VERSION } from '../version.js';
import { isSettled, type FileOp, type PiecePlan, type PieceReport } from './plan.js';

export type InstallAction = 'install' | 'check' | 'uninstall';

export interface InstallOptions {
  mailcowDir: string;
  /** Run this image instead of the released one of this version. */
  image?: string;
  /** Build the image from a mailcow-scim checkout (buildContext, default: the one this code runs from). */
  build?: boolean;
  /** The checkout to build from (implies build). */
  buildContext?: string;
  /** Go back to the released image after a remembered image or build choice. */
  release?: boolean;
  /** package.json's config.image: where released images are (RELEASE_IMAGE_REPOSITORY). */
  imageRepository?: string;
  assets?: InstallAssets;
  /** Record assets.bridgeDir in the manifest, so later runs (check, doctor) use it too. */
  rememberBridgeDir?: boolean;
  /** Uninstall: keep .mailcow-scim/ (backups) instead of removing it. */
  keepBackups?: boolean;
  /** The version recorded in the manifest and the bridge's install record (default: package.json's). */
  version?: string;
  now?: () => Date;
}

interface InstallManifest {
  version: string;
  installedAt: string;
  updatedAt: string;
  image: string;
  /** How `image` was chosen (absent in manifests of older versions: see chooseImage). */
  imageSource?: ImageSource;
  buildContext?: string;
  /** PHP bridge sources given with --bridge-dir (default: php-bridge/src next to the code). */
  bridgeDir?: string;
  /** Files install created (uninstall deletes these; files that existed only lose our parts). */
  created: string[];
}

export interface InstallResult {
  action: InstallAction;
  /** Some piece refused: nothing was written. */
  refused: boolean;
  /** Everything is in place (install/check) or gone (uninstall). */
  complete: boolean;
  reports: PieceReport[];
  /** Patch hunks left out because mailcow's code drifted (the rest is installed): each with its impact. */
  leftOut: PieceReport[];
  /** Anything worth telling besides the reports (e.g. an unknown mailcow schema version). */
  notes: string[];
  written: string[];
  removed: string[];
  backupDir?: string;
  mailcowHostname?: string;
}

const MANIFEST = `${MAILCOW_FILES.stateDir}/install.json`;

async function readManifest(dir: string): Promise<InstallManifest | undefined> {
  const text = await readText(dir, MANIFEST);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as InstallManifest;
  } catch {
    return undefined;
  }
}

function merge(plans: PiecePlan[]): PiecePlan {
  return { reports: plans.flatMap((p) => p.reports), ops: plans.flatMap((p) => p.ops), created: plans.flatMap((p) => p.created) };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function execute(dir: string, ops: FileOp[], backupDir: string, result: InstallResult): Promise<void> {
  for (const op of ops) {
    const abs = join(dir, op.path);
    if (op.kind !== 'remove-tree' && op.backup && (await exists(abs))) {
      await copyFileAsIs(abs, join(dir, backupDir, op.path));
      result.backupDir = backupDir;
    }
    if (op.kind === 'write') {
      await writeFileInPlace(abs, op.content, op.mode);
      result.written.push(op.path);
    } else if (op.kind === 'delete') {
      await rm(abs, { force: true });
      result.removed.push(op.path);
    } else {
      await rm(abs, { recursive: true, force: true });
      result.removed.push(`${op.path}/`);
    }
  }
}

/** Runs install, check or uninstall against one mailcow checkout. */
export async function runInstall(options: InstallOptions, action: InstallAction): Promise<InstallResult> {
  const dir = options.mailcowDir;
  const result: InstallResult = { action, refused: false, complete: false, reports: [], leftOut: [], notes: [], written: [], removed: [] };
  const { tree, problems } = await readMailcowTree(dir);
  if (!tree) {
    result.refused = true;
    result.reports = problems.map((p) => ({ piece: 'mailcow', item: dir, state: 'refused', detail: p }));
    return result;
  }
  result.mailcowHostname = tree.conf.MAILCOW_HOSTNAME;
  if (tree.dbVersion && !KNOWN_MAILCOW_DB_VERSIONS.includes(tree.dbVersion)) {
    result.notes.push(
      `mailcow's schema version is ${tree.dbVersion}; this mailcow-scim was written against ${KNOWN_MAILCOW_DB_VERSIONS.join(', ')}. ` +
        'Every hook point is still checked line by line before anything is patched.',
    );
  }
  const manifest = await readManifest(dir);
  const found = options.assets ?? findInstallAssets();
  // A bridge directory given once (--bridge-dir) is remembered like the image choice.
  // The override puts DBPASS and REDISPASS into URLs; mailcow generates them alphanumeric, but
  // MAILCOW_DBPASS / MAILCOW_REDISPASS at generate time can be anything.
  for (const key of ['DBPASS', 'REDISPASS']) {
    const value = tree.conf[key];
    if (value && !/^[A-Za-z0-9._~-]*$/.test(value)) {
      result.notes.push(`${key} in mailcow.conf has characters that are not URL-safe; the sidecar's ${key === 'DBPASS' ? 'MARIADB_URL' : 'REDIS_URL'} will not parse. Use an alphanumeric ${key} (as mailcow generates it).`);
    }
  }
  const assets = !options.assets && manifest?.bridgeDir ? { ...found, bridgeDir: manifest.bridgeDir } : found;
  // A later run (doctor --repair, an upgrade) keeps an --image or --build choice of an earlier
  // one; the released image follows the version of the installer that runs.
  // The version of the installer that runs: the release tag it installs, the version the manifest
  // and the bridge's install record carry (never an older manifest's, or the record goes stale).
  const installerVersion = options.version ?? VERSION;
  const chosen = chooseImage(
    { image: options.image, build: options.build, buildContext: options.buildContext, release: options.release },
    manifest,
    { repository: options.imageRepository ?? RELEASE_IMAGE_REPOSITORY, version: installerVersion, codeRoot: assets.root },
  );
  if (!chosen.choice) {
    result.refused = true;
    result.reports = [{ piece: 'compose', item: MAILCOW_FILES.override, state: 'refused', detail: chosen.problem! }];
    return result;
  }
  const choice = chosen.choice;
  const { image, buildContext } = choice;
  const created = new Set(manifest?.created ?? []);
  const mode = action === 'uninstall' ? 'uninstall' : 'install';

  const patch = await planPatch(dir, mode);
  const bridgeStamp = mode === 'install' ? { version: installerVersion, content: renderBridgeStamp(installerVersion, patch.outcomes) } : undefined;
  // site.scim.custom names the upstream: the upstream file is written first and removed last, so
  // an nginx restart between the two never finds the route without its upstream (SCIM would
  // answer 502 until the other file is in place).
  const nginxSite = await planNginxSite(dir, assets, mode);
  const nginxUpstream = await planNginxUpstream(dir, assets, mode);
  const plan = merge([
    patch,
    ...(mode === 'install' ? [nginxUpstream, nginxSite] : [nginxSite, nginxUpstream]),
    await planHook(dir, assets, mode),
    await planBridge(dir, assets, mode, bridgeStamp),
    await planVarsLocal(dir, mode, created.has(MAILCOW_FILES.varsLocal)),
    await planCompose(dir, assets, choice, mode, created.has(MAILCOW_FILES.override)),
    await planGitExclude(dir, mode),
  ]);
  result.reports = plan.reports;
  result.leftOut = plan.reports.filter((r) => r.state === 'drifted');
  result.refused = plan.reports.some((r) => r.state === 'refused');
  if (action === 'check' || result.refused) {
    result.complete = !result.refused && plan.reports.every((r) => isSettled(r.state));
    return result;
  }

  const stamp = (options.now?.() ?? new Date()).toISOString().replace(/[:.]/g, '-');
  const backupDir = `${MAILCOW_FILES.stateDir}/backups/${stamp}`;
  await execute(dir, plan.ops, backupDir, result);

  if (action === 'install') {
    const now = (options.now?.() ?? new Date()).toISOString();
    const next: InstallManifest = {
      version: installerVersion,
      installedAt: manifest?.installedAt ?? now,
      updatedAt: plan.ops.length ? now : (manifest?.updatedAt ?? now),
      image,
      imageSource: choice.source,
      ...(buildContext ? { buildContext } : {}),
      ...(options.rememberBridgeDir || manifest?.bridgeDir ? { bridgeDir: assets.bridgeDir } : {}),
      created: [...new Set([...created, ...plan.created])].sort(),
    };
    const text = `${JSON.stringify(next, null, 2)}\n`;
    if ((await readText(dir, MANIFEST)) !== text && (plan.ops.length > 0 || !manifest)) {
      await writeFileInPlace(join(dir, MANIFEST), text, 0o644);
    }
  } else if (options.keepBackups) {
    await rm(join(dir, MANIFEST), { force: true });
  } else {
    await rm(join(dir, MAILCOW_FILES.stateDir), { recursive: true, force: true });
    result.backupDir = undefined;
  }
  result.complete = result.leftOut.length === 0;
  return result;
}
