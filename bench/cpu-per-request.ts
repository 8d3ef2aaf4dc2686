/**
 * `npm run bench:cpu`: the sidecar's own CPU time per request, by kind of request, read from
 * /proc/<pid>/stat (utime + stime, in clock ticks) before and after N requests of one kind.
 * Wall time on a shared machine is noisy; the CPU the sidecar process itself spent is not
 * (much), so this is the figure to compare when cutting per-request work in the sidecar.
 *
 *   npm run bench:cpu -- [--requests N] [--rounds R] [--concurrency C] [--kinds a,b] [--profile]
 *
 * One sidecar on a fresh benchmark database with the image's NODE_OPTIONS, straight on its
 * socket (no nginx: its CPU is not the sidecar's). Each round runs every kind once, in the same
 * order; the figure per kind is the median over the rounds, in ms of CPU per request.
 * Kinds: create (POST /Users), lookup (GET /Users?filter=userName eq), get (GET /Users/{id}),
 * deactivate (PATCH active=false), list100 (GET /Users?startIndex&count=100).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { BENCH_DOMAINS, createBenchDatabase } from './bench-database.js';
import { defaultMariadbUrl } from './bench-options.js';
import { benchUserBody } from './bench-users.js';
import { summarizeCpuProfile } from './cpu-profile.js';
import { ScimClient, userNameFilterPath } from './scim-client.js';
import { findRepoRoot, productionEnvironment, productionNodeOptions, removeSidecarDir, spawnSidecar } from './sidecar-process.js';
import { runConcurrently } from './stats.js';

/** USER_HZ: /proc/<pid>/stat counts CPU time in these (100 on every Linux Node runs on). */
const TICKS_PER_SECOND = 100;

/** CPU time the process has used so far, ms: in user space and in the kernel (its syscalls). */
async function cpuMs(pid: number): Promise<{ user: number; sys: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at ") ": utime is field 14.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: (Number(fields[11]) * 1000) / TICKS_PER_SECOND, sys: (Number(fields[12]) * 1000) / TICKS_PER_SECOND };
}


const KINDS = ['create', 'lookup', 'get', 'deactivate', 'list100'] as const;
type Kind = (typeof KINDS)[number];

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '4' },
    kinds: { type: 'string', default: 'create,lookup,get,deactivate,list100' },
    profile: { type: 'boolean', default: false },
  },
});
const requests = Number(values.requests);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);
const repoRoot = findRepoRoot();
const mariadbUrl = process.env.MARIADB_URL ?? defaultMariadbUrl();

const db = await createBenchDatabase(mariadbUrl, 2);
const sidecar = await spawnSidecar({
  repoRoot,
  mariadbUrl: db.url,
  cpuProfile: values.profile,
  nodeOptions: await productionNodeOptions(repoRoot),
  env: await productionEnvironment(repoRoot),
});
const client = new ScimClient({ kind: 'socket', socketPath: sidecar.httpSocket }, db.secret);
const domain = BENCH_DOMAINS.mixed;
const users: { id: string; userName: string }[] = [];
let created = 0;

const task: Record<Kind, (i: number) => Promise<void>> = {
  async create() {
    const body = benchUserBody(domain, created++);
    const reply = await client.expect(201, 'POST', '/Users', body);
    users.push({ id: reply.body.id, userName: String(body.userName) });
  },
  async lookup(i) {
    await client.expect(200, 'GET', userNameFilterPath(users[(i * 7919) % users.length]!.userName));
  },
  async get(i) {
    await client.expect(200, 'GET', `/Users/${users[(i * 7919) % users.length]!.id}`);
  },
  async deactivate(i) {
    // Alternates the user's state, so every PATCH changes something (a no-op would write nothing).
    const u = users[i % users.length]!;
    const active = Math.floor(i / users.length) % 2 === 1;
    await client.expect(200, 'PATCH', `/Users/${u.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: active }] });
  },
  async list100(i) {
    const start = 1 + ((i * 97) % Math.max(1, users.length - 99));
    await client.expect(200, 'GET', `/Users?startIndex=${start}&count=100`);
  },
};

const kinds = KINDS.filter((k) => values.kinds.split(',').includes(k));
const perKind = new Map<Kind, { total: number; user: number; sys: number }[]>(kinds.map((k) => [k, []]));
try {
  // Warm-up: the JIT and the pools, and enough users for every kind to have targets.
  await runConcurrently(200, concurrency, task.create);
  for (const k of KINDS) if (k !== 'create') await runConcurrently(100, concurrency, task[k]);
  let deactivations = 0;
  for (let r = 0; r < rounds; r++) {
    for (const k of kinds) {
      const n = k === 'list100' ? Math.max(1, Math.floor(requests / 5)) : requests;
      const before = await cpuMs(sidecar.pid);
      const offset = k === 'deactivate' ? deactivations : 0;
      await runConcurrently(n, concurrency, (i) => task[k](offset + i));
      if (k === 'deactivate') deactivations += n;
      const after = await cpuMs(sidecar.pid);
      const user = (after.user - before.user) / n;
      const sys = (after.sys - before.sys) / n;
      perKind.get(k)!.push({ total: user + sys, user, sys });
    }
  }
} catch (e) {
  // A failed request stops the run; the database goes with it (the sidecar's log stays, to read).
  client.close();
  await sidecar.stop();
  await db.drop();
  process.stderr.write(`the sidecar's log: ${sidecar.dir}/sidecar.log\n`);
  throw e;
}
client.close();
await sidecar.stop();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const [load1, load5] = (await readFile('/proc/loadavg', 'utf8')).split(' ');
process.stdout.write(`sidecar CPU ms per request, median of ${rounds} rounds of ${requests} (list100: ${Math.max(1, Math.floor(requests / 5))}) at concurrency ${concurrency}; load ${load1} ${load5}\n`);
for (const k of kinds) {
  const r = perKind.get(k)!;
  const m = (f: 'total' | 'user' | 'sys') => median(r.map((x) => x[f])).toFixed(3);
  process.stdout.write(`${k.padEnd(11)} ${m('total')} ms (user ${m('user')}, sys ${m('sys')})   rounds: ${r.map((x) => x.total.toFixed(3)).join(' ')}\n`);
}
if (values.profile) {
  const summary = await summarizeCpuProfile(sidecar.dir, 40);
  if (summary) {
    process.stdout.write(`\nprofile ${summary.file} (kept), ${summary.totalMs.toFixed(0)} ms sampled\nby area:\n`);
    for (const a of summary.areas) process.stdout.write(`  ${a.ms.toFixed(0).padStart(7)} ms  ${a.name}\n`);
    process.stdout.write('by function (self):\n');
    for (const f of summary.functions) process.stdout.write(`  ${f.ms.toFixed(0).padStart(7)} ms  ${f.name}\n`);
  }
} else await removeSidecarDir(sidecar);
await db.drop();
