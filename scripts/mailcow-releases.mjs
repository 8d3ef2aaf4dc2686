#!/usr/bin/env node
// Checks the install patch against every mailcow release in a mailcow-dockerized git clone, and
// keeps tests/fixtures/mailcow-releases/anchors.json (what the suite checks without a clone) true.
//
//   npm run check:mailcow-releases -- --mirror DIR [--since 2025-03] [--write]
//
// DIR is a clone of https://github.com/mailcow/mailcow-dockerized (a bare --mirror clone works;
// MAILCOW_MIRROR may name it instead). For each release tag from --since on (default: the first
// release in the table) it
//   1. extracts the anchor lines the patch depends on (server/src/install/release-anchors.ts)
//      and compares them with the committed table (--write rewrites the table instead, adding
//      new releases);
//   2. installs into a tree of that release's real files (check, install, install again,
//      uninstall): every hunk must apply, the patched PHP must parse (php -l, when PHP is
//      there), a second install must change nothing, and uninstall must give back every byte.
// Exit code 1 on any difference or failure. Needs `npm run build` first (the npm script does it).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { PATCHED_FILES, runInstall, findInstallAssets, parseDbVersion } = await import(join(root, 'dist/install/index.js'));
const { anchorView, COMPOSE_SERVICES } = await import(join(root, 'dist/install/release-anchors.js'));

const TABLE = join(root, 'tests/fixtures/mailcow-releases/anchors.json');
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const mirror = opt('--mirror') ?? process.env.MAILCOW_MIRROR;
const write = args.includes('--write');
if (!mirror || !existsSync(mirror)) {
  console.error('Give --mirror DIR (or MAILCOW_MIRROR): a clone of https://github.com/mailcow/mailcow-dockerized, e.g.\n  git clone --mirror https://github.com/mailcow/mailcow-dockerized.git /tmp/mailcow.git');
  process.exit(2);
}
const table = existsSync(TABLE) ? JSON.parse(readFileSync(TABLE, 'utf8')) : { releases: [], views: {} };
const since = opt('--since') ?? table.releases[0]?.tag ?? '2025-03';

const git = (...a) => execFileSync('git', ['--git-dir', gitDir(mirror), ...a], { encoding: 'utf8', maxBuffer: 1 << 28 });
function gitDir(dir) {
  return existsSync(join(dir, '.git')) ? join(dir, '.git') : dir;
}
const show = (tag, path) => git('show', `${tag}:${path}`);

const hasPhp = (() => {
  try {
    execFileSync('php', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** The mounts install checks (mailcow-dir.ts) and the socket volume the sidecar shares. */
const RELIED_ON = /^(\.\/data\/conf\/nginx|\.\/data\/hooks\/phpfpm|\.\/data\/web|mysql-socket-vol-1)\/?:/;

/** The compose facts install relies on, from a release's docker-compose.yml. */
function composeFacts(text) {
  const compose = parseYaml(text) ?? {};
  const services = {};
  for (const name of COMPOSE_SERVICES) {
    const s = compose.services?.[name];
    if (s) services[name] = { volumes: (s.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`)).filter((v) => RELIED_ON.test(v)) };
  }
  return { services, volumes: Object.keys(compose.volumes ?? {}).filter((v) => v === 'mysql-socket-vol-1') };
}

const viewId = (view) => createHash('sha256').update(JSON.stringify(view)).digest('hex').slice(0, 12);

const tags = git('tag', '--list')
  .split('\n')
  .filter((t) => /^\d{4}-\d{2}[a-z]?$/.test(t) && t >= since)
  .sort();
if (!tags.length) {
  console.error(`no release tags from ${since} on in ${mirror}`);
  process.exit(2);
}

const problems = [];
const fresh = { releases: [], views: {} };
const assets = findInstallAssets();
for (const tag of tags) {
  const commit = git('rev-parse', `${tag}^{commit}`).trim();
  const files = {};
  const texts = {};
  for (const pf of PATCHED_FILES) {
    texts[pf.file] = show(tag, pf.file);
    const view = anchorView(pf.file, texts[pf.file]);
    const id = viewId(view);
    fresh.views[id] = view;
    files[pf.file] = id;
  }
  const composeText = show(tag, 'docker-compose.yml');
  const release = { tag, commit, dbVersion: parseDbVersion(texts['data/web/inc/init_db.inc.php']), compose: composeFacts(composeText), files };
  fresh.releases.push(release);

  const committed = table.releases.find((r) => r.tag === tag);
  if (!write) {
    if (!committed) problems.push(`${tag}: not in the table (run with --write)`);
    else if (JSON.stringify(committed) !== JSON.stringify(release)) problems.push(`${tag}: the table differs from the release (run with --write and review the diff)`);
  }

  // The real files of the release, installed into a scratch tree.
  const dir = mkdtempSync(join(tmpdir(), `mcs-release-${tag}-`));
  try {
    writeFileSync(join(dir, 'docker-compose.yml'), composeText);
    writeFileSync(join(dir, 'mailcow.conf'), readFileSync(join(root, 'tests/fixtures/mailcow-tree/mailcow.conf')));
    for (const d of ['data/conf/nginx', 'data/hooks/phpfpm']) mkdirSync(join(dir, d), { recursive: true });
    for (const [f, text] of Object.entries(texts)) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), text);
    }
    const check = await runInstall({ mailcowDir: dir, assets }, 'check');
    const notPending = check.reports.filter((r) => r.piece === 'patch' && r.state !== 'missing');
    if (check.refused || notPending.length) problems.push(`${tag}: check: ${[...notPending, ...check.reports.filter((r) => r.state === 'refused')].map((r) => `${r.item} ${r.state}: ${r.detail}`).join('; ')}`);
    const installed = await runInstall({ mailcowDir: dir, assets }, 'install');
    if (!installed.complete) problems.push(`${tag}: install left out ${installed.leftOut.map((r) => r.item).join(', ') || '(refused)'}`);
    if (hasPhp) {
      for (const f of Object.keys(texts).filter((x) => x.endsWith('.php'))) {
        try {
          execFileSync('php', ['-l', join(dir, f)], { stdio: 'pipe' });
        } catch (e) {
          problems.push(`${tag}: ${f} does not parse after install: ${String(e.stdout ?? e.message).trim()}`);
        }
      }
    }
    const again = await runInstall({ mailcowDir: dir, assets }, 'install');
    if (again.written.length) problems.push(`${tag}: a second install wrote ${again.written.join(', ')}`);
    await runInstall({ mailcowDir: dir, assets }, 'uninstall');
    for (const [f, text] of Object.entries(texts)) {
      if (readFileSync(join(dir, f), 'utf8') !== text) problems.push(`${tag}: uninstall did not restore ${f} byte for byte`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${tag}  ${commit.slice(0, 10)}  db_schema ${release.dbVersion}`);
}

if (write) {
  // Releases older than --since stay in the table; the table holds only the views it uses.
  const kept = table.releases.filter((r) => r.tag < since);
  const releases = [...kept, ...fresh.releases];
  const views = {};
  for (const r of releases) for (const id of Object.values(r.files)) views[id] = fresh.views[id] ?? table.views[id];
  const out = {
    about:
      'For each mailcow release: the lines of the files mailcow-scim patches that the patch depends on (server/src/install/release-anchors.ts), ' +
      'and the compose facts install checks. Written by `npm run check:mailcow-releases -- --write` from mailcow-dockerized\'s git history; see README.md.',
    releases,
    views: Object.fromEntries(Object.entries(views).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
  mkdirSync(dirname(TABLE), { recursive: true });
  writeFileSync(TABLE, `${JSON.stringify(out, null, 1)}\n`);
  console.log(`wrote ${TABLE}: ${releases.length} releases, ${Object.keys(views).length} distinct file views`);
}
if (problems.length) {
  console.error(`\n${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exitCode = 1;
} else {
  console.log(`\nThe patch applies to all ${tags.length} releases from ${tags[0]} to ${tags[tags.length - 1]}${write ? '' : ', and the table matches them'}.`);
}
