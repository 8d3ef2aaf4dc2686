/**
 * Debian's real nginx, configured like mailcow's (data/conf/nginx/templates/nginx.conf.j2 and
 * sites-default.conf.j2): the installed files in a conf.d directory, `*.conf` included at http
 * level between mailcow's server blocks (so the upstream is defined after a server that uses
 * it, as in mailcow), `site.*.custom` inside each server block, real-IP from X-Forwarded-For for
 * trusted proxies, regex locations for .php/.twig and /api/v1/, and a server-wide
 * `error_page 502 @awaitingupstream`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { freePort } from '../../helpers/free-port.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findInstallAssets, renderNginxSite, renderNginxUpstream } from '../../../server/src/install/index.js';
import { scimRequest } from '../../helpers/http.js';

export interface MailcowNginx {
  dir: string;
  port: number;
  /** http://127.0.0.1:PORT/scim/v2 */
  base: string;
  process: ChildProcess;
  errorLog(): Promise<string>;
  /** Access log lines: METHOD URI STATUS upstream_connection=<the sidecar's Connection header>. */
  accessLog(): Promise<string[]>;
  stop(): Promise<void>;
}

function serverBlock(dir: string, listen: string): string {
  return `
    server {
        listen ${listen};
        server_name _;

        charset utf-8;
        override_charset on;
        add_header X-Content-Type-Options nosniff;
        add_header X-Frame-Options "SAMEORIGIN" always;
        client_max_body_size 0;
        gzip on;
        gzip_types text/plain application/json;
        absolute_redirect off;

        # mailcow trusts private ranges and TRUSTED_PROXIES; here the test client is the proxy.
        set_real_ip_from 127.0.0.1;
        real_ip_header X-Forwarded-For;
        real_ip_recursive on;

        location / { return 404 "mailcow page\\n"; }
        location ~ ^/api/v1/(.*)$ { return 418 "mailcow api\\n"; }

        include ${dir}/conf.d/site.*.custom;

        error_page 502 @awaitingupstream;
        location @awaitingupstream { return 502 "<html>mailcow is starting</html>"; }

        location ~* \\.php$ { return 404; }
        location ~* \\.twig$ { return 404; }
    }
`;
}

function nginxConf(dir: string, port: number, otherPort: number): string {
  const asRoot = process.getuid?.() === 0;
  return `${asRoot ? 'user root;\n' : ''}worker_processes 1;
error_log logs/error.log notice;
pid nginx.pid;
events { worker_connections 128; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    server_tokens off;
    # What nginx got from the sidecar (a test reads it): the Connection header of each answer.
    log_format scim '$request_method $uri $status upstream_connection=$upstream_http_connection';
    access_log logs/access.log scim;
    keepalive_timeout 65;
    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;
${serverBlock(dir, `127.0.0.1:${otherPort}`)}
    include ${dir}/conf.d/*.conf;
${serverBlock(dir, `127.0.0.1:${port}`)}
}
`;
}

/**
 * nginx in front of `socket` (which need not exist yet). `upstream` and `site` may change the
 * rendered files first (a test that shortens a timeout).
 */
export async function startMailcowNginx(
  socket: string,
  options: { upstream?: (text: string) => string; site?: (text: string) => string } = {},
): Promise<MailcowNginx> {
  const dir = await mkdtemp(join(tmpdir(), 'mcs-nginx-'));
  const port = await freePort();
  const otherPort = await freePort();
  for (const d of ['conf.d', 'logs', 'tmp']) await mkdir(join(dir, d));
  const assets = findInstallAssets();
  const upstream = await renderNginxUpstream(assets, socket);
  const site = await renderNginxSite(assets);
  await writeFile(join(dir, 'conf.d', 'site.scim.custom'), options.site ? options.site(site) : site);
  await writeFile(join(dir, 'conf.d', 'mailcow-scim-upstream.conf'), options.upstream ? options.upstream(upstream) : upstream);
  await writeFile(join(dir, 'nginx.conf'), nginxConf(dir, port, otherPort));

  const args = ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs/error.log')];
  const test = spawnSync('nginx', [...args, '-t'], { encoding: 'utf8' });
  if (test.status !== 0) throw new Error(`nginx -t failed: ${test.stderr}`);
  const child = spawn('nginx', [...args, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise((r) => child.once('exit', r));
  const base = `http://127.0.0.1:${port}/scim/v2`;
  for (let i = 0; i < 100; i++) {
    const up = await scimRequest(base, { path: '/ServiceProviderConfig' }).then(
      () => true,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    dir,
    port,
    base,
    process: child,
    errorLog: () => readFile(join(dir, 'logs/error.log'), 'utf8'),
    accessLog: async () => (await readFile(join(dir, 'logs/access.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
