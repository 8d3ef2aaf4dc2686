/**
 * The Redis part of two changes of one mailbox: a claimed old outbox row passes its
 * superseded check, a newer change then commits and writes its keys, and only then does the
 * old row's write land. The write is ordered by the rows' ids in Redis itself (side-effects.ts),
 * so the newer values stay. Against a real Redis of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../../server/src/logging.js';
import { MailcowSideEffects, REDIS_APPLIED_PREFIX } from '../../../server/src/mailcow/side-effects.js';
import type { DatabasePool } from '../../../server/src/mailcow/queryable.js';
import { freePort } from '../../helpers/free-port.js';
import { waitFor } from '../../helpers/process-fixture.js';

let server: ChildProcess;
let redis: Redis;
let effects: MailcowSideEffects;

beforeAll(async () => {
  const port = await freePort();
  server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  redis = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 50 });
  redis.on('error', () => undefined);
  await waitFor('redis-server', async () => (await redis.ping().catch(() => '')) === 'PONG', 10_000, 100);
  // Only the Redis part is used: no SQL is sent.
  effects = new MailcowSideEffects({} as DatabasePool, { redisUrl: `redis://127.0.0.1:${port}`, skipSogo: true }, createLogger({ level: 'silent' }));
});
afterAll(async () => {
  effects?.close();
  redis?.disconnect();
  server?.kill('SIGTERM');
});

const keys = async (u: string) => ({
  rateLimit: await redis.hget('RL_VALUE', u),
  subject: await redis.hget('RCPT_WANTS_SUBJECT_TAG', u),
  subfolder: await redis.hget('RCPT_WANTS_SUBFOLDER_TAG', u),
});

it('an older row written after a newer one leaves the newer values', async () => {
  const u = 'order@redis.test';
  await effects.redis(u, { rateLimit: '20 / 1h', taggedMail: 'subfolder' }, 11);
  await effects.redis(u, { rateLimit: '10 / 1h', taggedMail: 'subject' }, 7);
  expect(await keys(u)).toEqual({ rateLimit: '20 / 1h', subject: null, subfolder: '1' });
  expect(await redis.get(`${REDIS_APPLIED_PREFIX}${u}`)).toBe('11');
  expect(await redis.ttl(`${REDIS_APPLIED_PREFIX}${u}`)).toBeGreaterThan(0);

  // The same row again (a retry) and a newer one are applied as mailcow's template writes them.
  await effects.redis(u, { rateLimit: '20 / 1h', taggedMail: 'subfolder' }, 11);
  await effects.redis(u, { rateLimit: null, taggedMail: 'none' }, 12);
  expect(await keys(u)).toEqual({ rateLimit: null, subject: null, subfolder: null });
  await effects.redis(u, { taggedMail: 'subject' }, 13);
  expect(await keys(u)).toEqual({ rateLimit: null, subject: '1', subfolder: null });
});

it("another mailbox is not held back by the first one's rows", async () => {
  await effects.redis('other@redis.test', { rateLimit: '5 / 1m' }, 3);
  expect((await keys('other@redis.test')).rateLimit).toBe('5 / 1m');
});
