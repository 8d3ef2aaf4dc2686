/**
 * A fresh copy of tests/fixtures/mailcow-tree in a temporary directory, as a git checkout with
 * one commit (like a mailcow-dockerized clone), plus a stand-in PHP bridge to install.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { runCli } from '../../../server/src/cli/cli.js';
import { findInstallAssets, type InstallAssets } from '../../../server/src/install/index.js';

export const FIXTURE = resolve('tests/fixtures/mailcow-tree');

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, '-c', 'user.name=test', '-c', 'user.email=test@example.org', ...args], { encoding: 'utf8' });
}

export interface TestTree {
  dir: string;
  assets: InstallAssets;
  bridgeDir: string;
  cleanup(): Promise<void>;
}

/** Copies the fixture (dot-gitignore → .gitignore) and commits it; `git: false` skips git. */
export async function makeMailcowTree(options: { git?: boolean } = {}): Promise<TestTree> {
  const base = await mkdtemp(join(tmpdir(), 'mcs-tree-'));
  const dir = join(base, 'mailcow-dockerized');
  await cp(FIXTURE, dir, { recursive: true });
  await rename(join(dir, 'dot-gitignore'), join(dir, '.gitignore'));
  const bridgeDir = join(base, 'bridge');
  await mkdir(join(bridgeDir, 'Client'), { recursive: true });
  await writeFile(join(bridgeDir, 'mailcow-scim.inc.php'), "<?php\n// stand-in bridge entry\nrequire_once __DIR__ . '/Client/Client.php';\n");
  await writeFile(join(bridgeDir, 'Client', 'Client.php'), '<?php\nfunction mailcow_scim_user_login($user, $pass, $extra, $row) { return false; }\n');
  if (options.git !== false) {
    git(dir, 'init', '-q', '-b', 'master');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'mailcow stand-in');
  }
  return { dir, bridgeDir, assets: { ...findInstallAssets(), bridgeDir }, cleanup: () => rm(base, { recursive: true, force: true }) };
}

/** path → sha256 of every file under dir (without .git), for "byte for byte the same" checks. */
export async function snapshot(dir: string, sub = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(join(dir, sub), { withFileTypes: true })) {
    const rel = sub ? `${sub}/${e.name}` : e.name;
    if (rel === '.git') continue;
    if (e.isDirectory()) Object.assign(out, await snapshot(dir, rel));
    else out[rel] = createHash('sha256').update(await readFile(join(dir, rel))).digest('hex');
  }
  return out;
}

/** Runs the real CLI in-process. */
export async function cli(env: Record<string, string | undefined>, ...argv: string[]) {
  let out = '';
  let err = '';
  const sink = (f: (s: string) => void) => new Writable({ write: (c, _e, d) => (f(String(c)), d()) });
  const code = await runCli(argv, { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), env });
  return { code, out, err };
}
