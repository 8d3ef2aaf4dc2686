/**
 * The image as mailcow admins run it. deploy/Dockerfile is built on a Node base image made
 * locally (scripts/base-images.sh: no registry image is pulled) and tagged as the released
 * image of this version. Then, with nothing but `docker`:
 *   - install, --check, --uninstall and doctor run from the image against a copy of
 *     tests/fixtures/mailcow-tree, keeping owners and modes;
 *   - the sidecar runs exactly as the installed override says (image, user, environment,
 *     volumes, stop grace: tests/helpers/compose.ts turns the service into `docker run`), against
 *     the machine's MariaDB through its socket (mounted like mailcow's mysql-socket-vol-1) and a
 *     tmpfs socket volume made from the override's own definition;
 *   - a real nginx (Debian's, workers as uid/gid 101) serves the installed site.scim.custom, and a
 *     real php-fpm (Debian's php8.2-fpm, www-data as 82) runs the installed PHP bridge, each with
 *     the volumes mailcow's compose file and our override give them.
 * Containers use `--network none` or the host's network, never a private address: they talk
 * through socket volumes, as they do in production. Healthchecks probe every second here instead
 * of every 30 (the command, timeout and retries are the image's).
 *
 * Skipped, with the reason in its name, when no Docker engine answers (.ci/run starts one).
 * Figures (build time, time to healthy, memory) go to test-artifacts/container-figures.json.
 */
import { chmod, chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { releaseImage } from '../../server/src/install/image-choice.js';
import { parseMailcowConf } from '../../server/src/install/mailcow-dir.js';
import { RELEASE_IMAGE_REPOSITORY, VERSION } from '../../server/src/version.js';
import { dockerRunArgs, interpolate, mergeCompose, type ServiceRun } from '../helpers/compose.js';
import { scimRequest } from '../helpers/http.js';
import { createTestDatabase, type TestDatabase } from '../helpers/mariadb.js';
import { makeMailcowTree, snapshot, type TestTree } from '../integration/install/mailcow-tree.js';
import { IDP_ROWS, setIdentityProvider } from '../integration/php-bridge/fixtures.js';
import { docker, dockerOk, engineProblem, healthStatus, memoryMiB, run, runPrefix, waitForHealth } from './docker.js';
import { containerNginxConf } from './nginx.conf.js';
import { freePort } from '../helpers/free-port.js';

type Plain = Record<string, any>;

const problem = await engineProblem();
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';
const RELEASE = releaseImage({ repository: RELEASE_IMAGE_REPOSITORY, version: VERSION });
const NEXT_VERSION = VERSION.replace(/(\d+)$/, (p) => String(Number(p) + 1));
const NEXT = releaseImage({ repository: RELEASE_IMAGE_REPOSITORY, version: NEXT_VERSION });
const MYSQL_SOCKET_DIR = process.env.MCS_MYSQL_SOCKET_DIR ?? '/run/mysqld';
const ADMIN_UID = 4321;
const HEALTH = { interval: '1s', startPeriod: '2s' };

const figures: Record<string, number | string> = {};
const prefix = runPrefix();
const containers: string[] = [];
const volumes: string[] = [];
let images: { node: string; nginx: string; php: string };
let db: TestDatabase;
let dbUser: string;
let dbPass: string;
let tree: TestTree;
let pristine: Record<string, string>;
let port: number;
let base: string;
let token: string;
const name = (what: string) => `${prefix}-${what}`;
const SIDECAR = name('sidecar');

/** `docker run --rm -v <tree>:/mailcow IMAGE …`: the documented way to run the installer. */
function fromImage(image: string, ...args: string[]) {
  return docker(['run', '--rm', '--network', 'none', '-v', `${tree.dir}:/mailcow`, image, ...args], { timeoutMs: 120_000 });
}

async function installedCompose(): Promise<Plain> {
  const conf = parseMailcowConf(await readFile(join(tree.dir, 'mailcow.conf'), 'utf8'));
  const mailcow = parseYaml(await readFile(join(tree.dir, 'docker-compose.yml'), 'utf8'));
  const override = parseYaml(await readFile(join(tree.dir, 'docker-compose.override.yml'), 'utf8'));
  return interpolate(mergeCompose(mailcow, override), conf);
}

function track(container: string): string {
  containers.push(container);
  return container;
}

async function volume(what: string, def?: Plain): Promise<string> {
  const v = name(what);
  const opts = Object.entries((def?.driver_opts ?? {}) as Record<string, string>).flatMap(([k, x]) => ['--opt', `${k}=${x}`]);
  await dockerOk(['volume', 'create', ...(def?.driver ? ['--driver', def.driver] : []), ...opts, v]);
  volumes.push(v);
  return v;
}

let socketVolume: string;
let fpmVolume: string;

/** The sidecar as the installed override runs it; the test stands in only for mailcow's network. */
async function sidecarArgs(extra: Partial<ServiceRun> = {}): Promise<string[]> {
  const compose = await installedCompose();
  return dockerRunArgs(compose.services['mailcow-scim'], {
    name: SIDECAR,
    network: 'none',
    volumes: { 'mysql-socket-vol-1': MYSQL_SOCKET_DIR, 'mailcow-scim-socket-vol-1': socketVolume },
    // redis-mailcow and memcached-mailcow are names on mailcow's network, which is not here.
    environment: { REDIS_URL: '', MEMCACHED_URL: '' },
    healthTiming: HEALTH,
    ...extra,
  });
}

async function startSidecar(): Promise<number> {
  await docker(['rm', '-f', SIDECAR]);
  const started = Date.now();
  await dockerOk(await sidecarArgs());
  track(SIDECAR);
  await waitForHealth(SIDECAR, 'healthy', 90_000);
  return Date.now() - started;
}

const scim = (r: Parameters<typeof scimRequest>[1]) => scimRequest(base, { token, ...r });

async function login(user: string, pass: string, idpPassword = pass): Promise<Plain> {
  const q = new URLSearchParams({ user, pass, idp_password: idpPassword });
  const r = await scimRequest(`http://127.0.0.1:${port}`, { path: `/mcs-login?${q}` });
  expect(r.status, r.text).toBe(200);
  return JSON.parse(r.text);
}

/** Who may connect to which socket: a probe container per uid/gid on the socket volume. */
async function probeSockets(user: string): Promise<Record<string, string>> {
  const script = `const net=require('net');const r={};const ps=['http/http.sock','rpc/rpc.sock'];let n=ps.length;
for(const p of ps){const s=net.connect('/run/mailcow-scim/'+p);const d=(v)=>{r[p]=v;s.destroy();if(--n===0)console.log(JSON.stringify(r))};s.on('connect',()=>d('ok'));s.on('error',(e)=>d(e.code))}`;
  const out = await dockerOk(['run', '--rm', '--network', 'none', '--user', user, '-v', `${socketVolume}:/run/mailcow-scim`, images.node, 'node', '-e', script]);
  return JSON.parse(out.trim());
}

async function procStatus(container: string): Promise<Record<string, string>> {
  const out = await dockerOk(['exec', container, 'cat', '/proc/1/status']);
  return Object.fromEntries(out.split('\n').filter(Boolean).map((l) => [l.split(':')[0]!, l.slice(l.indexOf(':') + 1).trim()]));
}

async function owners(rel: string): Promise<string> {
  const s = await stat(join(tree.dir, rel));
  return `${s.uid}:${s.gid} ${(s.mode & 0o7777).toString(8)}`;
}

describe.skipIf(problem !== undefined)(problem ? `container test SKIPPED: no Docker engine (${problem})` : 'the image in containers', () => {
  beforeAll(async () => {
    const t0 = Date.now();
    const baseImages = await run('bash', ['scripts/base-images.sh'], { timeoutMs: 20 * 60_000 });
    if (baseImages.code !== 0) throw new Error(`scripts/base-images.sh failed:\n${baseImages.stderr}`);
    const found = Object.fromEntries(baseImages.stdout.trim().split('\n').map((l) => l.split('=') as [string, string]));
    images = { node: found.node!, nginx: found.nginx!, php: found['php-fpm']! };
    figures.baseImagesMs = Date.now() - t0;

    // The released image of this version, built here: what `docker compose pull` would fetch.
    const t1 = Date.now();
    await dockerOk(['build', '--network', 'host', '--build-arg', `NODE_IMAGE=${images.node}`, '-f', 'deploy/Dockerfile', '-t', RELEASE, '.'], { timeoutMs: 20 * 60_000 });
    figures.imageBuildMs = Date.now() - t1;
    figures.imageSizeMB = Math.round(Number(await dockerOk(['image', 'inspect', '--format', '{{.Size}}', RELEASE])) / 1e6);
    // The next release, for upgrade and rollback: the same image with the next version.
    await dockerOk(['build', '--build-arg', `VERSION=${NEXT_VERSION}`, '-t', NEXT, '-'], {
      input: `FROM ${RELEASE}\nARG VERSION\nRUN node -e "const f='/app/package.json',fs=require('fs'),p=JSON.parse(fs.readFileSync(f));p.version=process.env.VERSION;fs.writeFileSync(f,JSON.stringify(p))"\n`,
      timeoutMs: 120_000,
    });

    // Room for the few dozen mailboxes the load step creates (mailcow's default template has ten).
    db = await createTestDatabase({ domains: [{ domain: 'example.org', mailboxes: 500, quotaMiB: 1_048_576, defquotaMiB: 1024 }] });
    // mailcow's DBUSER owns DBNAME, and reaches it over the socket (user@localhost).
    dbUser = db.name;
    dbPass = `p${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
    await db.pool.query(`CREATE USER '${dbUser}'@'localhost' IDENTIFIED BY '${dbPass}'`);
    await db.pool.query(`GRANT ALL PRIVILEGES ON \`${db.name}\`.* TO '${dbUser}'@'localhost'`);

    tree = await makeMailcowTree();
    const confPath = join(tree.dir, 'mailcow.conf');
    const conf = (await readFile(confPath, 'utf8')).replace(/^DBNAME=.*$/m, `DBNAME=${db.name}`).replace(/^DBUSER=.*$/m, `DBUSER=${dbUser}`).replace(/^DBPASS=.*$/m, `DBPASS=${dbPass}`);
    await writeFile(confPath, conf);
    // An admin's file with its own owner and mode, which install must keep.
    await chown(join(tree.dir, 'data/web/inc/functions.inc.php'), ADMIN_UID, ADMIN_UID);
    await chmod(join(tree.dir, 'data/web/inc/functions.inc.php'), 0o640);
    pristine = await snapshot(tree.dir);

    port = await freePort();
    base = `http://127.0.0.1:${port}/scim/v2`;
  }, 30 * 60_000);

  afterAll(async () => {
    for (const c of containers.reverse()) await docker(['rm', '-f', '-v', c]);
    for (const v of volumes) await docker(['volume', 'rm', '-f', v]);
    if (db) {
      await db.pool.query(`DROP USER IF EXISTS '${dbUser}'@'localhost'`).catch(() => undefined);
      await db.drop();
    }
    await tree?.cleanup();
    await mkdir('test-artifacts', { recursive: true });
    await writeFile('test-artifacts/container-figures.json', `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`container figures: ${JSON.stringify(figures)}`);
  }, 120_000);

  it('installs from the image with no Node on the host: --check, install, --check, keeping owners and modes', async () => {
    const before = await fromImage(RELEASE, 'install', '--mailcow-dir', '/mailcow', '--check');
    expect(before.code, before.stderr).toBe(1);
    expect(before.stdout).toMatch(/MISSING\s+compose\s+docker-compose\.override\.yml/);

    // --build has nothing to build from inside the image: refused, nothing written.
    const build = await fromImage(RELEASE, 'install', '--mailcow-dir', '/mailcow', '--build');
    expect(build.code).toBe(1);
    expect(build.stdout).toContain('--build needs a mailcow-scim checkout to build from');
    expect(await snapshot(tree.dir)).toEqual(pristine);

    const install = await fromImage(RELEASE, 'install', '--mailcow-dir', '/mailcow');
    expect(install.code, install.stderr + install.stdout).toBe(0);
    expect(install.stdout).toContain('Installed.');
    const check = await fromImage(RELEASE, 'install', '--mailcow-dir', '/mailcow', '--check');
    expect(check.code, check.stdout).toBe(0);
    expect(check.stdout).toContain('Everything is installed.');
    expect((await fromImage(RELEASE, 'install', '--mailcow-dir', '/mailcow')).stdout).toContain('Already installed: nothing to do.');

    // Owners and modes: the admin's file as it was; new files as their directory's (root here).
    expect(await owners('data/web/inc/functions.inc.php')).toBe(`${ADMIN_UID}:${ADMIN_UID} 640`);
    expect(await owners('data/conf/nginx/site.scim.custom')).toBe('0:0 644');
    expect(await owners('data/conf/nginx/mailcow-scim-upstream.conf')).toBe('0:0 644');
    expect(await owners('data/hooks/phpfpm/mailcow-scim-enum-guard.sh')).toBe('0:0 755');

    // The override runs the released image of this version, which nothing ever builds.
    const service = (await installedCompose()).services['mailcow-scim'];
    expect(service.image).toBe(RELEASE);
    expect(service).not.toHaveProperty('build');
    expect(service).not.toHaveProperty('pull_policy');
  });

  it('runs the sidecar as the override says: non-root with its groups, healthy, SCIM through nginx writes MariaDB', async () => {
    const compose = await installedCompose();
    socketVolume = await volume('sockets', compose.volumes['mailcow-scim-socket-vol-1']);
    fpmVolume = await volume('fpm');
    figures.timeToHealthyMs = await startSidecar();
    figures.memoryIdleMiB = Math.round(await memoryMiB(SIDECAR));

    const status = await procStatus(SIDECAR);
    expect(status.Uid!.split(/\s+/)[0]).toBe('1000');
    expect(status.Gid!.split(/\s+/)[0]).toBe('1000');
    expect(status.Groups!.split(/\s+/)).toEqual(expect.arrayContaining(['82', '101']));
    expect((await dockerOk(['exec', SIDECAR, 'stat', '-c', '%u:%g %a', '/run/mailcow-scim/http', '/run/mailcow-scim/rpc'])).trim().split('\n')).toEqual(['1000:101 2750', '1000:82 2750']);

    const nginxConf = join(tree.dir, '..', 'nginx.conf');
    await writeFile(nginxConf, containerNginxConf(port));
    await dockerOk(
      dockerRunArgs(compose.services['nginx-mailcow'], {
        name: track(name('nginx')),
        network: 'host',
        image: images.nginx,
        baseDir: tree.dir,
        volumes: { 'mailcow-scim-socket-vol-1': socketVolume },
        extra: ['-v', `${nginxConf}:/etc/nginx/nginx.conf:ro`, '-v', `${fpmVolume}:/run/mcs-fpm`],
      }),
    );
    await dockerOk(
      dockerRunArgs(compose.services['php-fpm-mailcow'], {
        name: track(name('php-fpm')),
        network: 'none',
        image: images.php,
        baseDir: tree.dir,
        volumes: { 'mysql-socket-vol-1': MYSQL_SOCKET_DIR, 'mailcow-scim-socket-vol-1': socketVolume },
        extra: [
          '-v', `${resolve('tests/container/php/www.conf')}:/etc/php/8.2/fpm/pool.d/www.conf:ro`,
          '-v', `${resolve('tests/container/php')}:/mcs-test:ro`,
          '-v', `${resolve('php-bridge/tests/Double')}:/mcs-double:ro`,
          '-v', `${fpmVolume}:/run/mcs-fpm`,
        ],
        command: ['sh', '-c', 'mkdir -p /run/php && exec php-fpm8.2 --nodaemonize --force-stderr'],
      }),
    );
    for (let i = 0; i < 100; i++) {
      const up = await scimRequest(`http://127.0.0.1:${port}`, { path: '/' }).then((r) => r.status === 404, () => false);
      if (up) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    const issued = JSON.parse(await dockerOk(['exec', SIDECAR, 'mailcow-scim', 'token', 'create', '--name', 'container-test', '--domain', 'example.org', '--json']));
    token = issued.token;
    expect(token).toBeTruthy();
    const created = await scim({ method: 'POST', path: '/Users', body: { schemas: [CORE], userName: 'ada@example.org', active: true, name: { givenName: 'Ada', familyName: 'Lovelace' } } });
    expect(created.status, created.text).toBe(201);
    expect(created.body.meta.location).toBe(`https://mail.example.org/scim/v2/Users/${created.body.id}`);
    const read = await scim({ path: `/Users/${created.body.id}` });
    expect(read.status).toBe(200);
    expect(read.body.userName).toBe('ada@example.org');
    const [rows] = await db.pool.query<mysql.RowDataPacket[]>(`SELECT username, authsource, active FROM mailbox WHERE username = 'ada@example.org'`);
    expect(rows).toEqual([{ username: 'ada@example.org', authsource: 'scim', active: 1 }]);
  });

  it('mailcow_scim_user_login() in php-fpm (www-data, 82) gets its route from the sidecar over the gRPC socket', async () => {
    await setIdentityProvider(db.pool, IDP_ROWS.ldap);
    const ok = await login('ada@example.org', 'correct horse');
    expect(ok).toMatchObject({ result: 'user', bridge: true, uid: 82, gid: 82, checks: ['ldap_mbox_login'] });
    expect(JSON.stringify(ok.return)).toContain('SCIM via LDAP');
    const wrong = await login('ada@example.org', 'wrong', 'correct horse');
    expect(wrong.result).toBe(false);
    // The route is the sidecar's: without an identity provider it denies before any check.
    await setIdentityProvider(db.pool, null);
    const denied = await login('ada@example.org', 'correct horse');
    expect(denied).toMatchObject({ result: false, checks: [] });
    expect(JSON.stringify(denied.return)).toMatch(/identity provider/i);
    await setIdentityProvider(db.pool, IDP_ROWS.ldap);
  });

  it('lets nginx (101) reach only the HTTP socket, php-fpm (82) only the gRPC one, and nobody else either', async () => {
    expect(await probeSockets('101:101')).toEqual({ 'http/http.sock': 'ok', 'rpc/rpc.sock': 'EACCES' });
    expect(await probeSockets('82:82')).toEqual({ 'http/http.sock': 'EACCES', 'rpc/rpc.sock': 'ok' });
    expect(await probeSockets('1234:1234')).toEqual({ 'http/http.sock': 'EACCES', 'rpc/rpc.sock': 'EACCES' });
    expect(await probeSockets('33:33')).toEqual({ 'http/http.sock': 'EACCES', 'rpc/rpc.sock': 'EACCES' });
  });

  it('runs doctor in the sidecar, and from the image with the checkout beside it', async () => {
    // The documented check of a running sidecar: exec, as the service's user.
    const inside = await docker(['exec', SIDECAR, 'mailcow-scim', 'doctor'], { timeoutMs: 60_000 });
    expect(inside.code, inside.stdout + inside.stderr).toBe(0);
    for (const line of ['ok    database reachable', 'ok    SCIM socket answering', 'ok    gRPC socket answering', 'ok    health endpoint green']) expect(inside.stdout).toContain(line);

    // doctor --mailcow-dir from the image, as root (the image's default for doctor, which reads
    // a root-owned checkout), beside the sidecar: its environment and volumes, its loopback.
    const compose = await installedCompose();
    const { user: _user, ...asRoot } = compose.services['mailcow-scim'];
    const args = dockerRunArgs(asRoot, {
      network: `container:${SIDECAR}`,
      volumes: { 'mysql-socket-vol-1': MYSQL_SOCKET_DIR, 'mailcow-scim-socket-vol-1': socketVolume },
      environment: { REDIS_URL: '', MEMCACHED_URL: '' },
      name: name('doctor'),
      detach: false,
      extra: ['-v', `${tree.dir}:/mailcow`],
      command: ['doctor', '--mailcow-dir', '/mailcow'],
    });
    const r = await docker(args, { timeoutMs: 120_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const line of ['ok    mailcow patch markers in place', 'ok    compose override runs the sidecar', 'ok    PHP bridge copied', 'ok    health endpoint green']) expect(r.stdout).toContain(line);
  });

  it('stays small after a few hundred requests', async () => {
    for (let i = 0; i < 40; i++) {
      const r = await scim({ method: 'POST', path: '/Users', body: { schemas: [CORE], userName: `load${i}@example.org`, active: true } });
      expect(r.status).toBe(201);
    }
    for (let round = 0; round < 26; round++) {
      const batch = await Promise.all(Array.from({ length: 10 }, (_, i) => scim({ path: `/Users?filter=${encodeURIComponent(`userName eq "load${(round + i) % 40}@example.org"`)}` })));
      for (const r of batch) expect(r.status).toBe(200);
    }
    figures.requestsServed = 300;
    figures.memoryAfterRequestsMiB = Math.round(await memoryMiB(SIDECAR));
    expect(figures.memoryAfterRequestsMiB).toBeLessThan(400);
  });

  it('turns unhealthy while MariaDB refuses its user, refuses SCIM writes meanwhile, and recovers', async () => {
    await db.pool.query(`ALTER USER '${dbUser}'@'localhost' ACCOUNT LOCK`);
    const [threads] = await db.pool.query<mysql.RowDataPacket[]>('SELECT id FROM information_schema.PROCESSLIST WHERE user = ?', [dbUser]);
    for (const t of threads) await db.pool.query(`KILL CONNECTION ${Number(t.id)}`).catch(() => undefined);
    try {
      await waitForHealth(SIDECAR, 'unhealthy', 60_000);
      const refused = await scim({ method: 'POST', path: '/Users', body: { schemas: [CORE], userName: 'while-down@example.org', active: true } });
      expect(refused.status).toBe(503);
      expect(refused.body.schemas).toEqual([ERROR_URN]);
    } finally {
      await db.pool.query(`ALTER USER '${dbUser}'@'localhost' ACCOUNT UNLOCK`);
    }
    await waitForHealth(SIDECAR, 'healthy', 60_000);
    expect((await scim({ method: 'POST', path: '/Users', body: { schemas: [CORE], userName: 'after-down@example.org', active: true } })).status).toBe(201);
  });

  it('comes back after a crash on the same volume, stale socket files and all', async () => {
    await dockerOk(['kill', '--signal', 'KILL', SIDECAR]);
    const left = await dockerOk(['run', '--rm', '--network', 'none', '-v', `${socketVolume}:/run/mailcow-scim`, images.node, 'sh', '-c', 'ls /run/mailcow-scim/http /run/mailcow-scim/rpc']);
    expect(left).toContain('http.sock');
    expect(left).toContain('rpc.sock');
    // Meanwhile: nginx answers a SCIM 502, logins are refused with the bridge's message.
    const down = await scim({ path: '/ServiceProviderConfig' });
    expect(down.status).toBe(502);
    expect(down.body.schemas).toEqual([ERROR_URN]);
    expect(JSON.stringify((await login('ada@example.org', 'correct horse')).return)).toContain('temporarily unavailable');

    const started = Date.now();
    await dockerOk(['start', SIDECAR]);
    await waitForHealth(SIDECAR, 'healthy', 90_000);
    figures.restartToHealthyMs = Date.now() - started;
    expect((await scim({ path: '/Users?count=1' })).status).toBe(200);
    expect((await login('ada@example.org', 'correct horse')).result).toBe('user');
  });

  it('drains an in-flight request on SIGTERM and exits 0 within the stop grace period', async () => {
    const grace = Number(await dockerOk(['inspect', '--format', '{{.Config.StopTimeout}}', SIDECAR]));
    expect(grace).toBe(20);
    const u = new URL(db.url);
    const locker = await mysql.createConnection({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: db.name });
    let stopped: Promise<unknown> | undefined;
    try {
      await locker.query('LOCK TABLES mailbox WRITE');
      const inFlight = scim({ method: 'POST', path: '/Users', body: { schemas: [CORE], userName: 'in-flight@example.org', active: true } });
      // The request is waiting inside MariaDB: in flight for sure.
      for (let i = 0; ; i++) {
        const [w] = await db.pool.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE user = ? AND state LIKE 'Waiting for table%lock'`, [dbUser]);
        if (Number(w[0]!.n) > 0) break;
        if (i > 100) throw new Error('the request never reached MariaDB');
        await new Promise((r) => setTimeout(r, 100));
      }
      const t0 = Date.now();
      stopped = docker(['stop', SIDECAR], { timeoutMs: 60_000 });
      await new Promise((r) => setTimeout(r, 1500));
      expect(await healthStatus(SIDECAR)).toMatch(/ running$/);
      await locker.query('UNLOCK TABLES');
      const r = await inFlight;
      expect(r.status, r.text).toBe(201);
      await stopped;
      figures.drainStopMs = Date.now() - t0;
      expect(figures.drainStopMs).toBeLessThan(grace * 1000);
      expect((await dockerOk(['inspect', '--format', '{{.State.ExitCode}} {{.State.OOMKilled}}', SIDECAR])).trim()).toBe('0 false');
      const logs = await docker(['logs', '--tail', '5', SIDECAR]);
      expect(logs.stdout + logs.stderr).toContain('SIGTERM received: draining in-flight requests');
    } finally {
      await locker.query('UNLOCK TABLES').catch(() => undefined);
      await locker.end();
      await stopped;
    }
  });

  it('starts `serve` as root (plain docker run) and drops to node, without capabilities', async () => {
    const rootVolume = await volume('sockets-root', (await installedCompose()).volumes['mailcow-scim-socket-vol-1']);
    const c = track(name('as-root'));
    const url = `mysql://${dbUser}:${dbPass}@localhost/${db.name}?socket=/var/run/mysqld/mysqld.sock`;
    await dockerOk(['run', '-d', '--name', c, '--network', 'none', '--health-interval', '1s', '--health-start-period', '2s', '-v', `${MYSQL_SOCKET_DIR}:/var/run/mysqld`, '-v', `${rootVolume}:/run/mailcow-scim`, '-e', `MARIADB_URL=${url}`, RELEASE]);
    await waitForHealth(c, 'healthy', 90_000);
    const status = await procStatus(c);
    expect(status.Uid!.split(/\s+/)).toEqual(['1000', '1000', '1000', '1000']);
    expect(status.Groups!.split(/\s+/)).toEqual(expect.arrayContaining(['82', '101']));
    expect(status.CapEff).toBe('0000000000000000');
    expect(status.CapBnd).toBe('0000000000000000');
    expect(status.NoNewPrivs).toBe('1');
    expect((await dockerOk(['exec', c, 'stat', '-c', '%u:%g %a', '/run/mailcow-scim/http', '/run/mailcow-scim/rpc'])).trim().split('\n')).toEqual(['1000:101 2750', '1000:82 2750']);
    await dockerOk(['rm', '-f', c]);
  });

  it('upgrades, pins, rolls back and uninstalls with docker runs of the image you want', async () => {
    const imageOf = async () => (await installedCompose()).services['mailcow-scim'].image;
    // Upgrade: the next release's installer writes the next release.
    expect((await fromImage(NEXT, 'install', '--mailcow-dir', '/mailcow')).code).toBe(0);
    expect(await imageOf()).toBe(NEXT);
    await startSidecar();
    expect((await dockerOk(['exec', SIDECAR, 'mailcow-scim', '--version'])).trim()).toBe(NEXT_VERSION);
    expect((await scim({ path: '/Users?count=1' })).status).toBe(200);

    // Pin: an explicit image stays, even when a newer installer runs.
    expect((await fromImage(NEXT, 'install', '--mailcow-dir', '/mailcow', '--image', RELEASE)).code).toBe(0);
    expect((await fromImage(NEXT, 'install', '--mailcow-dir', '/mailcow')).stdout).toContain('Already installed');
    expect(await imageOf()).toBe(RELEASE);
    expect((await fromImage(NEXT, 'install', '--mailcow-dir', '/mailcow', '--release')).code).toBe(0);
    expect(await imageOf()).toBe(NEXT);

    // Roll back: the earlier release's installer writes the earlier release.
    expect((await fromImage(RELEASE, 'install', '--mailcow-dir', '/mailcow')).code).toBe(0);
    expect(await imageOf()).toBe(RELEASE);
    await startSidecar();
    expect((await dockerOk(['exec', SIDECAR, 'mailcow-scim', '--version'])).trim()).toBe(VERSION);

    // Uninstall: every file as it was, owners and modes included.
    await docker(['rm', '-f', SIDECAR]);
    const removed = await fromImage(RELEASE, 'install', '--mailcow-dir', '/mailcow', '--uninstall');
    expect(removed.code, removed.stdout).toBe(0);
    expect(await snapshot(tree.dir)).toEqual(pristine);
    expect(await owners('data/web/inc/functions.inc.php')).toBe(`${ADMIN_UID}:${ADMIN_UID} 640`);
    const after = await fromImage(RELEASE, 'install', '--mailcow-dir', '/mailcow', '--check');
    expect(after.code).toBe(1);
  });
});
