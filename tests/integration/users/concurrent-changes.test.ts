/**
 * Changes in a burst, as an initial sync or a mass deactivation sends them (8 at a time, over
 * several domains): every one succeeds, and every mailbox gets, or loses, its `_sogo_static_view`
 * row. Found by `npm run bench`: mailcow's INSERT … SELECT over its views deadlocked and left rows
 * missing, and gap locks taken for absent rows made creates in different domains deadlock (500).
 */
import { randomBytes } from 'node:crypto';
import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

const run = randomBytes(4).toString('hex');
const domains = [1, 2, 3, 4].map((n) => `t${run}-${n}.example`);
const USERS = 120;
let t: TestSidecar;
let api: ReturnType<typeof scimClient>;

beforeAll(async () => {
  t = await startTestSidecar({ domains: domains.map((domain) => ({ domain, mailboxes: 1000, quotaMiB: 1_000_000, defquotaMiB: 1 })) });
  const token = await t.sidecar.tokens.create('burst', { domains });
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
  const [rows] = await t.db.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM _sogo_static_view WHERE domain IN (?)`, [domains]);
  return Number(rows[0]!.n);
}

it('creates and deactivations 8 at a time over four domains all succeed and keep one SOGo row per active mailbox', async () => {
  const ids: string[] = [];
  await eightAtATime(USERS, async (i) => {
    const r = await api.post('/Users', { userName: `u${i}@${domains[i % domains.length]}`, displayName: `User ${i}` });
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

it("parallel creates share a domain's quota as mailcow's form would: the default, then what is left, then 400", async () => {
  const domain = `q${run}.example`;
  await t.db.pool.execute(`INSERT INTO domain (domain, description, aliases, mailboxes, defquota, maxquota, quota, active) VALUES (?, ?, 400, 100, 3, 10, 10, 1)`, [domain, domain]);
  const token = await t.sidecar.tokens.create('quota', { domains: [domain] });
  const client = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
  const statuses: number[] = [];
  await eightAtATime(8, async (i) => {
    statuses.push((await client.post('/Users', { userName: `q${i}@${domain}` })).status);
  });
  expect(statuses.sort()).toEqual([201, 201, 201, 201, 400, 400, 400, 400]);
  const [rows] = await t.db.pool.query<RowDataPacket[]>(`SELECT quota FROM mailbox WHERE domain = ? ORDER BY quota`, [domain]);
  expect(rows.map((r) => Number(r.quota) / 1024 / 1024)).toEqual([1, 3, 3, 3]);
});
