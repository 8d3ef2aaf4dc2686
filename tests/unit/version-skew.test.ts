/** The bridge/sidecar version comparison, its words, and the one command that fixes a skew. */
import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { BridgeVersions } from '../../server/src/rpc/bridge-versions.js';
import { compareVersions, describeVersionSkew, reinstallCommand } from '../../server/src/version-skew.js';

describe('version skew', () => {
  it('compares versions numerically, a pre-release before its release', () => {
    expect(compareVersions('1.10.0', '1.9.2')).toBe(1);
    expect(compareVersions('0.1.0', '0.1.0')).toBe(0);
    expect(compareVersions('0.1', '0.1.0')).toBe(0);
    expect(compareVersions('1.0.0-rc.1', '1.0.0')).toBe(-1);
    expect(compareVersions('1.0.0-rc.2', '1.0.0-rc.1')).toBe(1);
    expect(compareVersions('2.0.0', '10.0.0')).toBe(-1);
  });

  it('names each case and says what to run', () => {
    expect(describeVersionSkew('1.2.0', undefined)).toMatchObject({ match: 'no-bridge-seen', skew: false, problem: '', fix: '' });
    expect(describeVersionSkew('1.2.0', '1.2.0')).toMatchObject({ match: 'same', skew: false, fix: '' });
    const older = describeVersionSkew('1.2.0', '1.1.3');
    expect(older).toMatchObject({ match: 'bridge-older', skew: true, bridge: '1.1.3', sidecar: '1.2.0' });
    expect(older.problem).toContain('the sidecar was upgraded without re-running install');
    expect(older.fix).toBe(reinstallCommand());
    const newer = describeVersionSkew('1.2.0', '1.3.0', 'ghcr.io/mailcow-scim/mailcow-scim:1.2.0');
    expect(newer).toMatchObject({ match: 'bridge-newer', skew: true });
    expect(newer.problem).toContain('docker compose up -d mailcow-scim');
    expect(newer.fix).toBe('docker run --rm -v "$PWD:/mailcow" ghcr.io/mailcow-scim/mailcow-scim:1.2.0 install --mailcow-dir /mailcow && docker compose restart php-fpm-mailcow');
    expect(describeVersionSkew('1.2.0', '')).toMatchObject({ match: 'bridge-unversioned', skew: true });
  });

  it("without an image name, installs from the running sidecar container's exact image", () => {
    expect(reinstallCommand()).toBe(
      `docker run --rm -v "$PWD:/mailcow" "$(docker inspect -f '{{.Image}}' "$(docker compose ps -q mailcow-scim)")" install --mailcow-dir /mailcow && docker compose restart php-fpm-mailcow`,
    );
  });

  it('records only bridge calls, and only versions that look like one', () => {
    const changes: string[] = [];
    const seen = new BridgeVersions((v) => changes.push(v));
    const call = (agent: string, version?: string) => {
      const m = new Metadata();
      m.set('user-agent', agent);
      if (version !== undefined) m.set('mailcow-scim-bridge-version', version);
      seen.observe(m);
    };
    call('grpc-node-js/1.14.7', '9.9.9');
    expect(seen.last()).toBeUndefined();
    call('mailcow-scim-php-bridge/1', '1.2.0');
    call('mailcow-scim-php-bridge/1', '1.2.0');
    expect(seen.last()).toBe('1.2.0');
    call('mailcow-scim-php-bridge/1');
    expect(seen.last()).toBe('');
    call('mailcow-scim-php-bridge/1', '1.0 <script>');
    expect(seen.last()).toBe('');
    expect(changes).toEqual(['1.2.0', '']);
  });
});
