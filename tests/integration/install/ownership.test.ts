/**
 * install as root (what `docker run … install` is) leaves a checkout's owners and modes as they
 * were: a replaced file keeps its owner and mode, a new file or directory takes its directory's
 * owner and a mode that directory allows, backups are copies as they were, and uninstall leaves
 * mailcow's files as it found them.
 */
import { chown, chmod, lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInstall } from '../../../server/src/install/index.js';
import { makeMailcowTree, type TestTree } from './mailcow-tree.js';

const asRoot = process.getuid?.() === 0;
const trees: TestTree[] = [];
afterAll(async () => {
  for (const t of trees) await t.cleanup();
});

const ADMIN = 4321; // the account that owns the checkout
const OTHER = 4322; // someone else's file inside it

async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await chown(dir, uid, gid);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await chownTree(p, uid, gid);
    else await chown(p, uid, gid);
  }
}

async function owner(path: string): Promise<{ uid: number; gid: number; mode: string }> {
  const s = await lstat(path);
  return { uid: s.uid, gid: s.gid, mode: (s.mode & 0o7777).toString(8) };
}

describe.skipIf(!asRoot)('install as root keeps owners and modes (needs root to hand files to other users)', () => {
  it('keeps them on changed files, gives new files their directory’s owner, and uninstall leaves them too', async () => {
    const t = await makeMailcowTree({ git: false });
    trees.push(t);
    await chownTree(t.dir, ADMIN, ADMIN);
    const functions = join(t.dir, 'data/web/inc/functions.inc.php');
    await chown(functions, OTHER, OTHER);
    await chmod(functions, 0o640);
    // nginx's config directory belongs to another group and is closed to others.
    const nginxDir = join(t.dir, 'data/conf/nginx');
    await chown(nginxDir, ADMIN, 101);
    await chmod(nginxDir, 0o2750);

    const r = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'install');
    expect(r.refused, JSON.stringify(r.reports)).toBe(false);

    // Patched files: as they were.
    expect(await owner(functions)).toEqual({ uid: OTHER, gid: OTHER, mode: '640' });
    expect(await owner(join(t.dir, 'data/web/inc/functions.auth.inc.php'))).toEqual({ uid: ADMIN, gid: ADMIN, mode: '644' });
    // New files and directories: their directory's owner; a mode the directory allows.
    expect(await owner(join(t.dir, 'data/conf/nginx/site.scim.custom'))).toEqual({ uid: ADMIN, gid: 101, mode: '640' });
    expect(await owner(join(t.dir, 'data/conf/nginx/mailcow-scim-upstream.conf'))).toEqual({ uid: ADMIN, gid: 101, mode: '640' });
    expect(await owner(join(t.dir, 'data/hooks/phpfpm/mailcow-scim-enum-guard.sh'))).toEqual({ uid: ADMIN, gid: ADMIN, mode: '755' });
    expect(await owner(join(t.dir, 'data/web/inc/mailcow-scim'))).toEqual({ uid: ADMIN, gid: ADMIN, mode: '755' });
    expect(await owner(join(t.dir, 'data/web/inc/mailcow-scim/Client/Client.php'))).toEqual({ uid: ADMIN, gid: ADMIN, mode: '644' });
    expect(await owner(join(t.dir, 'docker-compose.override.yml'))).toEqual({ uid: ADMIN, gid: ADMIN, mode: '644' });
    expect(await owner(join(t.dir, '.mailcow-scim/install.json'))).toEqual({ uid: ADMIN, gid: ADMIN, mode: '644' });
    // Backups: copies as they were.
    expect(await owner(join(t.dir, r.backupDir!, 'data/web/inc/functions.inc.php'))).toEqual({ uid: OTHER, gid: OTHER, mode: '640' });
    expect((await stat(join(t.dir, r.backupDir!))).uid).toBe(ADMIN);

    const removed = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'uninstall');
    expect(removed.refused).toBe(false);
    expect(await owner(functions)).toEqual({ uid: OTHER, gid: OTHER, mode: '640' });
    expect(await owner(join(t.dir, 'data/web/inc/functions.auth.inc.php'))).toEqual({ uid: ADMIN, gid: ADMIN, mode: '644' });
    expect(await owner(nginxDir)).toEqual({ uid: ADMIN, gid: 101, mode: '2750' });
  });
});
