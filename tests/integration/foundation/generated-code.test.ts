import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcs-proto-'));
  await cp('proto', join(dir, 'proto'), { recursive: true });
  await cp('buf.yaml', join(dir, 'buf.yaml'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function check(): Promise<{ code: number; out: string }> {
  try {
    const r = await run('node', ['scripts/check-generated.mjs', '--input', dir]);
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

describe('the stale-generated-code check', () => {
  it('passes on the committed protos', async () => {
    expect(await check()).toMatchObject({ code: 0 });
  });

  it('fails when a .proto changed and generate was not run', async () => {
    const file = join(dir, 'proto/mailcow/scim/v1/status.proto');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('message GetStatusRequest {}', 'message GetStatusRequest {\n  bool verbose = 1;\n}'));
    const r = await check();
    expect(r.code).toBe(1);
    expect(r.out).toContain('stale: server/src/gen/mailcow/scim/v1/status.ts');
  });
});
