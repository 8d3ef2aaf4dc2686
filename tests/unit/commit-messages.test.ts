/**
 * scripts/check-commits.mjs (run by .ci/run) in a scratch repository: commits from before the
 * check was added are not judged, later ones need a subject of at most 72 characters and a body.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = resolve('scripts/check-commits.mjs');

describe('commit message check', { timeout: 60_000 }, () => {
  let repo = '';
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, encoding: 'utf8' });
  const commit = (file: string, message: string) => {
    mkdirSync(join(repo, file, '..'), { recursive: true });
    writeFileSync(join(repo, file), `${file} ${message}\n`);
    git('add', file);
    git('commit', '-q', '-m', message);
  };
  const check = (...args: string[]) => {
    const r = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: repo, encoding: 'utf8' });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  };

  function repoWithOldHistory(): void {
    repo = mkdtempSync(join(tmpdir(), 'mcs-commits-'));
    git('init', '-q', '-b', 'main');
    // Older history, written before the rule: a long subject and no body.
    commit('a.txt', `An old subject that goes on and on well beyond the seventy-two character limit`);
    commit('scripts/check-commits.mjs', 'Check commit messages\n\nSo that every commit says why.');
  }

  it('passes when every commit since the check keeps the rule, whatever came before', () => {
    repoWithOldHistory();
    commit('b.txt', 'A short subject\n\nA body that says why.');
    const r = check();
    expect(r.output).toMatch(/2 commit\(s\) in .* keep the rule/);
    expect(r.status).toBe(0);
  });

  it('fails on a later commit with a long subject or without a body', () => {
    repoWithOldHistory();
    commit('c.txt', `${'x'.repeat(73)}\n\nbody`);
    commit('d.txt', 'No body here');
    const r = check();
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/subject has 73 characters/);
    expect(r.output).toMatch(/has no body saying why: No body here/);
    expect(r.output).not.toMatch(/An old subject/);
  });

  it('checks a range it is given, old history included', () => {
    repoWithOldHistory();
    const r = check('HEAD');
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/An old subject/);
  });
});
