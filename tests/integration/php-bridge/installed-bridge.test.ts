/**
 * The bridge as `mailcow-scim install` leaves it in a mailcow tree (tests/fixtures/mailcow-tree):
 * it loads from data/web/inc/mailcow-scim/ without output, defines only mailcow_scim_* functions,
 * knows the version it came from, and its install checks find every hunk of the real patch
 * (server/src/install/hunks.ts) — and name a hunk install left out, or an update dropped, with
 * what it disables.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInstallAssets, HUNKS, runInstall } from '../../../server/src/install/index.js';
import { makeMailcowTree, type TestTree } from '../install/mailcow-tree.js';
import { run } from './php-run.js';

interface Checked {
  output: string;
  functions: string[];
  version: string;
  checks: { id: string; ok: boolean; state: string; detail: string }[];
}

async function installedTree(prepare?: (dir: string) => Promise<void>): Promise<TestTree> {
  const tree = await makeMailcowTree({ git: false });
  trees.push(tree);
  await prepare?.(tree.dir);
  const result = await runInstall({ mailcowDir: tree.dir, assets: findInstallAssets() }, 'install');
  expect(result.refused, JSON.stringify(result.reports, null, 2)).toBe(false);
  return tree;
}

async function check(tree: TestTree): Promise<Checked> {
  const r = await run('php', ['tests/integration/php-bridge/php/install-check.php', `${tree.dir}/data/web`]);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return JSON.parse(r.stdout) as Checked;
}

const trees: TestTree[] = [];
let tree: TestTree;

beforeAll(async () => {
  tree = await installedTree();
});
afterAll(async () => {
  for (const t of trees) await t.cleanup();
});

describe('the installed bridge', () => {
  it('loads quietly, defines only its own functions, and finds every hunk of the install patch', async () => {
    const out = await check(tree);
    expect(out.output).toBe('');
    expect(out.functions.length).toBeGreaterThan(0);
    expect(out.functions.filter((f) => !f.startsWith('mailcow_scim_'))).toEqual([]);
    expect(out.functions).toContain('mailcow_scim_user_login');
    expect(out.checks.filter((c) => !c.ok)).toEqual([]);
    expect(out.checks.map((c) => c.id)).toEqual(['bridge-loaded', ...HUNKS.map((h) => h.id)]);
  });

  it("carries package.json's version, the one it came from", async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    expect((await check(tree)).version).toBe(pkg.version);
  });

  it('names a hunk install left out, and one a mailcow update dropped, with what each disables', async () => {
    const drifted = await installedTree(async (dir) => {
      const file = join(dir, 'data/web/inc/functions.inc.php');
      await writeFile(file, (await readFile(file, 'utf8')).replace('array("keycloak", "generic-oidc"))) {', 'array("keycloak", "generic-oidc", "saml"))) {'));
    });
    // update.sh then takes upstream's admin.twig, without our tab.
    await writeFile(join(drifted.dir, 'data/web/templates/admin.twig'), await readFile('tests/fixtures/mailcow-tree/data/web/templates/admin.twig', 'utf8'));
    const byId = Object.fromEntries((await check(drifted)).checks.map((c) => [c.id, c]));
    expect(byId['verify-sso-accept-scim']).toMatchObject({ ok: false, state: 'left-out' });
    expect(byId['verify-sso-accept-scim']!.detail).toContain('SCIM users cannot log in with SSO');
    expect(byId['admin-scim-tab-pane']).toMatchObject({ ok: false, state: 'missing' });
    expect(byId['admin-scim-tab-pane']!.detail).toContain('does not appear in mailcow');
    expect(byId['verify-sso-skip-template']).toMatchObject({ ok: true });
    expect(byId['user-login-scim-case']).toMatchObject({ ok: true });
  });
});
