/**
 * A version skew between the PHP bridge and a real sidecar, seen where an admin looks: GetStatus
 * (the admin page), /metrics, /healthz, the log, and doctor (against an installed mailcow tree).
 * Bridge calls are made as the bridge makes them: its user agent and version metadata.
 */
import { request } from 'node:http';
import { credentials, Metadata } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusServiceClient, VersionMatch, type GetStatusResponse } from '../../../server/src/gen/mailcow/scim/v1/status.js';
import { formatDoctorReport, runDoctor } from '../../../server/src/install/doctor.js';
import { runInstall } from '../../../server/src/install/index.js';
import { VERSION } from '../../../server/src/version.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { makeMailcowTree, type TestTree } from '../install/mailcow-tree.js';
import { freePort } from '../../helpers/free-port.js';

let t: TestSidecar;
let metricsPort: number;
let tree: TestTree;
const clients: StatusServiceClient[] = [];

function fetchLocal(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: metricsPort, path }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
}

/** GetStatus as the PHP bridge calls it (or as another client, without `bridge`). */
function getStatus(bridge?: { version?: string }): Promise<GetStatusResponse> {
  const client = new StatusServiceClient(
    `unix://${t.rpcSocket}`,
    credentials.createInsecure(),
    bridge ? { 'grpc.primary_user_agent': 'mailcow-scim-php-bridge/1' } : {},
  );
  clients.push(client);
  const md = new Metadata();
  if (bridge?.version !== undefined) md.set('mailcow-scim-bridge-version', bridge.version);
  return new Promise((resolve, reject) => client.getStatus({}, md, (err, r) => (err ? reject(err) : resolve(r))));
}

const metric = (text: string, prefix: string) => text.split('\n').filter((l) => l.startsWith(prefix));

beforeAll(async () => {
  metricsPort = await freePort();
  t = await startTestSidecar({ env: { SCIM_METRICS_PORT: String(metricsPort) } });
  tree = await makeMailcowTree({ git: false });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await t?.stop();
  await tree?.cleanup();
});

describe('bridge and sidecar versions', () => {
  it('before any bridge call: nothing to compare, no skew', async () => {
    const r = await getStatus();
    expect(r.versions).toMatchObject({ sidecarVersion: VERSION, bridgeVersion: '', match: VersionMatch.VERSION_MATCH_NO_BRIDGE_SEEN, skew: false });
    const m = await fetchLocal('/metrics');
    expect(metric(m, 'mailcow_scim_version_skew ')).toEqual(['mailcow_scim_version_skew 0']);
    expect(metric(m, 'mailcow_scim_bridge_info{')).toEqual([]);
  });

  it('the same version: no skew, and the metrics say which bridge calls', async () => {
    const r = await getStatus({ version: VERSION });
    expect(r.versions).toMatchObject({ bridgeVersion: VERSION, match: VersionMatch.VERSION_MATCH_SAME, skew: false, problem: '', fix: '' });
    const m = await fetchLocal('/metrics');
    expect(metric(m, 'mailcow_scim_bridge_info{')).toEqual([`mailcow_scim_bridge_info{bridge_version="${VERSION}",sidecar_version="${VERSION}",match="same"} 1`]);
    expect(metric(m, 'mailcow_scim_version_skew ')).toEqual(['mailcow_scim_version_skew 0']);
  });

  it('an older bridge: GetStatus, /metrics, /healthz and the log show the skew and the command that fixes it', async () => {
    const r = await getStatus({ version: '0.0.1' });
    expect(r.versions).toMatchObject({ bridgeVersion: '0.0.1', match: VersionMatch.VERSION_MATCH_BRIDGE_OLDER, skew: true });
    expect(r.versions!.problem).toContain(`The PHP bridge in mailcow is 0.0.1, older than the sidecar ${VERSION}`);
    expect(r.versions!.fix).toMatch(/^docker run --rm -v "\$PWD:\/mailcow" .+ install --mailcow-dir \/mailcow && docker compose restart php-fpm-mailcow$/);
    const m = await fetchLocal('/metrics');
    expect(metric(m, 'mailcow_scim_version_skew ')).toEqual(['mailcow_scim_version_skew 1']);
    expect(metric(m, 'mailcow_scim_bridge_info{')).toEqual([`mailcow_scim_bridge_info{bridge_version="0.0.1",sidecar_version="${VERSION}",match="bridge-older"} 1`]);
    // A skew is no reason to restart the container: health stays green, and says it.
    const h = JSON.parse(await fetchLocal('/healthz'));
    expect(h).toMatchObject({ status: 'ok', bridge: { bridge: '0.0.1', match: 'bridge-older', skew: true } });
    const warned = t.logs.find((l) => l.level === 40 && l.bridgeVersion === '0.0.1');
    expect(warned?.msg).toContain('older than the sidecar');
    expect(warned?.fix).toBe(r.versions!.fix);
    // Other clients (doctor, the CLI) are not the bridge and change nothing.
    expect((await getStatus()).versions).toMatchObject({ bridgeVersion: '0.0.1', skew: true });
  });

  it('a bridge that sends no version is a skew too', async () => {
    const r = await getStatus({});
    expect(r.versions).toMatchObject({ bridgeVersion: '', match: VersionMatch.VERSION_MATCH_BRIDGE_UNVERSIONED, skew: true });
    expect(r.versions!.problem).toContain('has no version record');
  });

  it('doctor compares the installed copy with the running sidecar, and notices php-fpm still running the old one', async () => {
    const deps = { pool: t.db.pool, tokens: t.sidecar.tokens, config: { httpSocket: t.httpSocket, rpcSocket: t.rpcSocket, metricsPort }, mailcowDir: tree.dir, assets: tree.assets };
    await runInstall({ mailcowDir: tree.dir, assets: tree.assets, version: '0.0.1' }, 'install');
    const before = await runDoctor(deps);
    const skew = before.checks.find((c) => c.name === 'PHP bridge and sidecar are the same version')!;
    expect(skew.status).toBe('fail');
    expect(skew.detail).toContain(`The PHP bridge in mailcow is 0.0.1, older than the sidecar ${VERSION}`);
    expect(skew.detail).toContain(`installed copy 0.0.1, the running sidecar ${VERSION}`);
    expect(formatDoctorReport(before).join('\n')).toContain('→ docker run --rm -v "$PWD:/mailcow"');
    expect(before.ok).toBe(false);

    // Install from the sidecar's version: the copy matches, but php-fpm (opcache) still calls
    // with the old one until it restarts.
    await runInstall({ mailcowDir: tree.dir, assets: tree.assets }, 'install');
    await getStatus({ version: '0.0.1' });
    const after = await runDoctor(deps);
    expect(after.checks.find((c) => c.name === 'PHP bridge and sidecar are the same version')).toMatchObject({ status: 'ok', detail: VERSION });
    expect(after.checks.find((c) => c.name === 'php-fpm runs the installed PHP bridge')).toMatchObject({ status: 'fail', fix: 'docker compose restart php-fpm-mailcow' });

    await getStatus({ version: VERSION });
    const restarted = await runDoctor(deps);
    expect(restarted.checks.find((c) => c.name === 'php-fpm runs the installed PHP bridge')).toBeUndefined();
  });
});
