/**
 * `npm run bench:memory`: the sidecar's resident memory at rest and after some requests, read
 * from /proc as the benchmark reads it (bench/sidecar-process.ts), without the benchmark's
 * phases: a quick, repeatable figure for what start-up loads and what a first request adds.
 *
 *   npm run bench:memory -- [--requests N] [--runs R] [--smaps]
 *   npm run bench:memory -- --watch PID
 *
 * Each run starts a fresh sidecar on a fresh benchmark database with the image's NODE_OPTIONS
 * and MALLOC_ARENA_MAX, waits for it to settle, prints VmRSS, VmHWM and the anonymous/file
 * split of its resident set (smaps_rollup), then sends N creates and N lookups (8 at a time)
 * and prints them again. `--smaps` adds what the resident set is made of (bench/memory-map.ts).
 * `--watch PID` starts nothing: it follows a running process (the sidecar of `npm run bench`,
 * whose pid the benchmark prints) until it exits, and prints that breakdown as it was when the
 * resident set was highest.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { BENCH_DOMAINS, createBenchDatabase } from './bench-database.js';
import { defaultMariadbUrl } from './bench-options.js';
import { describeBreakdown, memoryBreakdown, type MemoryBreakdown } from './memory-map.js';
import { benchUserBody } from './bench-users.js';
import { ScimClient, userNameFilterPath } from './scim-client.js';
import { findRepoRoot, productionEnvironment, productionNodeOptions, removeSidecarDir, spawnSidecar } from './sidecar-process.js';
import { runConcurrently } from './stats.js';

const SETTLE_MS = 2_000;

interface MemoryLine {
  rssMB: number;
  hwmMB: number;
  anonMB: number;
  fileMB: number;
}

async function readMemory(pid: number): Promise<MemoryLine> {
  const [status, rollup] = await Promise.all([readFile(`/proc/${pid}/status`, 'utf8'), readFile(`/proc/${pid}/smaps_rollup`, 'utf8')]);
  const kB = (text: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    rssMB: kB(status, 'VmRSS') / 1024,
    hwmMB: kB(status, 'VmHWM') / 1024,
    anonMB: kB(rollup, 'Anonymous') / 1024,
    fileMB: (kB(rollup, 'Rss') - kB(rollup, 'Anonymous')) / 1024,
  };
}

function describe(label: string, m: MemoryLine): string {
  return `${label.padEnd(22)} VmRSS ${m.rssMB.toFixed(1)} MB, VmHWM ${m.hwmMB.toFixed(1)} MB (anonymous ${m.anonMB.toFixed(1)} MB, file-backed ${m.fileMB.toFixed(1)} MB)`;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function oneRun(repoRoot: string, mariadbUrl: string, requests: number, run: number, smaps: boolean): Promise<void> {
  const db = await createBenchDatabase(mariadbUrl, 2);
  try {
    const nodeOptions = await productionNodeOptions(repoRoot);
    const env = await productionEnvironment(repoRoot);
    const sidecar = await spawnSidecar({ repoRoot, mariadbUrl: db.url, cpuProfile: false, nodeOptions, env });
    const client = new ScimClient({ kind: 'socket', socketPath: sidecar.httpSocket }, db.secret);
    try {
      await pause(SETTLE_MS);
      process.stdout.write(`${describe(`run ${run}: at rest`, await readMemory(sidecar.pid))}\n`);
      if (smaps) process.stdout.write(`${describeBreakdown(await memoryBreakdown(sidecar.pid))}\n`);
      await runConcurrently(requests, 8, async (i) => {
        const body = benchUserBody(BENCH_DOMAINS.warm, i);
        await client.expect(201, 'POST', '/Users', body);
        await client.expect(200, 'GET', userNameFilterPath(String(body.userName)));
      });
      await pause(SETTLE_MS);
      process.stdout.write(`${describe(`run ${run}: after ${requests}+${requests}`, await readMemory(sidecar.pid))}\n`);
      if (smaps) process.stdout.write(`${describeBreakdown(await memoryBreakdown(sidecar.pid))}\n`);
    } finally {
      client.close();
      await sidecar.stop();
      await removeSidecarDir(sidecar);
    }
  } finally {
    await db.drop();
  }
}

/** VmRSS of a process, kB, or undefined once it is gone. */
async function rssKB(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  const m = status === undefined ? null : /^VmRSS:\s+(\d+) kB/m.exec(status);
  return m ? Number(m[1]) : undefined;
}

/**
 * Follows `pid` until it exits and prints the breakdown taken when its resident set was highest.
 * VmRSS is polled cheaply; the breakdown (smaps and pagemap) is read again only when VmRSS has
 * grown by WATCH_STEP_KB past the last one, so the peak is caught within that much.
 */
async function watch(pid: number): Promise<void> {
  const WATCH_STEP_KB = 512;
  let best: MemoryBreakdown | undefined;
  let last = 0;
  const started = Date.now();
  for (;;) {
    const rss = await rssKB(pid);
    if (rss === undefined) break;
    if (rss >= last + WATCH_STEP_KB) {
      const b = await memoryBreakdown(pid).catch(() => undefined);
      if (b && b.rssKB > (best?.rssKB ?? 0)) {
        best = b;
        process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1)} s] VmRSS ${((b.rssKB * 1024) / 1e6).toFixed(1)} MB\n`);
      }
      last = rss;
    }
    await pause(100);
  }
  process.stdout.write(best ? `process ${pid} at its highest resident set seen:\n${describeBreakdown(best)}\n` : `process ${pid} is gone\n`);
}

const { values } = parseArgs({
  options: { requests: { type: 'string', default: '100' }, runs: { type: 'string', default: '1' }, smaps: { type: 'boolean', default: false }, watch: { type: 'string' } },
});
if (values.watch !== undefined) await watch(Number(values.watch));
else {
  const repoRoot = findRepoRoot();
  const mariadbUrl = process.env.MARIADB_URL ?? defaultMariadbUrl();
  process.stdout.write(`NODE_OPTIONS=${(await productionNodeOptions(repoRoot)) ?? ''} ${Object.entries(await productionEnvironment(repoRoot)).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
  for (let run = 1; run <= Number(values.runs); run++) await oneRun(repoRoot, mariadbUrl, Number(values.requests), run, values.smaps);
}
