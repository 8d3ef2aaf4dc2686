/**
 * `buf breaking` against the last release's contract (scripts/check-proto-breaking.mjs, run by
 * .ci/run): the protos as they are pass, and a field renumbered in a copy of them fails.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = 'scripts/check-proto-breaking.mjs';

/** A copy of buf.yaml and proto/ (without the baselines) to change. */
function copyOfProtos(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcs-breaking-'));
  cpSync('buf.yaml', join(dir, 'buf.yaml'));
  cpSync('proto', join(dir, 'proto'), { recursive: true, filter: (src) => !src.includes('baseline') });
  return dir;
}

function check(input: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [SCRIPT, '--input', input], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('buf breaking against the last release', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('passes for the protos as they are', () => {
    dir = copyOfProtos();
    const r = check(dir);
    expect(r.output).toMatch(/compatible with release \d+\.\d+\.\d+/);
    expect(r.status).toBe(0);
  }, 60_000);

  it('fails when a released field is renumbered', () => {
    dir = copyOfProtos();
    const file = join(dir, 'proto/mailcow/scim/v1/token.proto');
    const text = readFileSync(file, 'utf8');
    const renumbered = text.replace(/(message Token \{\n\s+string id = )1;/, '$199;');
    expect(renumbered).not.toBe(text);
    writeFileSync(file, renumbered);
    const r = check(dir);
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/"Token"/);
    expect(r.output).toMatch(/break the contract of release/);
  }, 60_000);
});
