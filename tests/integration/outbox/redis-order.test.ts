/**
 * The Redis part of two changes of one mailbox: a claimed old outbox row passes its
 * superseded check, a newer change then commits and writes its keys, and only then does the
 * old row's write land. The write is ordered per key by the rows' ids in Redis itself
 * (side-effects.ts), so the newer values stay for the keys the newer row wrote, and the old
 * row's other keys are still written. Against a real Redis of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../../server/src/logging.js';
import { MailcowSideEffects, redisAppliedMarker } from '../../../server/src/mailcow/side-effects.js';
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
  for (const key of ['rateLimit', 'taggedMail'] as const) {
    expect(await redis.get(redisAppliedMarker(key, u))).toBe('11');
    expect(await redis.ttl(redisAppliedMarker(key, u))).toBeGreaterThan(0);
  }

  // The same row again (a retry) and a newer one are applied as mailcow's template writes them.
  await effects.redis(u, { rateLimit: '20 / 1h', taggedMail: 'subfolder' }, 11);
  await effects.redis(u, { rateLimit: null, taggedMail: 'none' }, 12);
  expect(await keys(u)).toEqual({ rateLimit: null, subject: null, subfolder: null });
  await effects.redis(u, { taggedMail: 'subject' }, 13);
  expect(await keys(u)).toEqual({ rateLimit: null, subject: '1', subfolder: null });
});

it('a newer row that wrote only the tagged mail does not hold back an older row\'s rate limit', async () => {
  const u = 'tagged-only@redis.test';
  await effects.redis(u, { taggedMail: 'subfolder' }, 11);
  await effects.redis(u, { rateLimit: '10 / 1h', taggedMail: 'subject' }, 7);
  expect(await keys(u)).toEqual({ rateLimit: '10 / 1h', subject: null, subfolder: '1' });
  expect(await redis.get(redisAppliedMarker('rateLimit', u))).toBe('7');
  expect(await redis.get(redisAppliedMarker('taggedMail', u))).toBe('11');
});

it("a newer row that wrote only the rate limit keeps it, and the older row's tagged mail is written", async () => {
  const u = 'limit-only@redis.test';
  await effects.redis(u, { rateLimit: '20 / 1h' }, 11);
  await effects.redis(u, { rateLimit: '10 / 1h', taggedMail: 'subject' }, 7);
  expect(await keys(u)).toEqual({ rateLimit: '20 / 1h', subject: '1', subfolder: null });
  // A removal is a write of the key like any other: an older row does not bring the limit back.
  await effects.redis(u, { rateLimit: null }, 12);
  await effects.redis(u, { rateLimit: '10 / 1h', taggedMail: 'subfolder' }, 8);
  expect(await keys(u)).toEqual({ rateLimit: null, subject: null, subfolder: '1' });
});

it("another mailbox is not held back by the first one's rows", async () => {
  await effects.redis('other@redis.test', { rateLimit: '5 / 1m' }, 3);
  expect((await keys('other@redis.test')).rateLimit).toBe('5 / 1m');
});
