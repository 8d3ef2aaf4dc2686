/**
 * The compose override as install writes it, checked without Compose v2: valid against the
 * Compose Specification on its own and merged onto mailcow's services; every service, volume and
 * network it refers to exists; the released image is never built; Docker's stop grace outlasts
 * the sidecar's; and the `docker run` the container test derives from it says the same.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { CONFIG_DEFAULTS } from '../../../server/src/config.js';
import { mergeOverride } from '../../../server/src/install/compose-override.js';
import { wantedOverride, type ImageChoice } from '../../../server/src/install/compose-piece.js';
import { findInstallAssets } from '../../../server/src/install/index.js';
import { composeSchemaErrors, dockerRunArgs, durationSeconds, interpolate, mergeCompose } from '../../helpers/compose.js';

type Plain = Record<string, any>;

const RELEASE: ImageChoice = { source: 'release', image: 'ghcr.io/mailcow-scim/mailcow-scim:1.2.3' };
const BUILD: ImageChoice = { source: 'build', image: 'mailcow-scim:local', buildContext: '/opt/mailcow-scim' };

async function override(choice: ImageChoice): Promise<Plain> {
  return parseYaml(mergeOverride(undefined, await wantedOverride(findInstallAssets(), choice)));
}
async function mailcowCompose(): Promise<Plain> {
  return parseYaml(await readFile('tests/fixtures/mailcow-tree/docker-compose.yml', 'utf8'));
}

describe('the compose override', () => {
  it('is a valid Compose file alone and merged onto mailcow’s, for the released image and for --build', async () => {
    for (const choice of [RELEASE, BUILD]) {
      const o = await override(choice);
      expect(composeSchemaErrors(o)).toEqual([]);
      expect(composeSchemaErrors(mergeCompose(await mailcowCompose(), o))).toEqual([]);
    }
    // The validation can fail: a pull policy Compose does not know, a misspelt key.
    const broken = await override(RELEASE);
    broken.services['mailcow-scim'].pull_policy = 'sometimes';
    broken.services['mailcow-scim'].stop_grace = '20s';
    const errors = composeSchemaErrors(broken).join('\n');
    expect(errors).toMatch(/\/services\/mailcow-scim\/pull_policy must be equal to one of the allowed values/);
    expect(errors).toMatch(/\/services\/mailcow-scim must NOT have additional properties \{"additionalProperty":"stop_grace"\}/);
  });

  it('refers only to services, volumes and networks that exist once merged', async () => {
    const merged = mergeCompose(await mailcowCompose(), await override(RELEASE));
    const services = merged.services as Plain;
    for (const [name, s] of Object.entries(services)) {
      for (const dep of (s.depends_on ?? []) as string[]) expect(services, `${name} depends on ${dep}`).toHaveProperty([dep]);
      for (const v of (s.volumes ?? []) as string[]) {
        const source = v.split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/')) expect(merged.volumes, `${name} mounts ${source}`).toHaveProperty([source]);
      }
      for (const n of Object.keys((s.networks ?? {}) as Plain)) expect(merged.networks, `${name} joins ${n}`).toHaveProperty([n]);
    }
    expect(services['mailcow-scim'].depends_on).toEqual(['mysql-mailcow', 'redis-mailcow']);
  });

  it('never builds the released image (up -d and update.sh pull it), and builds a checkout only with --build', async () => {
    const released = (await override(RELEASE)).services['mailcow-scim'];
    expect(released.image).toBe(RELEASE.image);
    expect(released).not.toHaveProperty('build');
    expect(released).not.toHaveProperty('pull_policy');
    const built = (await override(BUILD)).services['mailcow-scim'];
    expect(built).toMatchObject({ image: 'mailcow-scim:local', build: { context: '/opt/mailcow-scim', dockerfile: 'deploy/Dockerfile' }, pull_policy: 'build' });
  });

  it('runs the sidecar as uid 1000 with its groups, and lets it drain before Docker kills it', async () => {
    const s = (await override(RELEASE)).services['mailcow-scim'];
    // A bare uid: "1000:1000" would drop node's supplementary groups 82 and 101.
    expect(s.user).toBe('1000');
    expect(durationSeconds(s.stop_grace_period) * 1000).toBeGreaterThan(CONFIG_DEFAULTS.shutdownGraceMs);
  });

  it('gives the container test a docker run with exactly its image, user, environment, volumes and stop grace', async () => {
    const s = interpolate((await override(RELEASE)).services['mailcow-scim'], { DBUSER: 'u', DBPASS: 'p', DBNAME: 'd', REDISPASS: 'r', MAILCOW_HOSTNAME: 'mail.example.org', TZ: 'UTC' });
    const args = dockerRunArgs(s, {
      name: 'sidecar',
      network: 'none',
      volumes: { 'mysql-socket-vol-1': '/run/mysqld', 'mailcow-scim-socket-vol-1': 'test-sockets' },
      environment: { REDIS_URL: '' },
    });
    const pairs = (flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));
    expect(pairs('--user')).toEqual(['1000']);
    expect(pairs('--stop-timeout')).toEqual(['20']);
    expect(pairs('--volume')).toEqual(['/run/mysqld:/var/run/mysqld/:z', 'test-sockets:/run/mailcow-scim/:z']);
    expect(pairs('--env')).toEqual(
      expect.arrayContaining([
        'MARIADB_URL=mysql://u:p@localhost/d?socket=/var/run/mysqld/mysqld.sock',
        'REDIS_URL=',
        'SCIM_BASE_URL=https://mail.example.org/scim/v2',
        'SKIP_SOGO=n',
        'SCIM_HTTP_SOCKET=/run/mailcow-scim/http/http.sock',
      ]),
    );
    expect(args.at(-1)).toBe(RELEASE.image);
    // A key the test does not reproduce, or a stand-in for a variable that is not there, fails.
    expect(() => dockerRunArgs({ ...s, privileged: true }, { name: 'x', network: 'none', volumes: { 'mysql-socket-vol-1': 'a', 'mailcow-scim-socket-vol-1': 'b' } })).toThrow(/privileged/);
    expect(() => dockerRunArgs(s, { name: 'x', network: 'none', volumes: { 'mysql-socket-vol-1': 'a', 'mailcow-scim-socket-vol-1': 'b' }, environment: { NOPE: '1' } })).toThrow(/NOPE/);
    expect(() => dockerRunArgs(s, { name: 'x', network: 'none', volumes: {} })).toThrow(/no stand-in for volume/);
  });

  it('interpolates like Compose', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's own ${VAR} syntax, as data
    expect(interpolate(['${A}', '${B:-dflt}', '${C-dash}', '$$D', '${E:-}x'], { A: 'a', B: '', C: '' })).toEqual(['a', 'dflt', '', '$D', 'x']);
  });
});
