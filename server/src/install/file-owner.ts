/**
 * How the installer writes into a mailcow checkout without changing who owns what. install often
 * runs as root (in the image: `docker run … install`) against a tree owned by root or by the
 * admin's account: a file it replaces keeps its owner and mode, and a file or directory it
 * creates gets the owner of the directory it lands in and a mode that directory allows. Without
 * this, every rewritten file would silently become root's.
 */
import { chmod, chown, copyFile, mkdir, rename, stat, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname } from 'node:path';

/** Only root can give a file away; anyone else writes files that are already theirs. */
function mayChown(): boolean {
  return process.getuid?.() === 0;
}

async function own(path: string, like: Pick<Stats, 'uid' | 'gid'>): Promise<void> {
  if (!mayChown()) return;
  await chown(path, like.uid, like.gid);
}

/**
 * `wanted`, less the permissions of every class (owner, group, others) that cannot enter `dirMode`'s
 * directory: a file in a 0750 directory gets no bits for others, as nobody else can reach it.
 */
export function modeForDirectory(wanted: number, dirMode: number): number {
  let mode = wanted & 0o7777;
  for (const shift of [6, 3, 0]) if ((dirMode & (0o1 << shift)) === 0) mode &= ~(0o7 << shift);
  return mode;
}

/** Creates `dir` and its missing parents, each with the owner and mode of the nearest existing one. */
async function mkdirLikeParent(dir: string): Promise<Stats> {
  const missing: string[] = [];
  let current = dir;
  let found: Stats | undefined;
  for (;;) {
    found = await stat(current).catch(() => undefined);
    if (found) break;
    missing.unshift(current);
    const up = dirname(current);
    if (up === current) throw new Error(`no existing parent directory for ${dir}`);
    current = up;
  }
  if (!found.isDirectory()) throw new Error(`${current} is not a directory`);
  for (const d of missing) {
    await mkdir(d).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
    await chmod(d, found.mode & 0o7777);
    await own(d, found);
  }
  return missing.length ? stat(dir) : found;
}

/**
 * Replaces (or creates) `path` atomically: written beside it, given its owner and mode, then
 * renamed over it. A replaced file keeps owner and mode unless `mode` is asked for; a new one
 * gets `mode` (default 0644) as its directory allows and the directory's owner.
 */
export async function writeFileInPlace(path: string, content: string | Buffer, mode?: number): Promise<void> {
  const dir = await mkdirLikeParent(dirname(path));
  const previous = await stat(path).catch(() => undefined);
  const tmp = `${path}.mailcow-scim-tmp`;
  await writeFile(tmp, content);
  await chmod(tmp, previous ? (mode ?? previous.mode & 0o7777) : modeForDirectory(mode ?? 0o644, dir.mode));
  await own(tmp, previous ?? dir);
  await rename(tmp, path);
}

/** A copy of `from` at `to` (a backup) with the original's mode and owner. */
export async function copyFileAsIs(from: string, to: string): Promise<void> {
  await mkdirLikeParent(dirname(to));
  const original = await stat(from);
  await copyFile(from, to);
  await chmod(to, original.mode & 0o7777);
  await own(to, original);
}
