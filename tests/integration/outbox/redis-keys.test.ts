/**
 * An outbox `redis` row carries only the keys its change touched (a rate limit, the tagged-mail
 * handling), so a newer row of the same mailbox supersedes those keys of an older row and no
 * others (outbox-store.ts dropSuperseded, newerKeys; side-effects.ts redis). Against real MariaDB
 * and the real Redis at 127.0.0.1:6379, with mailbox names unique to the run; the older row
 * fails first because the Redis its worker talks to does not answer.
 * - The older row set a rate limit and waits for its retry; a newer row that sets only the
 *   tagged mail runs: the retry still writes the rate limit.
 * - The converse: the newer row sets the same key: the older row's value never wins, also once
 *   the markers in Redis have expired, and its other key is still written.
 * - The retry runs while the newer row is committed but not yet done, and the race of
 *   redis-order.test.ts: the older row passed its check, the newer one commits and writes, and
 *   only then does the older row's write land.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../../server/src/logging.js';
import { nowIso } from '../../../server/src/mailcow/db-time.js';
import { migrate } from '../../../server/src/mailcow/migrations.js';
import { createOutboxStore, writeOutbox } from '../../../server/src/mailcow/outbox-store.js';
import { MailcowSideEffects, redisAppliedMarker } from '../../../server/src/mailcow/side-effects.js';
import { OutboxWorker, type OutboxEffects, type OutboxEntry, type RedisPayload } from '../../../server/src/outbox/index.js';
import { freePort } from '../../helpers/free-port.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';
import { waitFor } from '../../helpers/process-fixture.js';
import { statementLog } from '../../helpers/statement-log.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const silent = createLogger({ level: 'silent' });
const run = randomBytes(4).toString('hex');
const used: string[] = [];
let db: TestDatabase;
let redis: Redis;
let up: MailcowSideEffects;
let downUrl: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, nowIso);
  redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 5 });
  up = new MailcowSideEffects(db.pool, { redisUrl: REDIS_URL, skipSogo: true }, silent);
  // Nothing listens there: every write through it fails, as with Redis down.
  downUrl = `redis://127.0.0.1:${await freePort()}`;
});
afterAll(async () => {
  for (const u of used) {
    await redis.hdel('RL_VALUE', u);
    await redis.hdel('RCPT_WANTS_SUBJECT_TAG', u);
    await redis.hdel('RCPT_WANTS_SUBFOLDER_TAG', u);
    await redis.del(redisAppliedMarker('rateLimit', u), redisAppliedMarker('taggedMail', u));
  }
  up?.close();
  redis?.disconnect();
  await db?.drop();
});

function mailbox(name: string): string {
  const u = `${name}-${run}@redis-keys.test`;
  used.push(u);
  return u;
}

/** A worker of its own (another replica, or the same one later); retries are due almost at once. */
const worker = (effects: OutboxEffects) => new OutboxWorker(createOutboxStore(db.pool), effects, { intervalMs: 0, leaseMs: 30_000, retryBaseMs: 1, retryMaxMs: 1 }, silent);

/** A change's row as the unit of work writes it: committed, leased to its writer. */
const write = async (subject: string, payload: RedisPayload): Promise<OutboxEntry> => (await writeOutbox(db.pool, [{ kind: 'redis', subject, payload }], 30_000))[0]!;

const rowsOf = async (u: string) => {
  const [rows] = await db.pool.query<RowDataPacket[]>(`SELECT id, payload, attempts, last_error FROM mailcow_scim_outbox WHERE subject = ? ORDER BY id`, [u]);
  return rows.map((r) => ({ id: Number(r.id), payload: JSON.parse(String(r.payload)) as RedisPayload, attempts: Number(r.attempts), failed: r.last_error !== null }));
};

const keys = async (u: string) => ({
  rateLimit: await redis.hget('RL_VALUE', u),
  subject: await redis.hget('RCPT_WANTS_SUBJECT_TAG', u),
  subfolder: await redis.hget('RCPT_WANTS_SUBFOLDER_TAG', u),
});

/** The row's first attempt, with Redis not answering: it stays, failed, for its retry. */
async function fail(e: OutboxEntry): Promise<void> {
  const down = new MailcowSideEffects(db.pool, { redisUrl: downUrl, skipSogo: true }, silent);
  try {
    await worker(down).dispatch([e]);
  } finally {
    down.close();
  }
  expect((await rowsOf(e.subject!)).find((r) => r.id === e.id)).toMatchObject({ attempts: 1, failed: true });
}

async function untilDue(id: number): Promise<void> {
  await waitFor(`row ${id} to be due`, async () => {
    const [rows] = await db.pool.query<RowDataPacket[]>(`SELECT 1 FROM mailcow_scim_outbox WHERE id = ? AND next_attempt_at <= UTC_TIMESTAMP(3)`, [id]);
    return rows.length > 0;
  });
}

it('an older row that failed still writes its rate limit after a newer row that set only the tagged mail', async () => {
  const u = mailbox('tagged-only');
  const older = await write(u, { rateLimit: '10 / 1h', taggedMail: 'subject' });
  await fail(older);
  const newer = await write(u, { taggedMail: 'subfolder' });
  await worker(up).dispatch([newer]);
  // The newer row took its key out of the older one, which keeps the rate limit for its retry.
  expect(await rowsOf(u)).toEqual([{ id: older.id, payload: { rateLimit: '10 / 1h' }, attempts: 1, failed: true }]);
  expect(await keys(u)).toEqual({ rateLimit: null, subject: null, subfolder: '1' });

  await untilDue(older.id);
  expect(await worker(up).sweep()).toEqual({ claimed: 1, failed: 0 });
  expect(await rowsOf(u)).toEqual([]);
  expect(await keys(u)).toEqual({ rateLimit: '10 / 1h', subject: null, subfolder: '1' });
});

it("a newer row that set the same key keeps its value, and the older row's other key is still written", async () => {
  const u = mailbox('same-key');
  const older = await write(u, { rateLimit: '10 / 1h', taggedMail: 'subject' });
  await fail(older);
  const newer = await write(u, { rateLimit: '20 / 1h' });
  await worker(up).dispatch([newer]);
  expect(await rowsOf(u)).toEqual([{ id: older.id, payload: { taggedMail: 'subject' }, attempts: 1, failed: true }]);
  // The markers in Redis only order writes in flight at the same moment, and they expire after an
  // hour: a retry that comes later must not need them.
  await redis.del(redisAppliedMarker('rateLimit', u), redisAppliedMarker('taggedMail', u));

  await untilDue(older.id);
  expect(await worker(up).sweep()).toEqual({ claimed: 1, failed: 0 });
  expect(await rowsOf(u)).toEqual([]);
  expect(await keys(u)).toEqual({ rateLimit: '20 / 1h', subject: '1', subfolder: null });
});

it('an older row left with no key is deleted, whether the newer row carries every key or only those of the older row', async () => {
  for (const newer of [{ rateLimit: null, taggedMail: 'none' }, { rateLimit: null }] as RedisPayload[]) {
    const u = mailbox(`emptied-${Object.keys(newer).length}`);
    const older = await write(u, { rateLimit: '10 / 1h' });
    await fail(older);
    await worker(up).dispatch([await write(u, newer)]);
    expect(await rowsOf(u)).toEqual([]);
    await redis.del(redisAppliedMarker('rateLimit', u), redisAppliedMarker('taggedMail', u));
    expect(await worker(up).sweep()).toEqual({ claimed: 0, failed: 0 });
    expect(await keys(u)).toEqual({ rateLimit: null, subject: null, subfolder: null });
  }
});

it('a retry while a newer row of the mailbox is committed but not yet done writes only the keys the newer row does not carry', async () => {
  const u = mailbox('pending-newer');
  const older = await write(u, { rateLimit: '10 / 1h', taggedMail: 'subject' });
  await fail(older);
  // Committed, still leased to its writer, which has not done it yet.
  const newer = await write(u, { rateLimit: '20 / 1h' });
  await untilDue(older.id);
  expect(await worker(up).sweep()).toEqual({ claimed: 1, failed: 0 });
  expect(await keys(u)).toEqual({ rateLimit: null, subject: '1', subfolder: null });
  await worker(up).dispatch([newer]);
  expect(await rowsOf(u)).toEqual([]);
  expect(await keys(u)).toEqual({ rateLimit: '20 / 1h', subject: '1', subfolder: null });
});

for (const [name, newerPayload, want] of [
  ['the newer row sets the rate limit', { rateLimit: '20 / 1h' }, { rateLimit: '20 / 1h', subject: '1', subfolder: null }],
  ['the newer row sets the tagged mail', { taggedMail: 'subfolder' }, { rateLimit: '10 / 1h', subject: null, subfolder: '1' }],
] as const) {
  it(`an older row in flight while a newer one commits and writes: per key the newer value stays, the older row's other key lands (${name})`, async () => {
    const u = mailbox(`race-${Object.keys(newerPayload)[0]}`);
    const older = await write(u, { rateLimit: '10 / 1h', taggedMail: 'subject' });
    await fail(older);
    await untilDue(older.id);
    // The retry passes its check (no newer row yet) and is held just before its write.
    let atWrite!: () => void;
    const reached = new Promise<void>((r) => (atWrite = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const held: OutboxEffects = {
      flushes: false,
      sogo: async () => undefined,
      flush: async () => undefined,
      async redis(user, payload, version) {
        atWrite();
        await gate;
        await up.redis(user, payload, version);
      },
    };
    const retry = worker(held).sweep();
    await reached;
    await worker(up).dispatch([await write(u, newerPayload)]);
    release();
    expect(await retry).toEqual({ claimed: 1, failed: 0 });
    expect(await rowsOf(u)).toEqual([]);
    expect(await keys(u)).toEqual(want);
  });
}

it('a row with no older or newer rows of its mailbox costs two statements, as before per-key supersession', async () => {
  const sql = statementLog();
  for (const payload of [{ rateLimit: '5 / 1m' }, { rateLimit: '5 / 1m', taggedMail: 'subject' }, { taggedMail: 'none' }] as RedisPayload[]) {
    const e = await write(mailbox('alone'), payload);
    sql.start();
    await worker(up).dispatch([e]);
    const statements = sql.stop();
    expect(statements, statements.join('\n')).toHaveLength(2);
    expect(statements.at(-1)).toMatch(/^DELETE FROM mailcow_scim_outbox WHERE id IN/);
  }
});
