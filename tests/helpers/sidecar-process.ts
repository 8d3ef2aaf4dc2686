/**
 * A real sidecar in its own process (`mailcow-scim serve` over dist/, which `npm test` builds
 * first), for what an in-process sidecar cannot show: `kill -9` at any moment, two replicas on
 * one database. TCP on a free port; no sockets, no metrics unless asked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { CLI_BIN } from './cli-binary.js';

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

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
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sidecar did not start within ${options.readyTimeoutMs ?? 30_000} ms\n${stderr}`)), options.readyTimeoutMs ?? 30_000);
    child.stdout!.on('data', (c) => {
      buffered += String(c);
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === 'mailcow-scim sidecar started') {
            clearTimeout(timer);
            resolve();
          }
        } catch {
          // not a log line
        }
      }
    });
    child.stderr!.on('data', (c) => (stderr += String(c)));
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`sidecar exited (${String(how)}) before it started\n${stderr}`));
    });
  });
  await ready;
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
