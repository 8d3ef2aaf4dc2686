/** A private memcached on a free loopback port, counting the flush_all commands it receives. */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from './free-port.js';

async function command(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let out = '';
    s.on('data', (d) => {
      out += String(d);
      if (/END\r\n$|OK\r\n$|ERROR\r\n$/.test(out)) {
        s.destroy();
        resolve(out);
      }
    });
    s.on('error', reject);
    s.on('connect', () => s.write(text));
  });
}

export interface TestMemcached {
  url: string;
  /** `cmd_flush` from memcached's own stats. */
  flushes(): Promise<number>;
  stop(): Promise<void>;
}

/** On a free port, or on `port` (to bring back one a test had down). */
export async function startMemcached(fixedPort?: number): Promise<TestMemcached> {
  const port = fixedPort ?? (await freePort());
  const proc: ChildProcess = spawn('memcached', ['-l', '127.0.0.1', '-p', String(port), '-U', '0', '-u', 'root', '-m', '16'], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    try {
      await command(port, 'version\r\n'.replace('version', 'stats'));
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url: `127.0.0.1:${port}`,
    async flushes() {
      const stats = await command(port, 'stats\r\n');
      return Number(/STAT cmd_flush (\d+)/.exec(stats)?.[1] ?? NaN);
    },
    async stop() {
      proc.kill('SIGTERM');
    },
  };
}
