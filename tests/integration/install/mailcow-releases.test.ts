/**
 * The patch against every mailcow release from 2025-03 on, without a copy of mailcow: the table
 * in tests/fixtures/mailcow-releases/ holds, per release, the lines the patch depends on
 * (server/src/install/release-anchors.ts) and the compose facts install checks. Each release's
 * skeleton tree must take every hunk, a second install must change nothing, and uninstall must
 * give back every byte. That a skeleton answers like the whole file is proven here too, on the
 * stand-in tree; `npm run check:mailcow-releases` re-checks the table against mailcow's git.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HUNKS, KNOWN_MAILCOW_DB_VERSIONS, PATCHED_FILES, runInstall } from '../../../server/src/install/index.js';
import { inspectHunk, splitText } from '../../../server/src/install/patch-file.js';
import { anchorView, composeOf, skeletonOf, type AnchorView, type ComposeFacts } from '../../../server/src/install/release-anchors.js';
import { FIXTURE, makeMailcowTree, type TestTree } from './mailcow-tree.js';

interface Release {
  tag: string;
  commit: string;
  dbVersion: string;
  compose: ComposeFacts;
  files: Record<string, string>;
}
const table = JSON.parse(await readFile('tests/fixtures/mailcow-releases/anchors.json', 'utf8')) as { releases: Release[]; views: Record<string, AnchorView> };
const REGENERATE = 'if a hunk changed its anchors, re-extract the table: npm run check:mailcow-releases -- --mirror <mailcow-dockerized clone> --write (docs/development.md)';

const trees: TestTree[] = [];
afterAll(async () => {
  for (const t of trees) await t.cleanup();
});

describe('the release table', () => {
  it('covers every mailcow release from 2025-03 to 2026-07a, each file of the patch, and the schema versions install knows', () => {
    const tags = table.releases.map((r) => r.tag);
    expect(tags[0]).toBe('2025-03');
    expect(tags).toContain('2026-07a');
    expect(tags).toEqual([...tags].sort());
    for (const r of table.releases) {
      expect(Object.keys(r.files).sort(), r.tag).toEqual(PATCHED_FILES.map((f) => f.file).sort());
      for (const id of Object.values(r.files)) expect(table.views[id], `${r.tag} view ${id}`).toBeDefined();
      expect(r.commit).toMatch(/^[0-9a-f]{40}$/);
    }
    expect([...KNOWN_MAILCOW_DB_VERSIONS].sort()).toEqual([...new Set(table.releases.map((r) => r.dbVersion))].sort());
  });

  it('a skeleton answers the patch exactly as the whole file does (pristine, drifted, already patched)', async () => {
    for (const pf of PATCHED_FILES) {
      const whole = await readFile(join(FIXTURE, pf.file), 'utf8');
      const drifted = whole.replace("  switch ($row['authsource']) {", '  switch ($row["authsource"]) {').replace('    case "verify-sso":', '    case "verify_sso":');
      for (const text of [whole, drifted]) {
        const skeleton = splitText(skeletonOf(anchorView(pf.file, text)));
        expect(skeleton.lines).toHaveLength(text.split('\n').length);
        for (const h of HUNKS.filter((x) => x.file === pf.file)) {
          expect(inspectHunk(skeleton, pf.style, h), `${pf.file} ${h.id}`).toEqual(inspectHunk(splitText(text), pf.style, h));
        }
      }
    }
  });
});

describe.each(table.releases.map((r) => [r.tag, r] as const))('mailcow %s', (_tag, release) => {
  it('takes every hunk; install again changes nothing; uninstall gives back every byte', async () => {
    const t = await makeMailcowTree({ git: false });
    trees.push(t);
    const skeletons: Record<string, string> = {};
    for (const [file, id] of Object.entries(release.files)) {
      skeletons[file] = skeletonOf(table.views[id]!);
      await writeFile(join(t.dir, file), skeletons[file]!);
    }
    await writeFile(join(t.dir, 'docker-compose.yml'), composeOf(release.compose));

    const check = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'check');
    expect(check.refused, JSON.stringify(check.reports.filter((r) => r.state === 'refused'))).toBe(false);
    const patch = check.reports.filter((r) => r.piece === 'patch');
    expect(patch.filter((r) => r.state !== 'missing').map((r) => `${r.item}: ${r.state} ${r.detail}`), REGENERATE).toEqual([]);
    expect(patch).toHaveLength(HUNKS.length);
    expect(check.notes.filter((n) => n.includes('schema version'))).toEqual([]);

    const installed = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'install');
    expect(installed.complete).toBe(true);
    expect(installed.leftOut).toEqual([]);
    for (const h of HUNKS) expect(await readFile(join(t.dir, h.file), 'utf8'), h.id).toContain(`mailcow-scim:begin ${h.id}`);
    expect((await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'install')).written).toEqual([]);

    await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'uninstall');
    for (const [file, text] of Object.entries(skeletons)) expect(await readFile(join(t.dir, file), 'utf8'), file).toBe(text);
  });
});
