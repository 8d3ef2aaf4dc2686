/**
 * Requests Node's HTTP parser refuses before fastify sees them (not HTTP, headers over Node's
 * limit) are answered with a SCIM error body on both listeners, the Unix socket (fastify's own
 * server) and the TCP one (a second node server handing requests to the same router).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenHttp, type HttpListeners } from '../../../server/src/http/listen.js';
import { recognizeFastifyError } from '../../../server/src/http/error-response.js';
import { buildInProcessApp, type InProcessApp } from '../../helpers/in-process-app.js';

let t: InProcessApp;
let listeners: HttpListeners;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcs-client-'));
  t = await buildInProcessApp();
  listeners = await listenHttp(t.app, { socket: join(dir, 'http.sock'), socketMode: 0o600, port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await listeners?.close();
  await rm(dir, { recursive: true, force: true });
});

function exchange(open: () => Socket, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = open();
    let text = '';
    s.on('connect', () => s.write(raw));
    s.on('data', (d) => (text += d.toString()));
    s.on('end', () => resolve(text));
    s.on('error', (e) => (text ? resolve(text) : reject(e)));
  });
}

const transports = { unix: () => connect({ path: join(dir, 'http.sock') }), tcp: () => connect({ host: '127.0.0.1', port: listeners.tcpPort! }) };

describe.each(Object.entries(transports))('over %s', (_name, open) => {
  it('not HTTP: 400 with a SCIM body', async () => {
    const text = await exchange(open, 'HELLO THERE\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text).toContain('Content-Type: application/scim+json; charset=utf-8');
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
    expect(body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', scimType: 'invalidSyntax' });
  });

  it('headers over the limit: 431 with a SCIM body', async () => {
    const text = await exchange(open, `GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).status).toBe('431');
  });

  it('a malformed percent-encoding over the wire: 400 with a SCIM body', async () => {
    const text = await exchange(open, 'GET /scim/v2/Users/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  });
});

describe("fastify's errors without an entry of their own", () => {
  it('are mapped by their status code, and a 5xx one is internal', () => {
    expect(recognizeFastifyError({ code: 'FST_ERR_SOMETHING_NEW', statusCode: 415 })?.code).toBe('unsupported_media_type');
    expect(recognizeFastifyError({ code: 'FST_ERR_SOMETHING_NEW', statusCode: 400 })?.code).toBe('malformed_request');
    expect(recognizeFastifyError({ code: 'FST_ERR_HANDLER_TIMEOUT', statusCode: 503 })?.code).toBe('unavailable');
    expect(recognizeFastifyError({ code: 'FST_ERR_BAD_STATUS_CODE', statusCode: 500 })?.code).toBe('internal');
    expect(recognizeFastifyError(new Error('not fastify'))).toBeUndefined();
  });
});
