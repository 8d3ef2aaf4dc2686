/**
 * The document root the browser-facing PHP tests serve with PHP's built-in server: the double
 * of mailcow's page frame (tests/browser/mailcow-frame) with the PHP bridge exactly as
 * `mailcow-scim install` leaves it in a stand-in mailcow tree (its install record included),
 * and vars.local.inc.php with the block the installer writes.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findInstallAssets, runInstall } from '../../../server/src/install/index.js';
import { makeMailcowTree, type TestTree } from '../install/mailcow-tree.js';

export interface FrameDocroot {
  dir: string;
  /** The mailcow tree the bridge was installed into. */
  installed: TestTree;
  cleanup(): Promise<void>;
}

const VARS_LOCAL_BLOCK =
  "<?php\n// mailcow-scim:begin bridge\nif (file_exists(__DIR__ . '/mailcow-scim/mailcow-scim.inc.php')) {\n  require_once __DIR__ . '/mailcow-scim/mailcow-scim.inc.php';\n}\n// mailcow-scim:end bridge\n";

export async function makeFrameDocroot(prefix: string): Promise<FrameDocroot> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const installed = await makeMailcowTree({ git: false });
  try {
    await cp('tests/browser/mailcow-frame', dir, { recursive: true });
    await runInstall({ mailcowDir: installed.dir, assets: findInstallAssets() }, 'install');
    await cp(join(installed.dir, 'data/web/inc/mailcow-scim'), join(dir, 'inc/mailcow-scim'), { recursive: true });
    await writeFile(join(dir, 'inc/vars.local.inc.php'), VARS_LOCAL_BLOCK);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    await installed.cleanup();
    throw e;
  }
  return {
    dir,
    installed,
    async cleanup() {
      await rm(dir, { recursive: true, force: true });
      await installed.cleanup();
    },
  };
}

/** Waits until PHP's built-in server answers `url`; `log` says why when it never does. */
export async function waitForHttp(url: string, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(url, { redirect: 'manual' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`PHP's built-in server did not start:\n${log()}`);
}
