/**
 * The sidecar under test as a child process, started the way production starts it
 * (`node bin/mailcow-scim.js serve`, configured by environment), with its memory read from
 * /proc: VmHWM is the kernel's own record of the process's peak resident set.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { answersScim } from './scim-client.js';

export interface SidecarProcess {
  pid: number;
  httpSocket: string;
  rpcSocket: string;
  /** Where its log and (with --cpu-prof) its profile go. */
  dir: string;
  /** Peak resident set so far, bytes (VmHWM). */
  peakRssBytes(): Promise<number>;
  /** Starts a new peak: the kernel sets VmHWM to the resident set now (clear_refs 5). */
  resetPeakRss(): Promise<void>;
  /** The last `n` error lines of its log (level ≥ 50), to explain a failed request. */
  lastErrors(n: number): Promise<string[]>;
  /** Stops it with SIGTERM (a drained, clean exit, so a CPU profile gets written). */
  stop(): Promise<void>;
}

export interface SidecarSpawnOptions {
  repoRoot: string;
  mariadbUrl: string;
  /** Write a V8 CPU profile into `dir` on exit. */
  cpuProfile: boolean;
  /** NODE_OPTIONS as production sets them (productionNodeOptions). */
  nodeOptions?: string;
  /** More environment, as production sets it (productionEnvironment). */
  env?: Record<string, string>;
  /** Node flags before the script (the V8 flags NODE_OPTIONS does not accept). */
  nodeArgs?: string[];
}

/** A variable the container image sets (an `ENV NAME=…` in deploy/Dockerfile). */
async function imageEnv(repoRoot: string, name: string): Promise<string | undefined> {
  const dockerfile = await readFile(join(repoRoot, 'deploy', 'Dockerfile'), 'utf8').catch(() => '');
  const m = new RegExp(`^\\s*(?:ENV\\s+)?${name}=("[^"]*"|\\S+)`, 'm').exec(dockerfile.replace(/\\\n/g, '\n'));
  return m ? m[1]!.replace(/^"|"$/g, '') : undefined;
}

/** The NODE_OPTIONS the container image runs the sidecar with. */
export function productionNodeOptions(repoRoot: string): Promise<string | undefined> {
  return imageEnv(repoRoot, 'NODE_OPTIONS');
}

/** Variables of the image that shape memory, when it sets them: glibc's malloc and libuv's pool. */
const MEMORY_ENV = ['MALLOC_ARENA_MAX', 'MALLOC_TRIM_THRESHOLD_', 'MALLOC_MMAP_THRESHOLD_', 'MALLOC_TOP_PAD_', 'UV_THREADPOOL_SIZE'] as const;

/**
 * The rest of the image's environment that shapes memory (MEMORY_ENV), then MCS_BENCH_ENV:
 * `NAME=value` pairs, blank-separated, to try one against the image's settings.
 */
export async function productionEnvironment(repoRoot: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const name of MEMORY_ENV) {
    const value = await imageEnv(repoRoot, name);
    if (value !== undefined) env[name] = value;
  }
  const extra = (process.env.MCS_BENCH_ENV ?? '').split(/\s+/).filter((a) => a.includes('='));
  // Said every time, so that no figure taken with them passes for the image's.
  if (extra.length > 0) process.stderr.write(`sidecar environment with MCS_BENCH_ENV: ${extra.join(' ')} (not what the image runs)\n`);
  for (const pair of extra) env[pair.slice(0, pair.indexOf('='))] = pair.slice(pair.indexOf('=') + 1);
  return env;
}

/** A field of /proc/<pid>/status in bytes (the file gives kB). */
async function procStatusBytes(pid: number, field: 'VmHWM'): Promise<number> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(m[1]) * 1024;
}

/**
 * MCS_BENCH_NODE_ARGS: node flags for the sidecar child that NODE_OPTIONS refuses (V8's
 * --trace-gc, --optimize-for-size, …), to try one against the image's settings; blank-separated.
 */
function experimentNodeArgs(): string[] {
  const args = (process.env.MCS_BENCH_NODE_ARGS ?? '').split(/\s+/).filter((a) => a !== '');
  // Said on every start, so that no figure taken with them passes for the image's.
  if (args.length > 0) process.stderr.write(`sidecar started with MCS_BENCH_NODE_ARGS: ${args.join(' ')} (not what the image runs)\n`);
  return args;
}

export async function spawnSidecar(options: SidecarSpawnOptions): Promise<SidecarProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'mcs-bench-'));
  const httpSocket = join(dir, 'http.sock');
  const rpcSocket = join(dir, 'rpc.sock');
  const log = await open(join(dir, 'sidecar.log'), 'w');
  const nodeArgs = [...(options.nodeArgs ?? experimentNodeArgs()), ...(options.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [])];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, join(options.repoRoot, 'bin', 'mailcow-scim.js'), 'serve'], {
    cwd: options.repoRoot,
    env: {
      PATH: process.env.PATH,
      MARIADB_URL: options.mariadbUrl,
      SCIM_HTTP_SOCKET: httpSocket,
      SCIM_RPC_SOCKET: rpcSocket,
      // nginx's workers and PHP run as other users here; in mailcow they share the socket group.
      SCIM_SOCKET_MODE: '0666',
      LOG_LEVEL: 'info',
      // As deploy/Dockerfile runs it.
      NODE_ENV: 'production',
      ...(options.nodeOptions ? { NODE_OPTIONS: options.nodeOptions } : {}),
      ...options.env,
    },
    stdio: ['ignore', log.fd, log.fd],
  });
  const exited = once(child, 'exit');
  const deadline = Date.now() + 30_000;
  while (!(await answersScim({ kind: 'socket', socketPath: httpSocket }))) {
    if (child.exitCode !== null) throw new Error(`the sidecar exited with ${child.exitCode}; see ${join(dir, 'sidecar.log')}`);
    if (Date.now() > deadline) throw new Error(`the sidecar did not answer within 30 s; see ${join(dir, 'sidecar.log')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid!;
  let stopping: Promise<void> | undefined;
  return {
    pid,
    httpSocket,
    rpcSocket,
    dir,
    peakRssBytes: () => procStatusBytes(pid, 'VmHWM'),
    resetPeakRss: () => writeFile(`/proc/${pid}/clear_refs`, '5'),
    async lastErrors(n) {
      const text = await readFile(join(dir, 'sidecar.log'), 'utf8').catch(() => '');
      // Errors the logger wrote, and anything else (a V8 fatal error is plain text); and an exit.
      const lines = text.split('\n').filter((l) => /"level":(5|6)\d/.test(l) || (l.trim() !== '' && !l.startsWith('{'))).slice(-n);
      return child.exitCode === null && child.signalCode === null ? lines : [...lines, `exited with ${child.exitCode ?? child.signalCode}`];
    },
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null) child.kill('SIGTERM');
        await exited;
        await log.close();
      })();
      return stopping;
    },
  };
}

/** Removes the child's temporary directory (after its profile has been read). */
export async function removeSidecarDir(sidecar: SidecarProcess): Promise<void> {
  await rm(sidecar.dir, { recursive: true, force: true });
}

/** The checkout this script runs from: the folder above it that holds bin/mailcow-scim.js. */
export function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'bin', 'mailcow-scim.js'))) {
    const up = resolve(dir, '..');
    if (up === dir) throw new Error('cannot find the mailcow-scim checkout (bin/mailcow-scim.js) above the benchmark');
    dir = up;
  }
  return dir;
}
