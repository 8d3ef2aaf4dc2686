/**
 * Starts a real sidecar for a test file: its own database with mailcow's schema, sockets in
 * a fresh temporary directory (so parallel files never collide), TCP on a free port.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../server/src/config.js';
import { createLogger } from '../../server/src/logging.js';
import { startSidecar, type Sidecar } from '../../server/src/main.js';
import type { NewDomain } from '../../server/src/mailcow/domains.js';
import { createTestDatabase, type TestDatabase } from './mariadb.js';

export interface TestSidecar {
  db: TestDatabase;
  sidecar: Sidecar;
  config: Config;
  dir: string;
  httpSocket: string;
  rpcSocket: string;
  /** http://127.0.0.1:PORT/scim/v2 */
  baseUrl: string;
  /** Every log line the sidecar wrote, parsed. */
  logs: Record<string, unknown>[];
  /** Raw log text, for "this secret never appears" checks. */
  logText(): string;
  stop(): Promise<void>;
}

export async function startTestSidecar(
  options: { domains?: NewDomain[]; env?: Record<string, string>; db?: TestDatabase } = {},
): Promise<TestSidecar> {
  const db = options.db ?? (await createTestDatabase({ domains: options.domains ?? [{ domain: 'example.org' }] }));
  const dir = await mkdtemp(join(tmpdir(), 'mcs-'));
  const httpSocket = join(dir, 'http.sock');
  const rpcSocket = join(dir, 'rpc.sock');
  const config = loadConfig(
    { MARIADB_URL: db.url, SCIM_HTTP_SOCKET: httpSocket, SCIM_RPC_SOCKET: rpcSocket, LOG_LEVEL: 'debug', SCIM_SHUTDOWN_GRACE_MS: '2000', ...options.env },
    { httpPort: 0 },
  );
  const logs: Record<string, unknown>[] = [];
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      const text = String(chunk);
      chunks.push(text);
      for (const line of text.split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger({ level: config.logLevel, destination: sink as never });
  const sidecar = await startSidecar(config, logger);
  return {
    db,
    sidecar,
    config,
    dir,
    httpSocket,
    rpcSocket,
    baseUrl: `http://127.0.0.1:${sidecar.httpPort}/scim/v2`,
    logs,
    logText: () => chunks.join(''),
    async stop() {
      await sidecar.stop();
      await rm(dir, { recursive: true, force: true });
      if (!options.db) await db.drop();
    },
  };
}
