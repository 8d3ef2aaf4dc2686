/**
 * Serves one fastify app on the Unix socket nginx uses and, when configured, on TCP for
 * local use. Both listeners share the same routes and hooks.
 */
import type { Server } from 'node:http';
import { createServer } from '../node-http.js';
import type { FastifyInstance } from 'fastify';
import { prepareSocketPath, removeSocketFile, setSocketMode } from '../socket-file.js';
import { answerClientError } from './error-response.js';

/**
 * How long an idle keep-alive connection stays open. nginx keeps its connections to the socket
 * (deploy/nginx/mailcow-scim-upstream.conf) and must always be the side that closes an idle one,
 * so this stays above its keepalive_timeout (60 s): a connection closed here just as nginx reuses
 * it fails that request with a 502, and nginx never retries a POST or PATCH it has sent.
 */
export const HTTP_KEEP_ALIVE_TIMEOUT_MS = 75_000;

export interface HttpListenOptions {
  socket: string;
  socketMode: number;
  port?: number;
  host: string;
}

export interface HttpListeners {
  /** The TCP address actually bound (port 0 picks a free one), if any. */
  tcpPort?: number;
  close(): Promise<void>;
}

export async function listenHttp(app: FastifyInstance, o: HttpListenOptions): Promise<HttpListeners> {
  await app.ready();
  app.server.keepAliveTimeout = HTTP_KEEP_ALIVE_TIMEOUT_MS;
  const servers: { server: Server; socket?: string }[] = [];
  let tcpPort: number | undefined;

  const bind = async (server: Server, target: { path: string } | { port: number; host: string }) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(target, () => {
        server.off('error', reject);
        resolve();
      });
    });

  if (o.socket) {
    await prepareSocketPath(o.socket);
    await bind(app.server, { path: o.socket });
    await setSocketMode(o.socket, o.socketMode);
    servers.push({ server: app.server, socket: o.socket });
  }
  if (o.port !== undefined) {
    // fastify's main server is taken by the socket when there is one; a second node server
    // hands its requests to the same router.
    const server = o.socket ? createServer((req, res) => app.routing(req, res)) : app.server;
    // fastify answers unparsable requests on its own server only; this one answers them alike.
    if (server !== app.server) {
      server.on('clientError', answerClientError);
      // Node's own default (5 s) is far below fastify's: a client reusing a connection idle for
      // longer met a reset on TCP while the socket kept it open.
      server.keepAliveTimeout = app.server.keepAliveTimeout;
    }
    await bind(server, { port: o.port, host: o.host });
    const addr = server.address();
    tcpPort = typeof addr === 'object' && addr ? addr.port : o.port;
    servers.push({ server });
  }

  return {
    tcpPort,
    async close() {
      // fastify.close() drains in-flight requests on its own server (answering 503 to new ones).
      // A keep-alive connection that finishes its request after close() began would otherwise
      // linger for the keep-alive timeout, so idle connections are swept until all are gone.
      const sweeper = setInterval(() => servers.forEach((s) => s.server.closeIdleConnections()), 100);
      const extra = servers.filter((s) => s.server !== app.server);
      await Promise.all(
        extra.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.server.close(() => resolve());
              s.server.closeIdleConnections();
            }),
        ),
      );
      await app.close();
      clearInterval(sweeper);
      for (const s of servers) if (s.socket) await removeSocketFile(s.socket);
    },
  };
}
