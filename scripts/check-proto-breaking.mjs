#!/usr/bin/env node
// `buf breaking` against the contract of the last release: the newest image in proto/baseline/
// (<version>.binpb, written when a release is cut). A committed image needs neither the network
// nor release tags in the clone, so CI checks it from a plain clone.
// Usage: node scripts/check-proto-breaking.mjs [--input DIR]   check DIR (buf.yaml and proto/; default .)
//        node scripts/check-proto-breaking.mjs --write          write proto/baseline/<package version>.binpb
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BASELINES = join(ROOT, 'proto/baseline');
const BUF = join(ROOT, 'node_modules/.bin/buf');

/** 1.2.3 and 1.2.3-rc.1 as comparable parts; a pre-release sorts before its release. */
function versionKey(v) {
  const [core, pre] = v.split('-', 2);
  return [...core.split('.').map(Number), pre === undefined ? Number.POSITIVE_INFINITY : 0, pre ?? ''];
}

function compareVersions(a, b) {
  const ka = versionKey(a);
  const kb = versionKey(b);
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] < kb[i]) return -1;
    if (ka[i] > kb[i]) return 1;
  }
  return 0;
}

/** The baseline of the newest release, or undefined when there is none yet. */
function latestBaseline(dir = BASELINES) {
  if (!existsSync(dir)) return undefined;
  const versions = readdirSync(dir)
    .filter((f) => f.endsWith('.binpb'))
    .map((f) => f.slice(0, -'.binpb'.length))
    .sort(compareVersions);
  const latest = versions.at(-1);
  return latest === undefined ? undefined : { version: latest, path: join(dir, `${latest}.binpb`) };
}

function main(args) {
  if (args[0] === '--write') {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    mkdirSync(BASELINES, { recursive: true });
    const out = join(BASELINES, `${version}.binpb`);
    execFileSync(BUF, ['build', ROOT, '-o', out], { stdio: 'inherit' });
    console.log(`wrote ${out}`);
    return 0;
  }
  const input = args[0] === '--input' ? args[1] : ROOT;
  const baseline = latestBaseline();
  if (!baseline) {
    console.log('no released contract in proto/baseline/ yet: nothing to compare against');
    return 0;
  }
  try {
    execFileSync(BUF, ['breaking', input, '--against', baseline.path], { stdio: 'inherit' });
  } catch {
    console.error(`the protos break the contract of release ${baseline.version} (proto/baseline/${baseline.version}.binpb)`);
    return 1;
  }
  console.log(`protos compatible with release ${baseline.version}`);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
