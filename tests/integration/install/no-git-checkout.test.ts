/**
 * `install --check` on a mailcow directory that is not a git checkout (issue 13): the git exclude
 * is not "ok" there. mailcow's update.sh updates with git and cannot run, and the admin is told so,
 * on install, on --check and in doctor; a git checkout still reports ok.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runBinary } from '../../helpers/cli-binary.js';
import { makeMailcowTree, type TestTree } from './mailcow-tree.js';

const trees: TestTree[] = [];
afterEach(async () => {
  while (trees.length) await trees.pop()!.cleanup();
});

describe('the git exclude without a git checkout', () => {
  it('install and --check warn that update.sh cannot update the directory; the install is still complete', async () => {
    const t = await makeMailcowTree({ git: false });
    trees.push(t);
    const install = await runBinary(['install', '--mailcow-dir', t.dir, '--bridge-dir', t.bridgeDir]);
    expect(install.code, install.stdout + install.stderr).toBe(0);
    expect(install.stdout).toMatch(/WARN\s+git-exclude\s+\.git\/info\/exclude/);
    const check = await runBinary(['install', '--mailcow-dir', t.dir, '--check']);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/WARN\s+git-exclude\s+\.git\/info\/exclude\n\s+not a git checkout \(no \.git\): nothing to exclude, but mailcow's update\.sh cannot update this directory/);
    expect(check.stdout).not.toMatch(/ok\s+git-exclude/);
    expect(check.stdout).toContain('Everything is installed.');
    const json = await runBinary(['install', '--mailcow-dir', t.dir, '--check', '--json']);
    expect(json.json<{ complete: boolean; reports: { piece: string; state: string }[] }>()).toMatchObject({ complete: true });
    expect(json.json<{ reports: { piece: string; state: string }[] }>().reports.find((r) => r.piece === 'git-exclude')!.state).toBe('warning');
  });

  it('a git checkout reports the exclude as ok', async () => {
    const t = await makeMailcowTree();
    trees.push(t);
    expect((await runBinary(['install', '--mailcow-dir', t.dir, '--bridge-dir', t.bridgeDir])).code).toBe(0);
    const check = await runBinary(['install', '--mailcow-dir', t.dir, '--check']);
    expect(check.stdout).toMatch(/ok\s+git-exclude\s+\.git\/info\/exclude/);
  });
});
