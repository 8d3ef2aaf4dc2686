/**
 * deploy/Dockerfile's build context is filtered by deploy/Dockerfile.dockerignore under BuildKit
 * and by the root .dockerignore under the legacy builder (which knows only that one): the two
 * must list the same patterns, or one builder sees files the other does not.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const patterns = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

describe('.dockerignore', () => {
  it('matches deploy/Dockerfile.dockerignore pattern for pattern', () => {
    const buildkit = patterns('deploy/Dockerfile.dockerignore');
    expect(buildkit.length).toBeGreaterThan(3);
    expect(patterns('.dockerignore')).toEqual(buildkit);
  });
});
