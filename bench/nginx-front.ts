/**
 * nginx in front of the sidecar, as in mailcow: a throw-away nginx with the files `mailcow-scim
 * install` puts into data/conf/nginx/ — deploy/nginx/mailcow-scim-upstream.conf rendered for the
 * benchmark's socket at http level, deploy/nginx/site.scim.custom in the server block —
 * listening on a free loopback port.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderNginxSite, renderNginxUpstream } from '../server/src/install/index.js';
import { answersScim, type ScimEndpoint } from './scim-client.js';

export interface NginxFront {
  endpoint: ScimEndpoint;
  stop(): Promise<void>;
}

function nginxBinary(): string | undefined {
  for (const bin of ['nginx', '/usr/sbin/nginx']) {
    if (spawnSync(bin, ['-v'], { stdio: 'ignore' }).status === 0) return bin;
  }
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

/** nginx in front of `httpSocket`, or the reason it could not be used. */
export async function startNginxFront(repoRoot: string, httpSocket: string): Promise<NginxFront | { skipped: string }> {
  const bin = nginxBinary();
  if (!bin) return { skipped: 'nginx is not installed' };
  const dir = await mkdtemp(join(tmpdir(), 'mcs-bench-nginx-'));
  const assets = { root: repoRoot, deployDir: join(repoRoot, 'deploy'), bridgeDir: join(repoRoot, 'php-bridge', 'src') };
  await writeFile(join(dir, 'mailcow-scim-upstream.conf'), await renderNginxUpstream(assets, httpSocket));
  await writeFile(join(dir, 'site.scim.custom'), await renderNginxSite(assets));
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) await mkdir(join(dir, sub));
  const port = await freePort();
  await writeFile(
    join(dir, 'nginx.conf'),
    `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes auto;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/mailcow-scim-upstream.conf;
  server {
    listen 127.0.0.1:${port};
    server_name mail.bench.example;
    include ${dir}/site.scim.custom;
  }
}
`,
  );
  const child = spawn(bin, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGQUIT');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  const endpoint: ScimEndpoint = { kind: 'nginx', host: '127.0.0.1', port };
  while (!(await answersScim(endpoint))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const log = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
      await stop();
      return { skipped: `nginx did not start: ${log.trim().split('\n').pop() ?? 'no log'}` };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { endpoint, stop };
}
