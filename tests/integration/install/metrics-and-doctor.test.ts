/**
 * /metrics and /healthz on SCIM_METRICS_PORT of a real sidecar, and `doctor` against it: both
 * sockets answering (a real gRPC health check), health red while mailbox.authsource lacks 'scim'
 * (the sidecar refuses writes then), and green again after `doctor --repair`.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor, formatDoctorReport } from '../../../server/src/install/doctor.js';
import { HUNKS, runInstall } from '../../../server/src/install/index.js';
import { scimClient } from '../../helpers/http.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { cli, makeMailcowTree, type TestTree } from './mailcow-tree.js';
import { freePort } from '../../helpers/free-port.js';

let t: TestSidecar;
let metricsPort: number;
let tree: TestTree;
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';

function fetchLocal(path: string): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: metricsPort, path }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), text }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The value of one sample line, e.g. sample(text, 'mailcow_scim_writes_allowed'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const doctorDeps = () => ({
  pool: t.db.pool,
  tokens: t.sidecar.tokens,
  config: { httpSocket: t.httpSocket, rpcSocket: t.rpcSocket, metricsPort },
});

beforeAll(async () => {
  metricsPort = await freePort();
  t = await startTestSidecar({ env: { SCIM_METRICS_PORT: String(metricsPort) } });
  tree = await makeMailcowTree({ git: false });
});
afterAll(async () => {
  await t?.stop();
  await tree?.cleanup();
});

describe('/metrics and /healthz', () => {
  it('listens on loopback and answers health while writes are allowed', async () => {
    expect(t.sidecar.metricsPort).toBe(metricsPort);
    const h = await fetchLocal('/healthz');
    expect(h.status).toBe(200);
    expect(JSON.parse(h.text)).toMatchObject({ status: 'ok', database: { reachable: true, authsourceHasScim: true, writesAllowed: true } });
    expect((await fetchLocal('/nope')).status).toBe(404);
  });

  it('counts requests by operation and status, with latency histograms and provisioning counters', async () => {
    const token = (await t.sidecar.tokens.create('metrics', { domains: ['example.org'], defaultDomain: 'example.org' })).secret;
    const api = scimClient('http://localhost/scim/v2', token, t.httpSocket);
    expect((await api.get('/ServiceProviderConfig')).status).toBe(200);
    expect((await api.get('/ServiceProviderConfig')).status).toBe(200);
    expect((await scimClient('http://localhost/scim/v2', undefined, t.httpSocket).get('/Users')).status).toBe(401);
    expect((await api.get('/NoSuchThing')).status).toBe(404);
    const created = await api.post('/Users', { schemas: [CORE], userName: 'metrics.user@example.org' });
    expect(created.status).toBe(201);
    expect((await api.patch(`/Users/${created.body.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] })).status).toBe(200);
    expect((await api.get(`/Users/${created.body.id}`)).status).toBe(200);

    const m = await fetchLocal('/metrics');
    expect(m.status).toBe(200);
    expect(m.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = m.text;
    expect(sample(text, 'mailcow_scim_http_requests_total{operation="ServiceProviderConfig",method="GET",status="200"}')).toBe(2);
    expect(sample(text, 'mailcow_scim_http_requests_total{operation="Users.list",method="GET",status="401"}')).toBe(1);
    expect(sample(text, 'mailcow_scim_http_requests_total{operation="unmatched",method="GET",status="404"}')).toBe(1);
    expect(sample(text, 'mailcow_scim_http_requests_total{operation="Users.create",method="POST",status="201"}')).toBe(1);
    expect(sample(text, 'mailcow_scim_http_requests_total{operation="Users.get",method="GET",status="200"}')).toBe(1);
    expect(sample(text, 'mailcow_scim_provisioning_operations_total{resource="User",action="create",outcome="success"}')).toBe(1);
    expect(sample(text, 'mailcow_scim_provisioning_operations_total{resource="User",action="patch",outcome="success"}')).toBe(1);
    expect(sample(text, 'mailcow_scim_http_request_duration_seconds_count{operation="ServiceProviderConfig"}')).toBe(2);
    expect(sample(text, 'mailcow_scim_http_request_duration_seconds_bucket{operation="ServiceProviderConfig",le="+Inf"}')).toBe(2);
    expect(text).toContain('# TYPE mailcow_scim_http_request_duration_seconds histogram');
    expect(sample(text, 'mailcow_scim_db_pool_connection_limit')).toBeGreaterThan(0);
    expect(sample(text, 'mailcow_scim_db_pool_connections{state="idle"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'mailcow_scim_db_pool_queued_requests')).toBe(0);
    expect(sample(text, 'mailcow_scim_authsource_enum_ok')).toBe(1);
    expect(sample(text, 'mailcow_scim_writes_allowed')).toBe(1);
    // No personal data in the exposition: ids and addresses never become label values.
    expect(text).not.toContain('metrics.user');
    expect(text).not.toContain(created.body.id);
  });

  it('doctor sees both sockets answering, /healthz green, and the install pieces missing', async () => {
    const report = await runDoctor({ ...doctorDeps(), mailcowDir: tree.dir, assets: tree.assets });
    const status = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
    expect(status).toMatchObject({
      'database reachable': 'ok',
      "mailbox.authsource accepts 'scim'": 'ok',
      "owned mailboxes marked 'scim'": 'ok',
      'SCIM socket answering': 'ok',
      'gRPC socket answering': 'ok',
      'health endpoint green': 'ok',
      'identity provider configured': 'warn',
      'patch hunk user-login-scim-case in place': 'fail',
      'patch hunk admin-scim-tab-pane in place': 'fail',
      'nginx route answering': 'skip',
      'nginx site.scim.custom routes /scim/v2/': 'fail',
      'nginx upstream to the sidecar in place': 'fail',
    });
    // One check per hunk that is not in place, each saying what it disables.
    expect(report.checks.filter((c) => c.name.startsWith('patch hunk '))).toHaveLength(HUNKS.length);
    const text = formatDoctorReport(report).join('\n');
    expect(text).toContain(`→ run: mailcow-scim install --mailcow-dir ${tree.dir}`);
    expect(text).toContain('Without it: SCIM users cannot log in with a password');
  });

  it('doctor reports a missing or changed nginx upstream file after an install, and --repair puts it back', async () => {
    const upstreamTree = await makeMailcowTree({ git: false });
    try {
      const deps = { ...doctorDeps(), mailcowDir: upstreamTree.dir, assets: upstreamTree.assets };
      const upstream = join(upstreamTree.dir, 'data/conf/nginx/mailcow-scim-upstream.conf');
      const check = async () => (await runDoctor(deps)).checks.find((c) => c.name === 'nginx upstream to the sidecar in place');
      await runInstall({ mailcowDir: upstreamTree.dir, assets: upstreamTree.assets }, 'install');
      expect((await check())?.status).toBe('ok');

      const installed = await readFile(upstream, 'utf8');
      await writeFile(upstream, installed.replace(/keepalive_timeout \d+s;/, 'keepalive_timeout 300s;'));
      const changed = await check();
      expect(changed).toMatchObject({ status: 'fail', detail: 'data/conf/nginx/mailcow-scim-upstream.conf: outdated' });
      expect(changed?.fix).toContain('docker compose restart nginx-mailcow');

      await rm(upstream);
      expect(await check()).toMatchObject({ status: 'fail', detail: 'data/conf/nginx/mailcow-scim-upstream.conf: missing' });

      const repaired = await runDoctor(deps, true);
      expect(repaired.repairs.join('\n')).toContain('data/conf/nginx/mailcow-scim-upstream.conf');
      expect(await readFile(upstream, 'utf8')).toBe(installed);
      expect((await check())?.status).toBe('ok');
    } finally {
      await upstreamTree.cleanup();
    }
  });

  it("health goes red while mailbox.authsource lacks 'scim', writes are refused, and doctor --repair brings it back", async () => {
    // The ENUM can only lose 'scim' while no row uses it (strict mode): take the marker off first.
    await t.db.pool.query(`UPDATE mailbox SET authsource = 'mailcow' WHERE authsource = 'scim'`);
    await t.db.pool.query(`ALTER TABLE mailbox MODIFY COLUMN authsource ENUM('mailcow', 'keycloak', 'generic-oidc', 'ldap') DEFAULT 'mailcow'`);
    const h = await fetchLocal('/healthz');
    expect(h.status).toBe(503);
    const body = JSON.parse(h.text);
    expect(body.status).toBe('degraded');
    expect(body.problem).toContain("mailbox.authsource does not accept 'scim'");
    const m = (await fetchLocal('/metrics')).text;
    expect(sample(m, 'mailcow_scim_authsource_enum_ok')).toBe(0);
    expect(sample(m, 'mailcow_scim_writes_allowed')).toBe(0);

    const token = (await t.sidecar.tokens.create('refused', { domains: ['example.org'], defaultDomain: 'example.org' })).secret;
    const refused = await scimClient('http://localhost/scim/v2', token, t.httpSocket).post('/Users', { schemas: [CORE], userName: 'late@example.org' });
    expect(refused.status).toBe(503);
    expect(refused.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);

    const out = await cli({ MARIADB_URL: t.db.url, SCIM_HTTP_SOCKET: t.httpSocket, SCIM_RPC_SOCKET: t.rpcSocket }, 'doctor');
    expect(out.code).toBe(1);
    expect(out.out).toMatch(/FAIL\s+mailbox\.authsource accepts 'scim'/);
    expect(out.out).toMatch(/FAIL\s+owned mailboxes marked 'scim': 1 owned mailbox\(es\) have another authsource: metrics\.user@example\.org \(mailcow\)/);

    const repaired = await cli({ MARIADB_URL: t.db.url, SCIM_HTTP_SOCKET: t.httpSocket, SCIM_RPC_SOCKET: t.rpcSocket }, 'doctor', '--repair');
    expect(repaired.out).toContain("repaired  added 'scim' to mailbox.authsource");
    expect(repaired.out).toContain("repaired  restored authsource 'scim' on 1 owned mailbox(es)");
    expect(repaired.out).toMatch(/ok\s+mailbox\.authsource accepts 'scim'/);
    expect(repaired.out).toMatch(/ok\s+owned mailboxes marked 'scim'/);
    expect((await fetchLocal('/healthz')).status).toBe(200);
  });
});
