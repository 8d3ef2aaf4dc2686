/** Which image the override runs: the release of the installer's version unless told otherwise, remembered choices, old manifests. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseImage, describeChoice, isBuildContext, releaseImage } from '../../../server/src/install/image-choice.js';
import { RELEASE_IMAGE_REPOSITORY, VERSION } from '../../../server/src/version.js';

const checkout = process.cwd();
const imageRoot = (() => {
  // What /app holds in the image: deploy/ and the build, no sources or lock file.
  const d = mkdtempSync(join(tmpdir(), 'mcs-app-'));
  mkdirSync(join(d, 'deploy'), { recursive: true });
  writeFileSync(join(d, 'deploy', 'Dockerfile'), 'FROM scratch\n');
  writeFileSync(join(d, 'package.json'), '{}\n');
  return d;
})();
const facts = { repository: 'ghcr.io/mailcow-scim/mailcow-scim', version: '1.4.0', codeRoot: checkout };

describe('chooseImage', () => {
  it('defaults to the released image of the installer’s own version, so the version installed is the version that ran', () => {
    expect(chooseImage({}, undefined, facts).choice).toEqual({ source: 'release', image: 'ghcr.io/mailcow-scim/mailcow-scim:1.4.0' });
    // An upgrade (or a rollback) is install from another version: the tag follows it.
    const remembered = { image: 'ghcr.io/mailcow-scim/mailcow-scim:1.3.2', imageSource: 'release' as const };
    expect(chooseImage({}, remembered, facts).choice?.image).toBe('ghcr.io/mailcow-scim/mailcow-scim:1.4.0');
    expect(chooseImage({}, remembered, { ...facts, version: '1.3.2' }).choice?.image).toBe('ghcr.io/mailcow-scim/mailcow-scim:1.3.2');
  });

  it('keeps an --image choice until --release, and --image wins over a remembered build', () => {
    const pinned = `ghcr.io/mailcow-scim/mailcow-scim:1.3.2@sha256:${'a'.repeat(64)}`;
    const first = chooseImage({ image: pinned }, undefined, facts).choice!;
    expect(first).toEqual({ source: 'image', image: pinned });
    expect(chooseImage({}, { image: pinned, imageSource: 'image' }, facts).choice).toEqual(first);
    expect(chooseImage({ release: true }, { image: pinned, imageSource: 'image' }, facts).choice?.source).toBe('release');
    expect(chooseImage({ image: 'registry.example.org/scim:2' }, { image: 'mailcow-scim:local', imageSource: 'build', buildContext: '/opt/x' }, facts).choice).toEqual({
      source: 'image',
      image: 'registry.example.org/scim:2',
    });
  });

  it('builds from this checkout, or from a --build-context taken as given (a path on the Docker host)', () => {
    expect(chooseImage({ build: true }, undefined, facts).choice).toEqual({ source: 'build', image: 'mailcow-scim:local', buildContext: checkout });
    expect(chooseImage({ buildContext: '/opt/mailcow-scim' }, undefined, { ...facts, codeRoot: imageRoot }).choice).toEqual({
      source: 'build',
      image: 'mailcow-scim:local',
      buildContext: '/opt/mailcow-scim',
    });
    expect(chooseImage({}, { image: 'mailcow-scim:local', imageSource: 'build', buildContext: '/opt/mailcow-scim' }, facts).choice?.buildContext).toBe('/opt/mailcow-scim');
  });

  it('refuses --build in the image without a checkout to build from, and contradictory flags', () => {
    expect(isBuildContext(checkout)).toBe(true);
    expect(isBuildContext(imageRoot)).toBe(false);
    expect(chooseImage({ build: true }, undefined, { ...facts, codeRoot: imageRoot }).problem).toMatch(/--build needs a mailcow-scim checkout.*--build-context DIR/);
    expect(chooseImage({ image: 'x:1', build: true }, undefined, facts).problem).toBe('--image and --build exclude each other');
    expect(chooseImage({ buildContext: '/x', release: true }, undefined, facts).problem).toBe('--build and --release exclude each other');
    expect(chooseImage({ image: 'has space' }, undefined, facts).problem).toMatch(/not an image reference/);
    expect(chooseImage({}, undefined, { ...facts, repository: '' }).problem).toMatch(/no released image name/);
  });

  it('reads manifests of versions before the image choice: a build context means build, another image means --image', () => {
    expect(chooseImage({}, { image: 'mailcow-scim:local', buildContext: '/opt/mailcow-scim' }, facts).choice).toEqual({
      source: 'build',
      image: 'mailcow-scim:local',
      buildContext: '/opt/mailcow-scim',
    });
    expect(chooseImage({}, { image: 'ghcr.io/example/mailcow-scim:1.2.3' }, facts).choice).toEqual({ source: 'image', image: 'ghcr.io/example/mailcow-scim:1.2.3' });
  });

  it('names the choice for the report, and the released name comes from package.json', () => {
    expect(RELEASE_IMAGE_REPOSITORY).toBe('ghcr.io/mailcow-scim/mailcow-scim');
    expect(releaseImage({ repository: RELEASE_IMAGE_REPOSITORY, version: VERSION })).toBe(`ghcr.io/mailcow-scim/mailcow-scim:${VERSION}`);
    expect(describeChoice({ source: 'release', image: 'r:1' })).toBe('released image r:1');
    expect(describeChoice({ source: 'build', image: 'mailcow-scim:local', buildContext: '/opt/x' })).toBe('built from /opt/x');
  });
});
