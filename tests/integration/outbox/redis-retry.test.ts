/**
 * Redis down while a template with a rate limit is applied: the SCIM create still succeeds (its
 * SOGo row written), the Redis part stays in the outbox with its error, and once a real Redis
 * answers on that address the retry writes `RL_VALUE` and the plus-address key, as mailcow's
 * template would (docs/mailcow-facts.md §2.6).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { rowsOf } from '../../helpers/mailcow-rows.js';
import { CORE_USER, waitFor } from '../../helpers/process-fixture.js';
import { freePort } from '../../helpers/free-port.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const D = 'redis-retry.org';
let t: TestSidecar;
let port: number;
let server: ChildProcess | undefined;

beforeAll(async () => {
  port = await freePort();
  t = await startTestSidecar({ domains: [{ domain: D, mailboxes: 10, quotaMiB: 100_000, maxquotaMiB: 10_000 }], env: { REDIS_URL: `redis://127.0.0.1:${port}`, SCIM_NETFILTER: 'false', SCIM_OUTBOX_INTERVAL_MS: '0' } });
  await t.db.pool.query(`INSERT INTO templates (template, type, attributes) VALUES ('Limited', 'mailbox', ?)`, [
    JSON.stringify({ quota: 0, rl_frame: 'h', rl_value: '10', tagged_mail_handler: 'subject', active: 1 }),
  ]);
});
afterAll(async () => {
  await t?.stop();
  server?.kill('SIGTERM');
});

describe('Redis down during a create', () => {
  it('the create succeeds, the Redis keys follow once Redis answers', async () => {
    const token = await t.sidecar.tokens.create('limited', { domains: [D], templateRules: [{ filter: `${ENT}:department eq "Ops"`, template: 'Limited' }] });
    const api = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
    const user = `ops@${D}`;
    const r = await api.post('/Users', { schemas: [CORE_USER, ENT], userName: user, [ENT]: { department: 'Ops' } });
    expect(r.status, r.text).toBe(201);
    expect(await rowsOf(t.db.pool, `SELECT c_uid FROM _sogo_static_view WHERE c_uid = ?`, [user])).toEqual([{ c_uid: user }]);
    const [row] = await rowsOf(t.db.pool, `SELECT kind, subject, payload, attempts, last_error FROM mailcow_scim_outbox`);
    expect(row).toMatchObject({ kind: 'redis', subject: user, attempts: 1 });
    expect(JSON.parse(String(row!.payload))).toEqual({ rateLimit: '10 / 1h', taggedMail: 'subject' });
    expect(row!.last_error).toBeTruthy();

    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const redis = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 50 });
    try {
      await waitFor('redis-server', async () => (await redis.ping().catch(() => '')) === 'PONG', 10_000, 100);
      await waitFor(
        'the Redis retry',
        async () => {
          await t.sidecar.outbox.sweep();
          return (await rowsOf(t.db.pool, `SELECT id FROM mailcow_scim_outbox`)).length === 0;
        },
        20_000,
        250,
      );
      expect(await redis.hget('RL_VALUE', user)).toBe('10 / 1h');
      expect(await redis.hget('RCPT_WANTS_SUBJECT_TAG', user)).toBe('1');
    } finally {
      redis.disconnect();
    }
  });
});
