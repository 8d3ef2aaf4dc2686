/**
 * A body over the limit is answered 413, and the client reads that 413 even while it is still
 * sending the body: over TCP and the Unix socket, with Content-Length and chunked framing, with
 * and without keep-alive. A raw-socket client keeps writing until it has the answer; every
 * upload of every iteration must read the status line (a reset before it is the failure).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenHttp, type HttpListeners } from '../../../server/src/http/listen.js';
import { buildInProcessApp, type InProcessApp } from '../../helpers/in-process-app.js';

const LIMIT = 64 * 1024;
/** Far over the limit: the client is still writing when the answer comes. */
const UPLOAD = 4 * 1024 * 1024;
const CHUNK = Buffer.alloc(32 * 1024, 0x61);
const ITERATIONS = 10;

let t: InProcessApp;
let listeners: HttpListeners;
let dir: string;
let socketPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcs-413-'));
  socketPath = join(dir, 'http.sock');
  t = await buildInProcessApp({ maxBodyBytes: LIMIT });
  listeners = await listenHttp(t.app, { socket: socketPath, socketMode: 0o600, port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await listeners?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Outcome {
  status: number | null;
  error?: string;
  sentBytes: number;
}

/**
 * Sends an oversized POST and keeps writing until the whole body is sent. `reads` 'while-sending'
 * reads the answer as it comes (as curl does); 'after-sending' reads only once the body is out (as
 * many HTTP libraries do), so a reset during the upload loses the answer.
 */
function upload(open: () => Socket, framing: 'length' | 'chunked', keepAlive: boolean, reads: 'while-sending' | 'after-sending', secret: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = open();
    if (reads === 'after-sending') socket.pause();
    let received = '';
    let sent = 0;
    let done = false;
    const finish = (o: Omit<Outcome, 'sentBytes'>) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ ...o, sentBytes: sent });
    };
    const head =
      `POST /scim/v2/Users HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${secret}\r\nContent-Type: application/scim+json\r\n` +
      (framing === 'length' ? `Content-Length: ${UPLOAD}\r\n` : 'Transfer-Encoding: chunked\r\n') +
      (keepAlive ? 'Connection: keep-alive\r\n' : 'Connection: close\r\n') +
      '\r\n';
    // One chunk per turn of the event loop: the body keeps arriving for as long as the server
    // takes to answer, as a real upload over a network does.
    const pump = () => {
      if (done || socket.destroyed) return;
      if (sent >= UPLOAD) {
        if (framing === 'chunked') socket.write('0\r\n\r\n');
        socket.resume();
        return;
      }
      const piece = framing === 'length' ? CHUNK : Buffer.concat([Buffer.from(`${CHUNK.length.toString(16)}\r\n`), CHUNK, Buffer.from('\r\n')]);
      sent += CHUNK.length;
      if (socket.write(piece)) setImmediate(pump);
      else socket.once('drain', pump);
    };
    socket.on('connect', () => {
      socket.write(head);
      pump();
    });
    socket.on('data', (d) => {
      received += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(received);
      // The whole answer, body included: the status line alone could come before a reset.
      if (m && received.includes('\r\n\r\n') && received.endsWith('}')) finish({ status: Number(m[1]) });
    });
    socket.on('error', (e: NodeJS.ErrnoException) => finish({ status: null, error: e.code ?? e.message }));
    socket.on('close', () => finish({ status: null, error: `closed after ${JSON.stringify(received.slice(0, 40))}` }));
    socket.setTimeout(10_000, () => finish({ status: null, error: 'timeout' }));
  });
}

const CASES = (['tcp', 'unix'] as const).flatMap((transport) =>
  (['length', 'chunked'] as const).flatMap((framing) =>
    [true, false].flatMap((keepAlive) => (['while-sending', 'after-sending'] as const).map((reads) => ({ transport, framing, keepAlive, reads }))),
  ),
);

describe('an oversized body is always answered 413', () => {
  it.each(CASES)('$transport, $framing, keep-alive $keepAlive, reads $reads', async ({ transport, framing, keepAlive, reads }) => {
    const open = () => (transport === 'tcp' ? connect({ host: '127.0.0.1', port: listeners.tcpPort! }) : connect({ path: socketPath }));
    const outcomes: Outcome[] = [];
    for (let i = 0; i < ITERATIONS; i++) outcomes.push(await upload(open, framing, keepAlive, reads, t.secret));
    const missed = outcomes.filter((o) => o.status !== 413);
    expect(missed, JSON.stringify(missed)).toEqual([]);
  });
});
