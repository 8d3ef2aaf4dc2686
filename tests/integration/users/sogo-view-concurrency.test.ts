/**
 * SOGo's user source under concurrent changes: every mailbox created or deactivated in a burst
 * (an initial sync runs 8 at a time) gets, or loses, its `_sogo_static_view` row. mailcow's
 * INSERT … SELECT over its views deadlocked here and left rows missing (found by `npm run bench`).
 */
import { randomBytes } from 'node:crypto';
import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

const domain = `t${randomBytes(4).toString('hex')}.example`;
const USERS = 120;
let t: TestSidecar;
let api: ReturnType<typeof scimClient>;

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain, mailboxes: 1000, quotaMiB: 1_000_000, defquotaMiB: 1 }] });
  const token = await t.sidecar.tokens.create('burst', { domains: [domain] });
  api = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
});
afterAll(async () => {
  await t?.stop();
});

/** Runs fn(i) for i < count, 8 at a time. */
async function eightAtATime(count: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let i = next++; i < count; i = next++) await fn(i);
  }));
}

async function sogoRows(): Promise<number> {
  const [rows] = await t.db.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM _sogo_static_view WHERE domain = ?`, [domain]);
  return Number(rows[0]!.n);
}

it('creates and deactivations 8 at a time keep one SOGo row per active mailbox', async () => {
  const ids: string[] = [];
  await eightAtATime(USERS, async (i) => {
    const r = await api.post('/Users', { userName: `u${i}@${domain}`, displayName: `User ${i}` });
    expect(r.status, r.text).toBe(201);
    ids[i] = r.body.id;
  });
  expect(await sogoRows()).toBe(USERS);

  const patch = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] };
  await eightAtATime(USERS / 2, async (i) => {
    const r = await api.patch(`/Users/${ids[i]}`, patch);
    expect(r.status, r.text).toBe(200);
  });
  expect(await sogoRows()).toBe(USERS / 2);
  expect(t.logs.filter((l) => l.msg === 'post-commit mailcow side effects failed')).toEqual([]);
});
