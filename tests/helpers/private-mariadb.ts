/**
 * A MariaDB of the test's own (its data directory, socket and port), for tests that kill and
 * restart the database: the run's shared MariaDB is never stopped. Ports 33100–33199.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool } from '../../server/src/mailcow/pool.js';

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export interface PrivateMariadb {
  port: number;
  /** mysql://root@127.0.0.1:PORT (no database) */
  url: string;
  /** SIGKILL: a crash, with InnoDB's recovery at the next start. */
  kill9(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its data directory. */
  destroy(): Promise<void>;
}

export async function startPrivateMariadb(range: [number, number] = [33100, 33199]): Promise<PrivateMariadb> {
  let port = 0;
  for (let p = range[0] + Math.floor(Math.random() * (range[1] - range[0])), n = 0; n <= range[1] - range[0]; n++, p = p >= range[1] ? range[0] : p + 1) {
    if (await portIsFree(p)) {
      port = p;
      break;
    }
  }
  if (!port) throw new Error(`no free port in ${range[0]}-${range[1]}`);
  const dir = await mkdtemp(join(tmpdir(), 'mcs-mariadb-'));
  const datadir = join(dir, 'data');
  // Its own tmpdir: a mariadbd (and mariadb-install-db's bootstrap one) deletes every `#sql*`
  // file in its tmpdir at start-up, and with --no-defaults that is /tmp, where the machine's own
  // MariaDB keeps the temporary tables of queries running in other tests at that moment.
  const tmp = join(dir, 'tmp');
  await mkdir(tmp);
  const install = spawnSync('mariadb-install-db', ['--no-defaults', `--datadir=${datadir}`, `--tmpdir=${tmp}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...(process.getuid?.() === 0 ? ['--user=root'] : [])], { encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr}`);
  const url = `mysql://root@127.0.0.1:${port}`;
  let proc: ChildProcess | undefined;

  const start = async () => {
    proc = spawn(
      'mariadbd',
      [
        '--no-defaults',
        `--datadir=${datadir}`,
        `--tmpdir=${tmp}`,
        `--socket=${join(dir, 'sock')}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        '--skip-grant-tables',
        `--pid-file=${join(dir, 'pid')}`,
        `--log-error=${join(dir, 'error.log')}`,
        '--innodb-buffer-pool-size=64M',
        ...(process.getuid?.() === 0 ? ['--user=root'] : []),
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 60_000;
    for (;;) {
      const pool = createPool(url, { connectionLimit: 1 });
      try {
        await pool.query('SELECT 1');
        return;
      } catch (e) {
        if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`private MariaDB did not start: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 200));
      } finally {
        await pool.end().catch(() => undefined);
      }
    }
  };
  const kill9 = async () => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await gone;
  };
  await start();
  return {
    port,
    url,
    kill9,
    start,
    async destroy() {
      await kill9();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
