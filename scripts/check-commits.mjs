#!/usr/bin/env node
// Every commit made since this check was introduced has a subject of at most 72 characters and a
// body that says why (CONTRIBUTING.md "Commits"). The commit that added this file marks where
// the rule starts, so the older history on main, written before it, is not judged by it.
// Usage: node scripts/check-commits.mjs [RANGE]   RANGE as git log takes it (e.g. main..HEAD);
//        without one: from the commit that added this script to HEAD.
import { execFileSync } from 'node:child_process';

const SCRIPT_PATH = 'scripts/check-commits.mjs';
const MAX_SUBJECT = 72;

function git(...args) {
  return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The range to check, or a reason to check nothing. */
function defaultRange() {
  try {
    if (git('rev-parse', '--is-shallow-repository').trim() === 'true') return { skip: 'a shallow clone: the start of the rule may be missing' };
  } catch {
    return { skip: 'not a git work tree' };
  }
  const added = git('log', '--format=%H', '--diff-filter=A', '--', SCRIPT_PATH).trim().split('\n').filter(Boolean).at(-1);
  if (!added) return { skip: `${SCRIPT_PATH} is not committed yet: no commit is under the rule` };
  // The commit that added the rule is under it too (a root commit has no parent to start after).
  const parents = git('rev-list', '--parents', '-n', '1', added).trim().split(' ').slice(1);
  return { range: parents.length ? `${added}^..HEAD` : 'HEAD' };
}

function main(args) {
  const chosen = args[0] ? { range: args[0] } : defaultRange();
  if (chosen.skip) {
    console.log(`commit messages: not checked (${chosen.skip})`);
    return 0;
  }
  let log;
  try {
    log = git('log', '--no-merges', '--format=%H%x1f%s%x1f%b%x1e', chosen.range);
  } catch (e) {
    console.error(`commit messages: git log ${chosen.range} failed: ${String(e.stderr ?? e.message).trim()}`);
    return 1;
  }
  const commits = log
    .split('\x1e')
    .map((c) => c.replace(/^\n/, ''))
    .filter((c) => c.trim())
    .map((c) => {
      const [sha = '', subject = '', body = ''] = c.split('\x1f');
      return { sha: sha.slice(0, 10), subject, body: body.trim() };
    });
  const problems = commits.flatMap(({ sha, subject, body }) => [
    ...(subject.length > MAX_SUBJECT ? [`${sha} subject has ${subject.length} characters (at most ${MAX_SUBJECT}): ${subject}`] : []),
    ...(body === '' ? [`${sha} has no body saying why: ${subject}`] : []),
  ]);
  for (const p of problems) console.error(p);
  if (problems.length) {
    console.error(`commit messages: ${problems.length} problem(s) in ${chosen.range}; reword with git rebase -i (CONTRIBUTING.md "Commits")`);
    return 1;
  }
  console.log(`commit messages: ${commits.length} commit(s) in ${chosen.range} keep the rule`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
