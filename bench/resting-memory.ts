/**
 * `npm run bench:memory`: the sidecar's resident memory at rest and after some requests, read
 * from /proc as the benchmark reads it (bench/sidecar-process.ts), without the benchmark's
 * phases: a quick, repeatable figure for what start-up loads and what a first request adds.
 *
 *   npm run bench:memory -- [--requests N] [--runs R]
 *
 * Each run starts a fresh sidecar on a fresh benchmark database with the image's NODE_OPTIONS
 * and MALLOC_ARENA_MAX, waits for it to settle, prints VmRSS, VmHWM and the anonymous/file
 * split of its resident set (smaps_rollup), then sends N creates and N lookups (8 at a time)
 * and prints them again.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { BENCH_DOMAINS, createBenchDatabase } from './bench-database.js';
import { defaultMariadbUrl } from './bench-options.js';
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

async function oneRun(repoRoot: string, mariadbUrl: string, requests: number, run: number): Promise<void> {
  const db = await createBenchDatabase(mariadbUrl, 2);
  try {
    const nodeOptions = await productionNodeOptions(repoRoot);
    const env = await productionEnvironment(repoRoot);
    const sidecar = await spawnSidecar({ repoRoot, mariadbUrl: db.url, cpuProfile: false, nodeOptions, env });
    const client = new ScimClient({ kind: 'socket', socketPath: sidecar.httpSocket }, db.secret);
    try {
      await pause(SETTLE_MS);
      process.stdout.write(`${describe(`run ${run}: at rest`, await readMemory(sidecar.pid))}\n`);
      await runConcurrently(requests, 8, async (i) => {
        const body = benchUserBody(BENCH_DOMAINS.warm, i);
        await client.expect(201, 'POST', '/Users', body);
        await client.expect(200, 'GET', userNameFilterPath(String(body.userName)));
      });
      await pause(SETTLE_MS);
      process.stdout.write(`${describe(`run ${run}: after ${requests}+${requests}`, await readMemory(sidecar.pid))}\n`);
    } finally {
      client.close();
      await sidecar.stop();
      await removeSidecarDir(sidecar);
    }
  } finally {
    await db.drop();
  }
}


const { values } = parseArgs({ options: { requests: { type: 'string', default: '100' }, runs: { type: 'string', default: '1' } } });
const repoRoot = findRepoRoot();
const mariadbUrl = process.env.MARIADB_URL ?? defaultMariadbUrl();
process.stdout.write(`NODE_OPTIONS=${(await productionNodeOptions(repoRoot)) ?? ''} ${Object.entries(await productionEnvironment(repoRoot)).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
for (let run = 1; run <= Number(values.runs); run++) await oneRun(repoRoot, mariadbUrl, Number(values.requests), run);
