/**
 * An IdP-like SCIM client for the benchmark: JSON over keep-alive HTTP/1.1 connections (as
 * Entra and Okta hold them), to nginx on loopback TCP or straight to the sidecar's socket.
 */
import { Agent, request } from 'node:http';

/** Where requests go: nginx in front of the socket, or the socket itself. */
export type ScimEndpoint = { kind: 'nginx'; host: string; port: number } | { kind: 'socket'; socketPath: string };

export interface ScimReply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export class ScimClient {
  private readonly agent: Agent;

  constructor(
    private readonly endpoint: ScimEndpoint,
    private readonly secret: string,
    maxSockets = 16,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  send(method: string, path: string, body?: unknown): Promise<ScimReply> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/scim+json', authorization: `Bearer ${this.secret}`, host: 'mail.bench.example' };
    if (payload !== undefined) {
      headers['content-type'] = 'application/scim+json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const req = request({ ...requestTarget(this.endpoint), agent: this.agent, method, path: `/scim/v2${path}`, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Sends and insists on `status`; anything else stops the benchmark with the SCIM error. */
  async expect(status: number, method: string, path: string, body?: unknown): Promise<ScimReply> {
    const reply = await this.send(method, path, body);
    if (reply.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply;
  }

  close(): void {
    this.agent.destroy();
  }
}

function requestTarget(endpoint: ScimEndpoint): { host: string; port: number } | { socketPath: string } {
  return endpoint.kind === 'nginx' ? { host: endpoint.host, port: endpoint.port } : { socketPath: endpoint.socketPath };
}

/** Whether a SCIM server answers at `endpoint` (GET /ServiceProviderConfig, 200), for start-up polling. */
export function answersScim(endpoint: ScimEndpoint): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ ...requestTarget(endpoint), path: '/scim/v2/ServiceProviderConfig' }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** The filter an IdP sends before creating a user (RFC 7644 §3.4.2.2). */
export function userNameFilterPath(userName: string): string {
  return `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`;
}
