/**
 * One sidecar under test: its own benchmark database, the sidecar process, nginx in front of
 * it when nginx is installed, and an IdP-like client; torn down in the reverse order.
 */
import { BENCH_DOMAINS, createBenchDatabase, type BenchDatabase } from './bench-database.js';
import type { BenchOptions } from './bench-options.js';
import { loadRowContext } from './bench-users.js';
import type { BenchRun } from './measure.js';
import { startNginxFront, type NginxFront } from './nginx-front.js';
import { ScimClient, type ScimEndpoint } from './scim-client.js';
import { SeedDomain } from './seed-domain.js';
import { productionEnvironment, productionNodeOptions, removeSidecarDir, spawnSidecar, type SidecarProcess } from './sidecar-process.js';

export interface BenchWorld {
  db: BenchDatabase;
  sidecar: SidecarProcess;
  run: BenchRun;
  seed: SeedDomain;
  /** How requests reach the sidecar, in words. */
  path: string;
  /** NODE_OPTIONS the sidecar runs with. */
  nodeOptions?: string;
  /** Stops nginx and the sidecar (its directory, with log and profile, stays until dispose). */
  stop(): Promise<void>;
  /** stop(), then removes the sidecar's directory and drops the database (unless kept). */
  dispose(keepDatabase: boolean): Promise<void>;
}

export async function openWorld(repoRoot: string, options: Pick<BenchOptions, 'mariadbUrl' | 'noNginx'>, cpuProfile: boolean): Promise<BenchWorld> {
  const db = await createBenchDatabase(options.mariadbUrl, 16);
  let sidecar: SidecarProcess | undefined;
  let nodeOptionsNote = '';
  let front: NginxFront | undefined;
  let client: ScimClient | undefined;
  const stop = async () => {
    client?.close();
    await front?.stop();
    await sidecar?.stop();
  };
  const dispose = async (keepDatabase: boolean) => {
    await stop();
    if (sidecar) await removeSidecarDir(sidecar);
    if (!keepDatabase) await db.drop();
  };
  try {
    const nodeOptions = await productionNodeOptions(repoRoot);
    const env = await productionEnvironment(repoRoot);
    nodeOptionsNote = Object.entries(env).map(([k, v]) => ` ${k}=${v}`).join('');
    sidecar = await spawnSidecar({ repoRoot, mariadbUrl: db.url, cpuProfile, nodeOptions, env });
    let endpoint: ScimEndpoint = { kind: 'socket', socketPath: sidecar.httpSocket };
    let path = "the sidecar's HTTP socket directly";
    if (options.noNginx) path += ' (--no-nginx)';
    else {
      const started = await startNginxFront(repoRoot, sidecar.httpSocket);
      if ('skipped' in started) path += ` (${started.skipped})`;
      else {
        front = started;
        endpoint = started.endpoint;
        path = "nginx (deploy/nginx/site.scim.custom and mailcow-scim-upstream.conf, loopback TCP) → the sidecar's HTTP socket, connections kept";
      }
    }
    path += new URL(options.mariadbUrl).searchParams.has('socket') ? "; MariaDB through its Unix socket (as the image)" : '; MariaDB over loopback TCP';
    client = new ScimClient(endpoint, db.secret);
    const run: BenchRun = { pool: db.pool, client, token: db.token, rows: await loadRowContext(db.pool, db.token, BENCH_DOMAINS.seed) };
    return { db, sidecar, run, seed: new SeedDomain(run), path, nodeOptions: nodeOptions && `${nodeOptions}${nodeOptionsNote}`, stop, dispose };
  } catch (e) {
    await dispose(false);
    throw e;
  }
}
