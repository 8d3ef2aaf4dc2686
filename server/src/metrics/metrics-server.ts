/**
 * `/metrics` (Prometheus) and `/healthz` on SCIM_METRICS_PORT, bound to loopback only: inside the
 * container that is the Docker healthcheck's address; nothing here needs or offers auth
 * (docs/architecture.md §2). /healthz answers 200 while SCIM writes are accepted and 503 with the reason
 * otherwise (database unreachable, plugin schema behind, 'scim' missing from the ENUM).
 */
import type { Server } from 'node:http';
import { createServer } from '../node-http.js';
import { PROMETHEUS_CONTENT_TYPE } from './registry.js';
import type { SidecarMetrics } from './sidecar-metrics.js';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(metrics: SidecarMetrics, options: { port: number; host?: string }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain; charset=utf-8', 'GET only\n');
    if (path === '/metrics') {
      metrics.render().then(
        (text) => send(200, PROMETHEUS_CONTENT_TYPE, text),
        (e: Error) => send(500, 'text/plain; charset=utf-8', `metrics failed: ${e.message}\n`),
      );
      return;
    }
    if (path === '/healthz') {
      metrics.health().then(
        (h) => send(h.status === 'ok' ? 200 : 503, 'application/json; charset=utf-8', `${JSON.stringify(h)}\n`),
        (e: Error) => send(503, 'application/json; charset=utf-8', `${JSON.stringify({ status: 'down', problem: e.message })}\n`),
      );
      return;
    }
    send(404, 'text/plain; charset=utf-8', 'not found: try /metrics or /healthz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: options.host ?? '127.0.0.1' }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : options.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
