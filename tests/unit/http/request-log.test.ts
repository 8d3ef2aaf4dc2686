/**
 * The access line each request writes: its request id, and the token id once the bearer check
 * has passed. The token id is bound to the request's own logger, so it must never reach the
 * lines of another request or the app's own logger.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../server/src/logging.js';
import { buildInProcessApp, type InProcessApp } from '../../helpers/in-process-app.js';

const lines: Record<string, unknown>[] = [];
const raw: string[] = [];
const stream = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) {
      raw.push(line);
      lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    done();
  },
});

let t: InProcessApp;
let other: { id: string; secret: string };

beforeAll(async () => {
  t = await buildInProcessApp({ logger: createLogger({ level: 'info', destination: stream as never }) });
  const issued = await t.tokens.create('second', { domains: ['example.org'], defaultDomain: 'example.org' });
  other = { id: issued.token.id, secret: issued.secret };
});
afterAll(async () => {
  await t?.app.close();
});

async function accessLine(headers: Record<string, string>, requestId: string): Promise<Record<string, unknown>> {
  const res = await t.app.inject({ method: 'GET', url: '/scim/v2/Users', headers: { ...headers, 'x-request-id': requestId } });
  expect(res.headers['x-request-id']).toBe(requestId);
  // pino writes through the stream asynchronously; the line is there once the stream has it.
  await new Promise((r) => setImmediate(r));
  const found = lines.filter((l) => l.reqId === requestId && l.msg === 'request');
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('request log lines', () => {
  it('carry the token id after the bearer check, and only that request\'s', async () => {
    const first = await accessLine(t.auth, 'req-first');
    expect(first).toMatchObject({ tokenId: t.token.id, status: 200, method: 'GET', surface: 'http' });
    const second = await accessLine({ authorization: `Bearer ${other.secret}` }, 'req-second');
    expect(second.tokenId).toBe(other.id);
    const refused = await accessLine({ authorization: 'Bearer mcs_not-a-secret-anyone-has-0000' }, 'req-refused');
    expect(refused.status).toBe(401);
    expect(refused).not.toHaveProperty('tokenId');
    const anonymous = await accessLine({}, 'req-anonymous');
    expect(anonymous).not.toHaveProperty('tokenId');
    // Each line names one token once: a binding left over from an earlier request would repeat
    // the key in the text (JSON.parse keeps only the last).
    for (const id of ['req-first', 'req-second']) {
      expect(raw.find((l) => l.includes(`"reqId":"${id}"`))?.match(/"tokenId"/g)).toHaveLength(1);
    }
  });

  it('leave the app\'s own logger without a token id', async () => {
    await accessLine(t.auth, 'req-before-app-line');
    t.app.log.info('app line');
    await new Promise((r) => setImmediate(r));
    const line = lines.find((l) => l.msg === 'app line');
    expect(line).toBeDefined();
    expect(line).not.toHaveProperty('tokenId');
    expect(line).not.toHaveProperty('reqId');
  });
});
