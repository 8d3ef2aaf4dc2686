/**
 * A request that arrives while the sidecar is stopping (on a connection that was already open)
 * gets a SCIM 503 with Retry-After, not fastify's own JSON; the request in flight still finishes,
 * and its answer closes the connection unless more requests wait behind it (queued-requests.ts).
 */
import { connect } from 'node:net';
import { expect, it } from 'vitest';
import { listenHttp } from '../../../server/src/http/listen.js';
import { buildInProcessApp } from '../../helpers/in-process-app.js';

/**
 * A sidecar app on TCP with a route that holds its answer until `open()`, and one raw client
 * connection to it: `holding` resolves once the held request has reached the route.
 */
async function heldConnection() {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let started!: () => void;
  const holding = new Promise<void>((r) => (started = r));
  const t = await buildInProcessApp({
    extraRoutes: [
      (scope) =>
        scope.get('/__hold', async (_req, reply) => {
          started();
          await gate;
          return reply.code(200).header('content-type', 'application/scim+json').send('{"held":true}');
        }),
    ],
  });
  const listeners = await listenHttp(t.app, { socket: '', socketMode: 0o600, port: 0, host: '127.0.0.1' });
  const socket = connect({ host: '127.0.0.1', port: listeners.tcpPort! });
  const received = { text: '' };
  socket.on('data', (d) => (received.text += d.toString()));
  const ended = new Promise<void>((r) => socket.on('close', () => r()));
  await new Promise<void>((r) => socket.on('connect', () => r()));
  return { t, listeners, socket, received, ended, holding, open };
}

it('answers shutting_down on a live connection during close, after finishing the request in flight', async () => {
  const { t, listeners, socket, received, ended, holding, open } = await heldConnection();
  const auth = `Authorization: Bearer ${t.secret}\r\n`;
  socket.write(`GET /scim/v2/__hold HTTP/1.1\r\nHost: x\r\n${auth}\r\n`);
  await holding;
  const closing = listeners.close();
  await new Promise((r) => setTimeout(r, 100));
  socket.write(`GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\n${auth}\r\n`);
  await new Promise((r) => setTimeout(r, 100));
  open();
  await Promise.race([ended, new Promise((r) => setTimeout(r, 5000))]);
  socket.destroy();
  await closing;

  const answers = received.text.split(/(?=HTTP\/1\.1 )/);
  expect(answers).toHaveLength(2);
  expect(answers[0]).toMatch(/^HTTP\/1\.1 200 /);
  // The pipelined request behind it still needs the connection.
  expect(answers[0]).toMatch(/connection: keep-alive\r\n/i);
  expect(answers[1]).toMatch(/connection: close\r\n/i);
  expect(answers[1]).toMatch(/^HTTP\/1\.1 503 /);
  expect(answers[1]).toContain('content-type: application/scim+json; charset=utf-8');
  expect(answers[1]).toMatch(/retry-after: 1\r\n/i);
  const body = JSON.parse(answers[1]!.slice(answers[1]!.indexOf('\r\n\r\n') + 4));
  expect(body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503' });
});

it('closes the connection after the answer in flight when close() began, so a proxy does not pool it', async () => {
  const { t, listeners, socket, received, ended, holding, open } = await heldConnection();
  socket.write(`GET /scim/v2/__hold HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.secret}\r\n\r\n`);
  await holding;
  const closing = listeners.close();
  // close() has begun once the server stops listening (after fastify's preClose hooks).
  while (t.app.server.listening) await new Promise((r) => setTimeout(r, 10));
  open();
  await ended;
  await closing;
  expect(received.text).toMatch(/^HTTP\/1\.1 200 /);
  expect(received.text).toMatch(/connection: close\r\n/i);
});
