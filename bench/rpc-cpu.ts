/**
 * `npm run bench:rpc-cpu`: what one RouteLogin from PHP costs each side, in deterministic terms:
 * the sidecar's CPU per call (/proc/<pid>/stat utime + stime before and after N calls), PHP's
 * own CPU per call (getrusage around bench/php/route-login.php's loop), and with `--strace` the
 * syscalls per call on each side, by thread and by name.
 *
 *   npm run bench:rpc-cpu -- [--calls N] [--rounds R] [--profile] [--strace] [--log-level L] [--compare-bridge DIR]
 *
 * One sidecar on a fresh benchmark database (an LDAP identity provider, so every call runs the
 * whole decision) with the image's NODE_OPTIONS, and PHP calling its gRPC socket through the
 * bridge's own client, one call after the other as php-fpm workers make them. The figures per
 * round are printed, then the median over the rounds.
 *
 * --compare-bridge DIR (another checkout's php-bridge/src) runs each round through both bridges,
 * in alternating order, against the same sidecar: an A/B of a bridge change.
 *
 * --strace traces the sidecar (every thread, attached for N calls) and PHP (run once with N and
 * once with 2N calls, so that PHP's start-up cancels out) and counts syscalls per call.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DOMAINS, createBenchDatabase } from './bench-database.js';
import { defaultMariadbUrl } from './bench-options.js';
import { benchUserBody } from './bench-users.js';
import { summarizeCpuProfile } from './cpu-profile.js';
import { measurePhpRouteLogin, phpBridgeMissing } from './php-route-login.js';
import { ScimClient } from './scim-client.js';
import { findRepoRoot, productionEnvironment, productionNodeOptions, removeSidecarDir, spawnSidecar } from './sidecar-process.js';
import { percentile } from './stats.js';

/** USER_HZ: /proc/<pid>/stat counts CPU time in these (100 on every Linux Node runs on). */
const TICKS_PER_SECOND = 100;
const USERS = 50;
const WARM_UP_CALLS = 500;

/** CPU time the process has used so far, ms, in user space and in the kernel. */
async function cpuMs(pid: number): Promise<{ user: number; sys: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: (Number(fields[11]) * 1000) / TICKS_PER_SECOND, sys: (Number(fields[12]) * 1000) / TICKS_PER_SECOND };
}

/** Syscall counts of an `strace -f -o` file: by thread (tid → name → count). */
async function countSyscalls(file: string): Promise<Map<number, Map<string, number>>> {
  const byThread = new Map<number, Map<string, number>>();
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    // "<tid> name(args…" starts a call; "<tid> <... name resumed>" continues one already counted.
    const m = /^(\d+)\s+([a-z0-9_]+)\(/.exec(line);
    if (!m) continue;
    const tid = Number(m[1]);
    const names = byThread.get(tid) ?? new Map<string, number>();
    names.set(m[2]!, (names.get(m[2]!) ?? 0) + 1);
    byThread.set(tid, names);
  }
  return byThread;
}

function merged(maps: Iterable<Map<string, number>>, sign = 1, into = new Map<string, number>()): Map<string, number> {
  for (const m of maps) for (const [k, v] of m) into.set(k, (into.get(k) ?? 0) + sign * v);
  return into;
}

function perCallLine(label: string, counts: Map<string, number>, calls: number): string {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const names = [...counts.entries()]
    .filter(([, v]) => v !== 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${(v / calls).toFixed(2)}`)
    .join(', ');
  return `${label.padEnd(22)} ${(total / calls).toFixed(2).padStart(6)} per call: ${names}\n`;
}

async function run(command: string, args: string[]): Promise<void> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${command} exited with ${code}`);
}

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    profile: { type: 'boolean', default: false },
    strace: { type: 'boolean', default: false },
    // What the login's log line costs: run with warn and compare (production runs info).
    'log-level': { type: 'string', default: 'info' },
    'compare-bridge': { type: 'string' },
  },
});
const calls = Number(values.calls);
const rounds = Number(values.rounds);
const repoRoot = findRepoRoot();
const missing = phpBridgeMissing(repoRoot);
if (missing) throw new Error(`cannot measure RouteLogin from PHP: ${missing}`);
if (values.strace && spawnSync('strace', ['-V'], { stdio: 'ignore' }).status !== 0) throw new Error('--strace needs strace (apt-get install strace)');

const db = await createBenchDatabase(process.env.MARIADB_URL ?? defaultMariadbUrl(), 2);
const sidecar = await spawnSidecar({
  repoRoot,
  mariadbUrl: db.url,
  cpuProfile: values.profile,
  nodeOptions: await productionNodeOptions(repoRoot),
  env: { ...(await productionEnvironment(repoRoot)), LOG_LEVEL: values['log-level'] },
});
const out = (s: string) => process.stdout.write(s);
try {
  const client = new ScimClient({ kind: 'socket', socketPath: sidecar.httpSocket }, db.secret);
  const names: string[] = [];
  for (let i = 0; i < USERS; i++) {
    const body = benchUserBody(BENCH_DOMAINS.mixed, i);
    await client.expect(201, 'POST', '/Users', body);
    names.push(String(body.userName));
  }
  client.close();
  const namesFile = join(sidecar.dir, 'route-login-usernames.txt');
  await writeFile(namesFile, names.join('\n'));
  await measurePhpRouteLogin(repoRoot, sidecar.rpcSocket, names, WARM_UP_CALLS, sidecar.dir);

  const bridges = [{ label: 'this', src: join(repoRoot, 'php-bridge', 'src') }];
  if (values['compare-bridge']) bridges.push({ label: 'other', src: values['compare-bridge'] });
  const rows: { bridge: string; sidecar: number; sidecarSys: number; php: number; phpUser: number; phpSys: number; p50: number; p99: number }[] = [];
  for (let r = 0; r < rounds * bridges.length; r++) {
    // With two bridges, AB BA AB …: neither always runs first.
    const turn = Math.floor(r / bridges.length);
    const bridge = bridges[(r + (turn % 2)) % bridges.length]!;
    const before = await cpuMs(sidecar.pid);
    const php = await measurePhpRouteLogin(repoRoot, sidecar.rpcSocket, names, calls, sidecar.dir, bridge.src);
    const after = await cpuMs(sidecar.pid);
    if ((php.routes['1'] ?? 0) !== calls) throw new Error(`expected every call to route LDAP (1), got ${JSON.stringify(php.routes)}`);
    rows.push({
      bridge: bridge.label,
      sidecar: (after.user + after.sys - before.user - before.sys) / calls,
      sidecarSys: (after.sys - before.sys) / calls,
      php: (php.cpu.userMs + php.cpu.sysMs) / calls,
      phpUser: php.cpu.userMs / calls,
      phpSys: php.cpu.sysMs / calls,
      p50: percentile(php.samples, 50),
      p99: percentile(php.samples, 99),
    });
  }
  const [load1, load5] = (await readFile('/proc/loadavg', 'utf8')).split(' ');
  out(`RouteLogin from PHP, ${rounds} rounds of ${calls} calls; CPU ms per call; load ${load1} ${load5}\n`);
  out('round  bridge  sidecar (sys)    php (user+sys)        p50 ms  p99 ms\n');
  rows.forEach((x, i) =>
    out(`${String(i + 1).padEnd(6)} ${x.bridge.padEnd(7)} ${x.sidecar.toFixed(3)} (${x.sidecarSys.toFixed(3)})  ${x.php.toFixed(3)} (${x.phpUser.toFixed(3)}+${x.phpSys.toFixed(3)})  ${x.p50.toFixed(2).padStart(6)}  ${x.p99.toFixed(2).padStart(6)}\n`),
  );
  for (const b of bridges) {
    const mine = rows.filter((x) => x.bridge === b.label);
    const med = (f: (x: (typeof rows)[number]) => number) => percentile(mine.map(f), 50).toFixed(3);
    out(`median (${b.label} bridge) sidecar ${med((x) => x.sidecar)} ms, php ${med((x) => x.php)} ms, p50 ${med((x) => x.p50)} ms, p99 ${med((x) => x.p99)} ms\n`);
  }

  if (values.strace) {
    const script = join(repoRoot, 'bench', 'php', 'route-login.php');
    const src = join(repoRoot, 'php-bridge', 'src');
    const sidecarTrace = join(sidecar.dir, 'strace-sidecar.txt');
    const tids = (await readdir(`/proc/${sidecar.pid}/task`)).map(Number);
    const tracer = spawn('strace', ['-qq', '-f', '-o', sidecarTrace, ...tids.flatMap((t) => ['-p', String(t)])], { stdio: 'ignore' });
    // Attached once every thread names a tracer.
    for (const t of tids) {
      while (!/^TracerPid:\s+[1-9]/m.test(await readFile(`/proc/${sidecar.pid}/task/${t}/status`, 'utf8'))) await new Promise((r) => setTimeout(r, 20));
    }
    const phpTrace = (n: number) => join(sidecar.dir, `strace-php-${n}.txt`);
    await run('strace', ['-qq', '-f', '-o', phpTrace(calls), 'php', script, src, sidecar.rpcSocket, String(calls), namesFile]);
    tracer.kill('SIGINT');
    await once(tracer, 'exit');
    await run('strace', ['-qq', '-f', '-o', phpTrace(2 * calls), 'php', script, src, sidecar.rpcSocket, String(2 * calls), namesFile]);

    const side = await countSyscalls(sidecarTrace);
    const main = side.get(sidecar.pid) ?? new Map<string, number>();
    const others = merged([...side.entries()].filter(([t]) => t !== sidecar.pid).map(([, m]) => m));
    const php = merged((await countSyscalls(phpTrace(calls))).values(), -1, merged((await countSyscalls(phpTrace(2 * calls))).values()));
    out(`\nsyscalls per call (strace, ${calls} calls; traces kept in ${sidecar.dir})\n`);
    out(perCallLine('sidecar main thread', main, calls));
    out(perCallLine('sidecar other threads', others, calls));
    out(perCallLine('php', php, calls));
  }
} finally {
  await sidecar.stop();
  await db.drop();
}
if (values.profile) {
  const summary = await summarizeCpuProfile(sidecar.dir, 30);
  if (summary) {
    out(`\nprofile ${summary.file} (kept), ${summary.totalMs.toFixed(0)} ms sampled\nby area:\n`);
    for (const a of summary.areas) out(`  ${a.ms.toFixed(0).padStart(7)} ms  ${a.name}\n`);
    out('by function (self):\n');
    for (const f of summary.functions) out(`  ${f.ms.toFixed(0).padStart(7)} ms  ${f.name}\n`);
  }
} else if (!values.strace) await removeSidecarDir(sidecar);
