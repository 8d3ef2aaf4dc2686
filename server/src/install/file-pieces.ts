/**
 * The files mailcow-scim adds next to mailcow's: the nginx site and upstream files, the php-fpm
 * ENUM guard hook, the PHP bridge copy, the vars.local.inc.php block and the .git/info/exclude
 * entries. None of them is tracked by mailcow's git, so updates leave them alone
 * (docs/mailcow-facts.md §5.1, §5.5, §5.6).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { InstallAssets } from './assets.js';
import { renderTemplate } from './assets.js';
import { BRIDGE_ENTRY_FILE, CONTAINER_SOCKETS, MAILCOW_FILES, NGINX_CLIENT_MAX_BODY_SIZE, NGINX_UPSTREAM_NAME } from './layout.js';
import { readText } from './mailcow-dir.js';
import { BRIDGE_STAMP_FILE, readBridgeStampVersion } from './bridge-stamp.js';
import { emptyPlan, type PiecePlan } from './plan.js';
import { inspectVarsLocal, withoutVarsLocalBlock, withVarsLocalBlock } from './vars-local.js';

/** Every file we write whole carries this line, so we never overwrite someone else's file. */
const MANAGED_FILE_MARKER = 'mailcow-scim:managed-file';

/** deploy/nginx/site.scim.custom: the /scim/v2/ locations, proxying to the upstream below. */
export async function renderNginxSite(assets: InstallAssets): Promise<string> {
  const template = await readFile(join(assets.deployDir, 'nginx', 'site.scim.custom'), 'utf8');
  return renderTemplate(template, { UPSTREAM: NGINX_UPSTREAM_NAME, CLIENT_MAX_BODY_SIZE: NGINX_CLIENT_MAX_BODY_SIZE }, 'site.scim.custom');
}

/** deploy/nginx/mailcow-scim-upstream.conf for a socket path as nginx sees it (the shared volume's by default). */
export async function renderNginxUpstream(assets: InstallAssets, httpSocket: string = CONTAINER_SOCKETS.http): Promise<string> {
  const template = await readFile(join(assets.deployDir, 'nginx', 'mailcow-scim-upstream.conf'), 'utf8');
  return renderTemplate(template, { UPSTREAM: NGINX_UPSTREAM_NAME, HTTP_SOCKET: httpSocket }, 'mailcow-scim-upstream.conf');
}

async function readHookScript(assets: InstallAssets): Promise<string> {
  return readFile(join(assets.deployDir, 'phpfpm', 'mailcow-scim-enum-guard.sh'), 'utf8');
}

async function isExecutable(path: string): Promise<boolean> {
  return ((await stat(path)).mode & 0o111) !== 0;
}

/** A whole file that belongs to us: written when missing or different, removed on uninstall. */
async function planManagedFile(
  dir: string,
  piece: string,
  rel: string,
  content: string,
  mode: number,
  action: 'install' | 'uninstall',
  purpose: string,
): Promise<PiecePlan> {
  const plan = emptyPlan();
  const current = await readText(dir, rel);
  const ours = current?.includes(MANAGED_FILE_MARKER) === true;
  if (action === 'uninstall') {
    if (current === undefined) plan.reports.push({ piece, item: rel, state: 'absent', detail: purpose });
    else if (!ours) plan.reports.push({ piece, item: rel, state: 'absent', detail: `${rel} was not written by mailcow-scim; left alone` });
    else {
      plan.reports.push({ piece, item: rel, state: 'installed', detail: purpose });
      plan.ops.push({ kind: 'delete', path: rel, backup: false });
    }
    return plan;
  }
  if (current !== undefined && !ours) {
    plan.reports.push({ piece, item: rel, state: 'refused', detail: `${rel} exists and was not written by mailcow-scim; move it away and run install again` });
    return plan;
  }
  const executableOk = mode & 0o111 ? current === undefined || (await isExecutable(join(dir, rel))) : true;
  const state = current === undefined ? 'missing' : current === content && executableOk ? 'installed' : 'outdated';
  plan.reports.push({ piece, item: rel, state, detail: purpose });
  if (state !== 'installed') plan.ops.push({ kind: 'write', path: rel, content, mode, backup: false });
  if (current === undefined) plan.created.push(rel);
  return plan;
}

export async function planNginxSite(dir: string, assets: InstallAssets, action: 'install' | 'uninstall'): Promise<PiecePlan> {
  const content = await renderNginxSite(assets);
  return planManagedFile(dir, 'nginx', MAILCOW_FILES.nginxSite, content, 0o644, action, `/scim/v2/ → ${CONTAINER_SOCKETS.http} (restart nginx-mailcow after a change)`);
}

export async function planNginxUpstream(dir: string, assets: InstallAssets, action: 'install' | 'uninstall'): Promise<PiecePlan> {
  const content = await renderNginxUpstream(assets);
  return planManagedFile(
    dir,
    'nginx-upstream',
    MAILCOW_FILES.nginxUpstream,
    content,
    0o644,
    action,
    `${NGINX_UPSTREAM_NAME} → ${CONTAINER_SOCKETS.http}, connections kept open (restart nginx-mailcow after a change)`,
  );
}

export async function planHook(dir: string, assets: InstallAssets, action: 'install' | 'uninstall'): Promise<PiecePlan> {
  const content = await readHookScript(assets);
  return planManagedFile(dir, 'hook', MAILCOW_FILES.phpfpmHook, content, 0o755, action, "re-asserts 'scim' in mailbox.authsource after each init_db (php-fpm start)");
}

async function listFiles(root: string, sub = ''): Promise<string[]> {
  const entries = await readdir(join(root, sub), { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const rel = sub ? `${sub}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(root, rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out.sort();
}

/**
 * The PHP bridge: php-bridge/src copied to data/web/inc/mailcow-scim/ (ours entirely), plus its
 * install record (bridge-stamp.ts), which carries the version the copy came from.
 */
export async function planBridge(
  dir: string,
  assets: InstallAssets,
  action: 'install' | 'uninstall',
  stamp?: { version: string; content: string },
): Promise<PiecePlan> {
  const plan = emptyPlan();
  const target = MAILCOW_FILES.bridgeDir;
  const installed = await listFiles(join(dir, target));
  if (action === 'uninstall') {
    plan.reports.push({ piece: 'bridge', item: `${target}/`, state: installed.length ? 'installed' : 'absent', detail: 'the PHP bridge' });
    if (installed.length) plan.ops.push({ kind: 'remove-tree', path: target });
    return plan;
  }
  const sourceFiles = await listFiles(assets.bridgeDir);
  if (!sourceFiles.includes(BRIDGE_ENTRY_FILE)) {
    plan.reports.push({
      piece: 'bridge',
      item: `${target}/`,
      state: 'refused',
      detail: `the PHP bridge was not found: ${assets.bridgeDir} has no ${BRIDGE_ENTRY_FILE}`,
    });
    return plan;
  }
  const wanted = new Map<string, Buffer>();
  for (const f of sourceFiles) wanted.set(f, await readFile(join(assets.bridgeDir, f)));
  if (stamp) wanted.set(BRIDGE_STAMP_FILE, Buffer.from(stamp.content));
  const names = [...wanted.keys()].sort();
  let differs = installed.length !== names.length || installed.some((f, i) => f !== names[i]);
  for (const [f, want] of wanted) {
    const have = await readFile(join(dir, target, f)).catch(() => undefined);
    if (!have?.equals(want)) differs = true;
  }
  const state = installed.length === 0 ? 'missing' : differs ? 'outdated' : 'installed';
  const was = installed.includes(BRIDGE_STAMP_FILE) ? readBridgeStampVersion(await readText(dir, `${target}/${BRIDGE_STAMP_FILE}`)) : '';
  const version = stamp ? ` ${stamp.version}` : '';
  const from = state === 'outdated' ? (was && stamp && was !== stamp.version ? `, replacing ${was}` : was ? '' : ', replacing a copy without a version') : '';
  plan.reports.push({ piece: 'bridge', item: `${target}/`, state, detail: `the PHP bridge${version} (${names.length} files, loaded through vars.local.inc.php${from})` });
  if (state === 'installed') return plan;
  // Replace the whole copy, so files the new version dropped disappear too.
  if (installed.length) plan.ops.push({ kind: 'remove-tree', path: target });
  for (const [f, content] of [...wanted].sort(([a], [b]) => (a < b ? -1 : 1))) {
    plan.ops.push({ kind: 'write', path: `${target}/${f}`, content, mode: 0o644, backup: false });
  }
  if (installed.length === 0) plan.created.push(target);
  return plan;
}

export async function planVarsLocal(dir: string, action: 'install' | 'uninstall', createdByUs: boolean): Promise<PiecePlan> {
  const plan = emptyPlan();
  const rel = MAILCOW_FILES.varsLocal;
  const current = await readText(dir, rel);
  const state = inspectVarsLocal(current);
  if (action === 'uninstall') {
    if (state === 'missing') {
      plan.reports.push({ piece: 'vars.local', item: rel, state: 'absent', detail: 'loads the PHP bridge' });
      return plan;
    }
    const rest = withoutVarsLocalBlock(current!);
    plan.reports.push({ piece: 'vars.local', item: rel, state: 'installed', detail: 'loads the PHP bridge' });
    if (rest.onlyHeaderLeft && createdByUs) plan.ops.push({ kind: 'delete', path: rel, backup: true });
    else plan.ops.push({ kind: 'write', path: rel, content: rest.text, backup: true });
    return plan;
  }
  if (state === 'damaged') {
    plan.reports.push({ piece: 'vars.local', item: rel, state: 'refused', detail: `${rel} holds an incomplete mailcow-scim block; remove its remains by hand` });
    return plan;
  }
  plan.reports.push({
    piece: 'vars.local',
    item: rel,
    state,
    detail: current === undefined ? 'loads the PHP bridge (new file)' : 'loads the PHP bridge (block added to the existing file, the rest kept)',
  });
  if (state !== 'installed') plan.ops.push({ kind: 'write', path: rel, content: withVarsLocalBlock(current), backup: current !== undefined });
  if (current === undefined) plan.created.push(rel);
  return plan;
}

const EXCLUDE_BEGIN = '# mailcow-scim:begin (paths installed by mailcow-scim that mailcow does not gitignore)';
const EXCLUDE_END = '# mailcow-scim:end';

/** Untracked paths of ours outside mailcow's .gitignore, so `git add -A` in update.sh skips them. */
function excludeBlock(): string {
  return [EXCLUDE_BEGIN, `/${MAILCOW_FILES.bridgeDir}/`, `/${MAILCOW_FILES.stateDir}/`, EXCLUDE_END].join('\n');
}

export async function planGitExclude(dir: string, action: 'install' | 'uninstall'): Promise<PiecePlan> {
  const plan = emptyPlan();
  const rel = MAILCOW_FILES.gitExclude;
  const gitDir = await stat(join(dir, '.git')).catch(() => undefined);
  if (!gitDir?.isDirectory()) {
    // Not "ok": mailcow's update.sh updates with git (fetch, commit, merge) and cannot run here.
    plan.reports.push({
      piece: 'git-exclude',
      item: rel,
      state: action === 'install' ? 'warning' : 'absent',
      detail:
        "not a git checkout (no .git): nothing to exclude, but mailcow's update.sh cannot update this directory (it updates with git). " +
        'Update mailcow the way it was installed, then run mailcow-scim install again (it re-applies what an update replaced)',
    });
    return plan;
  }
  const current = (await readText(dir, rel)) ?? '';
  const start = current.indexOf(EXCLUDE_BEGIN);
  const end = current.indexOf(EXCLUDE_END);
  const present = start >= 0 && end > start;
  const existingBlock = present ? current.slice(start, end + EXCLUDE_END.length) : '';
  const without = present ? current.slice(0, start) + current.slice(end + EXCLUDE_END.length).replace(/^\n/, '') : current;
  if (action === 'uninstall') {
    plan.reports.push({ piece: 'git-exclude', item: rel, state: present ? 'installed' : 'absent', detail: 'keeps our untracked files out of git' });
    if (present) plan.ops.push({ kind: 'write', path: rel, content: without, backup: true });
    return plan;
  }
  const state = !present ? 'missing' : existingBlock === excludeBlock() ? 'installed' : 'outdated';
  plan.reports.push({ piece: 'git-exclude', item: rel, state, detail: 'keeps our untracked files out of git (update.sh runs git add -A after a conflict)' });
  if (state !== 'installed') {
    const base = without === '' || without.endsWith('\n') ? without : `${without}\n`;
    plan.ops.push({ kind: 'write', path: rel, content: `${base}${excludeBlock()}\n`, backup: true });
  }
  return plan;
}
