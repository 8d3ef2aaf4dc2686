/**
 * The Docker engine from the container test: the CLI run without blocking the event loop, the
 * images the test builds (cached by Docker and by scripts/base-images.sh), and names unique to
 * one run, so that only what this run created is ever removed.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; never throws on a non-zero exit. */
export function run(command: string, args: string[], options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export const docker = (args: string[], options?: Parameters<typeof run>[2]) => run('docker', args, options);

/** Like docker(), but a non-zero exit is an error that shows what Docker said. */
export async function dockerOk(args: string[], options?: Parameters<typeof run>[2]): Promise<string> {
  const r = await docker(args, options);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`.slice(0, 4000));
  return r.stdout;
}

/** Why no engine can be used, or undefined when `docker info` answers. */
export async function engineProblem(): Promise<string | undefined> {
  try {
    const r = await docker(['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 });
    if (r.code === 0 && r.stdout.trim()) return undefined;
    return (r.stderr.trim().split('\n').pop() ?? `docker info exited ${r.code}`).slice(0, 300);
  } catch (e) {
    return `no docker CLI (${(e as Error).message})`;
  }
}

/** A prefix for everything one test run creates (containers, volumes). */
export function runPrefix(): string {
  return `mcs-t-${randomBytes(3).toString('hex')}`;
}

export async function healthStatus(container: string): Promise<string> {
  const r = await docker(['inspect', '--format', '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{.State.Status}}', container]);
  return r.code === 0 ? r.stdout.trim() : `gone ${r.stderr.trim()}`;
}

/** Polls the container's health until it is `want`; returns the milliseconds it took. */
export async function waitForHealth(container: string, want: 'healthy' | 'unhealthy', timeoutMs: number): Promise<number> {
  const started = Date.now();
  let last = '';
  while (Date.now() - started < timeoutMs) {
    last = await healthStatus(container);
    if (last.startsWith(`${want} `)) return Date.now() - started;
    if (last.endsWith(' exited') || last.startsWith('gone')) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const logs = await docker(['logs', '--tail', '30', container]);
  const health = await docker(['inspect', '--format', '{{json .State.Health}}', container]);
  throw new Error(`${container} is "${last}", not ${want}, after ${Date.now() - started} ms\nhealth: ${health.stdout.slice(-1500)}\nlogs:\n${logs.stdout}${logs.stderr}`);
}

/** Resident memory of a running container, in MiB (the engine's own account, as docker stats shows it). */
export async function memoryMiB(container: string): Promise<number> {
  const out = await dockerOk(['stats', '--no-stream', '--format', '{{.MemUsage}}', container]);
  const m = /^([\d.]+)\s*([KMG]i?B)/.exec(out.trim());
  if (!m) throw new Error(`docker stats: ${out}`);
  const factor: Record<string, number> = { KiB: 1 / 1024, KB: 1 / 1024, MiB: 1, MB: 1, GiB: 1024, GB: 1024 };
  return Number(m[1]) * factor[m[2]!]!;
}
