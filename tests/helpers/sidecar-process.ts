/**
 * A real sidecar in its own process (`mailcow-scim serve` over dist/, which `npm test` builds
 * first), for what an in-process sidecar cannot show: `kill -9` at any moment, two replicas on
 * one database. TCP on a free port; no sockets, no metrics unless asked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI_BIN } from './cli-binary.js';
import { scimRequest } from './http.js';
import { freePort } from './free-port.js';

export interface SidecarProcess {
  pid: number;
  port: number;
  /** http://127.0.0.1:PORT/scim/v2 */
  baseUrl: string;
  /** Log lines written so far, parsed. */
  logs: Record<string, unknown>[];
  /** Resolves with the exit code or signal once the process is gone. */
  exited: Promise<number | string | null>;
  /** `kill -9`: no shutdown, no drain, nothing after. */
  kill9(): Promise<void>;
  /** SIGTERM and wait (graceful). */
  stop(): Promise<void>;
}

export async function startSidecarProcess(env: Record<string, string>, options: { port?: number; readyTimeoutMs?: number } = {}): Promise<SidecarProcess> {
  const port = options.port ?? (await freePort());
  const child: ChildProcess = spawn(process.execPath, [CLI_BIN, 'serve'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      SCIM_HTTP_SOCKET: '',
      SCIM_RPC_SOCKET: '',
      SCIM_HTTP_PORT: String(port),
      LOG_LEVEL: 'info',
      SCIM_SHUTDOWN_GRACE_MS: '2000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  let buffered = '';
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  child.stdout!.on('data', (c) => {
    buffered += String(c);
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      try {
        if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr!.on('data', (c) => (stderr += String(c)));
  let gone: number | string | null | undefined;
  void exited.then((how) => (gone = how ?? 'exit'));
  // Ready when SCIM answers (whatever LOG_LEVEL hides).
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (gone !== undefined) throw new Error(`sidecar exited (${String(gone)}) before it started\n${stderr}`);
    const status = await scimRequest(`http://127.0.0.1:${port}/scim/v2`, { path: '/ServiceProviderConfig' }).then((r) => r.status, () => 0);
    if (status === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sidecar did not answer within ${options.readyTimeoutMs ?? 30_000} ms\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid!,
    port,
    baseUrl: `http://127.0.0.1:${port}/scim/v2`,
    logs,
    exited,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
