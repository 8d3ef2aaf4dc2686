/** A small HTTP client for SCIM tests: TCP or a Unix socket, JSON in and out, no mocking. */
import { request } from 'node:http';

export interface ScimResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface ScimRequest {
  method?: string;
  path: string;
  token?: string;
  body?: unknown;
  /** Raw body text or bytes (for malformed-input tests); wins over body. */
  raw?: string | Buffer;
  headers?: Record<string, string>;
  /** Talk to this Unix socket instead of TCP. */
  socket?: string;
}

export function scimRequest(base: string, r: ScimRequest): Promise<ScimResponse> {
  const url = new URL(base.replace(/\/$/, '') + r.path);
  const payload = r.raw ?? (r.body === undefined ? undefined : JSON.stringify(r.body));
  const headers: Record<string, string> = { accept: 'application/scim+json', ...(r.headers ?? {}) };
  if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/scim+json';
  if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
  if (r.token) headers.authorization = `Bearer ${r.token}`;
  return new Promise((resolve, reject) => {
    const req = request(
      r.socket
        ? { socketPath: r.socket, path: url.pathname + url.search, method: r.method ?? 'GET', headers }
        : { host: url.hostname, port: url.port, path: url.pathname + url.search, method: r.method ?? 'GET', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** A client bound to one sidecar and token. */
export function scimClient(base: string, token?: string, socket?: string) {
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    scimRequest(base, { method, path, body, token, socket, headers });
  return {
    get: (path: string, headers?: Record<string, string>) => call('GET', path, undefined, headers),
    post: (path: string, body: unknown, headers?: Record<string, string>) => call('POST', path, body, headers),
    put: (path: string, body: unknown, headers?: Record<string, string>) => call('PUT', path, body, headers),
    patch: (path: string, body: unknown, headers?: Record<string, string>) => call('PATCH', path, body, headers),
    delete: (path: string, headers?: Record<string, string>) => call('DELETE', path, undefined, headers),
    raw: (r: ScimRequest) => scimRequest(base, { token, socket, ...r }),
  };
}
