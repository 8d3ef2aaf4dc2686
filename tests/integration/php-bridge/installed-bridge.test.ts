/**
 * The bridge as `mailcow-scim install` leaves it in a mailcow tree (tests/fixtures/mailcow-tree):
 * it loads from data/web/inc/mailcow-scim/ without output, defines only mailcow_scim_* functions,
 * and its install checks find every hook of the real patch (server/src/install/hunks.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInstallAssets, runInstall } from '../../../server/src/install/index.js';
import { makeMailcowTree, type TestTree } from '../install/mailcow-tree.js';
import { run } from './php-run.js';

let tree: TestTree;

beforeAll(async () => {
  tree = await makeMailcowTree({ git: false });
  const result = await runInstall({ mailcowDir: tree.dir, assets: findInstallAssets() }, 'install');
  expect(result.refused, JSON.stringify(result.reports, null, 2)).toBe(false);
});
afterAll(async () => {
  await tree?.cleanup();
});

describe('the installed bridge', () => {
  it('loads quietly, defines only its own functions, and finds every hook of the install patch', async () => {
    const r = await run('php', ['tests/integration/php-bridge/php/install-check.php', `${tree.dir}/data/web`]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const out = JSON.parse(r.stdout) as { output: string; functions: string[]; checks: { id: string; ok: boolean; detail: string }[] };
    expect(out.output).toBe('');
    expect(out.functions.length).toBeGreaterThan(0);
    expect(out.functions.filter((f) => !f.startsWith('mailcow_scim_'))).toEqual([]);
    expect(out.functions).toContain('mailcow_scim_user_login');
    expect(out.checks.filter((c) => !c.ok)).toEqual([]);
    expect(out.checks.map((c) => c.id)).toContain('admin-tab');
  });
});
