/**
 * The sidecar's version against the PHP bridge's. They ship together: the bridge is the copy
 * `mailcow-scim install` put into mailcow from the same image, and the two speak the proto of
 * that version. After an upgrade that changed only one of them (a new image started without
 * re-running install, or install run from a newer image than the one running) they differ,
 * and the one fix is to re-run install from the image the sidecar runs. Shown by GetStatus (the
 * admin page), doctor and the metrics; nothing here does I/O.
 */

type VersionMatch = 'same' | 'bridge-older' | 'bridge-newer' | 'bridge-unversioned' | 'no-bridge-seen';

export interface VersionSkew {
  sidecar: string;
  /** The bridge's version ('' when the bridge sent none, or none was seen). */
  bridge: string;
  match: VersionMatch;
  /** True while they differ (older, newer, unversioned). */
  skew: boolean;
  /** What is wrong and what it means ('' when they match). */
  problem: string;
  /** The one command that fixes it, run in the mailcow directory ('' when they match). */
  fix: string;
}

/** Compares dotted versions numerically (1.10.0 > 1.9.2); a pre-release sorts before its release. */
export function compareVersions(a: string, b: string): number {
  const split = (v: string) => {
    const [core = '', pre = ''] = v.split('+')[0]!.split(/-(.*)/s);
    return { nums: core.split('.').map((n) => Number.parseInt(n, 10) || 0), pre };
  };
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < Math.max(x.nums.length, y.nums.length); i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d) return Math.sign(d);
  }
  if (x.pre === y.pre) return 0;
  if (!x.pre) return 1;
  if (!y.pre) return -1;
  return x.pre < y.pre ? -1 : 1;
}

/**
 * The command that re-installs the bridge (and the rest) from the image the sidecar runs. With
 * no image name configured it asks Docker for the running container's exact image, so it is
 * right for a released, a pinned and a locally built image alike.
 */
export function reinstallCommand(image?: string): string {
  const ref = image ? image : `"$(docker inspect -f '{{.Image}}' "$(docker compose ps -q mailcow-scim)")"`;
  return `docker run --rm -v "$PWD:/mailcow" ${ref} install --mailcow-dir /mailcow && docker compose restart php-fpm-mailcow`;
}

/**
 * @param bridge the bridge's version: undefined when no bridge call was seen, '' when one came
 *   without a version
 * @param image the sidecar's image reference, when known (SCIM_IMAGE)
 */
export function describeVersionSkew(sidecar: string, bridge: string | undefined, image?: string): VersionSkew {
  const base = { sidecar, bridge: bridge ?? '' };
  if (bridge === undefined) return { ...base, match: 'no-bridge-seen', skew: false, problem: '', fix: '' };
  if (bridge !== '' && compareVersions(bridge, sidecar) === 0) return { ...base, match: 'same', skew: false, problem: '', fix: '' };
  const fix = reinstallCommand(image);
  const after = 'The two are released and tested together: until they match, what is new on one side may be missing or misbehave on the other.';
  if (bridge === '') {
    return {
      ...base,
      match: 'bridge-unversioned',
      skew: true,
      problem: `The PHP bridge in mailcow has no version record (it was copied before mailcow-scim recorded versions, or not by install); the sidecar is ${sidecar}. Re-run install from the sidecar's image, in the mailcow directory. ${after}`,
      fix,
    };
  }
  const older = compareVersions(bridge, sidecar) < 0;
  return {
    ...base,
    match: older ? 'bridge-older' : 'bridge-newer',
    skew: true,
    problem: older
      ? `The PHP bridge in mailcow is ${bridge}, older than the sidecar ${sidecar}: the sidecar was upgraded without re-running install. Re-run install from the sidecar's image, in the mailcow directory. ${after}`
      : `The PHP bridge in mailcow is ${bridge}, newer than the sidecar ${sidecar}: install ran from a newer image than the one running. Re-run install from the sidecar's image, in the mailcow directory (or, to upgrade, start the newer sidecar: docker compose up -d mailcow-scim). ${after}`,
    fix,
  };
}
