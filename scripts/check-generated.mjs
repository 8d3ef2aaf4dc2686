#!/usr/bin/env node
// Fails when checked-in generated code differs from what `npm run generate` would write.
// It generates into a temporary directory (the work tree is never touched) and compares.
// Usage: node scripts/check-generated.mjs [--input DIR]   (DIR holds buf.yaml and proto/; default .)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const args = process.argv.slice(2);
const input = args[0] === '--input' ? args[1] : '.';
const out = mkdtempSync(join(tmpdir(), 'mcs-gen-'));
const GENERATED_DIRS = ['server/src/gen', 'php-bridge/src/Gen'];

function files(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

try {
  execFileSync('npx', ['buf', 'generate', input, '--template', 'buf.gen.yaml', '--output', out], { stdio: ['ignore', 'inherit', 'inherit'] });
  const problems = [];
  for (const dir of GENERATED_DIRS) {
    const fresh = new Map(files(join(out, dir)).map((f) => [relative(out, f), readFileSync(f, 'utf8')]));
    const committed = new Map(files(dir).map((f) => [f, readFileSync(f, 'utf8')]));
    for (const [f, text] of fresh) {
      if (!committed.has(f)) problems.push(`missing: ${f}`);
      else if (committed.get(f) !== text) problems.push(`stale: ${f}`);
    }
    for (const f of committed.keys()) if (!fresh.has(f)) problems.push(`no longer generated: ${f}`);
  }
  if (problems.length) {
    console.error(`Generated code is not current (run \`npm run generate\` and commit):\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log('generated code is current');
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
