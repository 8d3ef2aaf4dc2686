/**
 * Small clients for doctor: is the SCIM socket answering, is the gRPC socket answering a real
 * health check, does nginx route /scim/v2/ to the sidecar, is /healthz green (GetStatus is in
 * rpc/status-client.ts). Each resolves to a result with a human detail and never throws; every
 * call has a timeout.
 */
import { connect as http2Connect, constants as h2 } from 'node:http2';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';

export interface ProbeResult {
  ok: boolean;
  detail: string;
  status?: number;
  body?: string;
}

const SPC_URN = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';

function get(target: { url?: URL; socketPath?: string; path?: string }, timeoutMs: number, insecure = false): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const isHttps = target.url?.protocol === 'https:';
    const options = target.socketPath
      ? { socketPath: target.socketPath, path: target.path ?? '/', method: 'GET', headers: { accept: 'application/scim+json' } }
      : {
          hostname: target.url!.hostname,
          port: target.url!.port || (isHttps ? 443 : 80),
          path: `${target.url!.pathname}${target.url!.search}`,
          method: 'GET',
          headers: { accept: 'application/scim+json', host: target.url!.host },
          ...(isHttps ? { rejectUnauthorized: !insecure, servername: target.url!.hostname } : {}),
        };
    const req = (isHttps ? httpsRequest : httpRequest)(options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (body.length < 64 * 1024) body += c;
      });
      res.on('end', () => resolve({ ok: res.statusCode === 200, status: res.statusCode, body, detail: `HTTP ${res.statusCode}` }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, detail: e.code ? `${e.code}: ${e.message}` : e.message }));
    req.end();
  });
}

function looksLikeServiceProviderConfig(body: string | undefined): boolean {
  try {
    return (JSON.parse(body ?? '') as { schemas?: string[] }).schemas?.includes(SPC_URN) === true;
  } catch {
    return false;
  }
}

/** GET /scim/v2/ServiceProviderConfig over the sidecar's HTTP socket. */
export async function probeHttpSocket(socketPath: string, timeoutMs = 3000): Promise<ProbeResult> {
  const r = await get({ socketPath, path: '/scim/v2/ServiceProviderConfig' }, timeoutMs);
  if (r.ok && !looksLikeServiceProviderConfig(r.body)) return { ...r, ok: false, detail: 'answered, but not with a SCIM ServiceProviderConfig' };
  return r.ok ? { ...r, detail: 'answers SCIM discovery' } : r;
}

/** GET <base>/ServiceProviderConfig through nginx (the URL an IdP is given). */
export async function probeScimUrl(baseUrl: string, options: { insecure?: boolean; timeoutMs?: number } = {}): Promise<ProbeResult> {
  let url: URL;
  try {
    url = new URL(`${baseUrl.replace(/\/+$/, '')}/ServiceProviderConfig`);
  } catch {
    return { ok: false, detail: `not a URL: ${baseUrl}` };
  }
  const r = await get({ url }, options.timeoutMs ?? 5000, options.insecure);
  if (r.ok && !looksLikeServiceProviderConfig(r.body)) {
    return { ...r, ok: false, detail: 'answered, but not with the sidecar\'s ServiceProviderConfig (is /scim/v2/ routed by site.scim.custom?)' };
  }
  return r.ok ? { ...r, detail: `${url.href} answers through nginx` } : r;
}

/** GET /healthz on the loopback metrics port. */
export async function probeHealthz(port: number, timeoutMs = 3000): Promise<ProbeResult> {
  const r = await get({ url: new URL(`http://127.0.0.1:${port}/healthz`) }, timeoutMs);
  if (r.status === undefined) return r;
  try {
    const h = JSON.parse(r.body ?? '{}') as { status?: string; problem?: string };
    return { ...r, detail: h.problem ? `${h.status}: ${h.problem}` : `${h.status}` };
  } catch {
    return r;
  }
}

/**
 * grpc.health.v1.Health/Check over the Unix socket, framed by hand (an empty request, 5 bytes)
 * so doctor needs no generated code: SERVING is the response message `08 01`.
 */
export function probeGrpcSocket(socketPath: string, timeoutMs = 3000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.close();
      client.destroy();
      resolve(r);
    };
    const client = http2Connect('http://localhost', { createConnection: () => netConnect(socketPath) });
    const timer = setTimeout(() => done({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
    client.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, detail: e.code ? `${e.code}: ${e.message}` : e.message }));
    const stream = client.request({
      [h2.HTTP2_HEADER_METHOD]: 'POST',
      [h2.HTTP2_HEADER_PATH]: '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const chunks: Buffer[] = [];
    let grpcStatus: string | undefined;
    stream.on('response', (headers) => {
      if (headers['grpc-status'] !== undefined) grpcStatus = String(headers['grpc-status']);
    });
    stream.on('trailers', (trailers) => {
      grpcStatus = String(trailers['grpc-status'] ?? grpcStatus);
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', (e: Error) => done({ ok: false, detail: e.message }));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      const message = body.length >= 5 ? body.subarray(5, 5 + body.readUInt32BE(1)) : Buffer.alloc(0);
      const serving = message.length >= 2 && message[0] === 0x08 && message[1] === 0x01;
      if (grpcStatus === '0' && serving) done({ ok: true, detail: 'gRPC health: SERVING' });
      else done({ ok: false, detail: `gRPC health: status ${grpcStatus ?? '?'}${serving ? '' : ', not SERVING'}` });
    });
    stream.end(Buffer.from([0, 0, 0, 0, 0]));
  });
}

