/**
 * Statement budgets of the hot write paths (issue 14): a create and a deactivating PATCH are
 * bounded by their round trips to MariaDB, so the count of statements each sends is the figure
 * that must not creep up. Counts, unlike times, do not depend on how busy the machine is.
 *
 * The count includes the outbox's post-commit work (the SOGo row), which the worker starts as
 * soon as the change commits, often before the answer is sent. Token reads are left out: the
 * token cache serves them for a second, so whether a request pays one depends on timing.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { statementLog } from '../../helpers/statement-log.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const domain = `t${randomBytes(4).toString('hex')}.example`;
const sql = statementLog();
let t: TestSidecar;
let api: ReturnType<typeof scimClient>;

beforeAll(async () => {
  // The periodic sweep stays out of the window: only the change's own post-commit run counts.
  t = await startTestSidecar({ domains: [{ domain, mailboxes: 100, quotaMiB: 100_000 }], env: { SCIM_OUTBOX_INTERVAL_MS: '3600000' } });
  const token = await t.sidecar.tokens.create('statement-budget', { domains: [domain] });
  api = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
  // A first create warms what is read once per process (the IdP settings, the schema).
  expect((await api.post('/Users', entraUser('warm'))).status).toBe(201);
  await untilOutboxDone([]);
});
afterAll(async () => {
  sql.stop();
  await t?.stop();
});

function entraUser(local: string) {
  return {
    schemas: [CORE, ENT],
    userName: `${local}@${domain}`,
    externalId: `ext-${local}`,
    displayName: `Name ${local}`,
    name: { givenName: 'Given', familyName: local },
    emails: [{ value: `${local}@${domain}`, type: 'work', primary: true }],
    [ENT]: { department: 'Sales' },
  };
}

const counted = (statements: string[]) => statements.filter((s) => !/FROM mailcow_scim_tokens\b/.test(s));
const outboxDone = (s: string) => s.startsWith('DELETE FROM mailcow_scim_outbox');
const outboxWritten = (s: string) => s.startsWith('INSERT INTO mailcow_scim_outbox');

/** Waits (without SQL of its own) until the worker has marked the change's outbox row done, if it wrote one. */
async function untilOutboxDone(statements: string[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (statements.some(outboxWritten) && !statements.some(outboxDone)) {
    if (Date.now() > deadline) throw new Error(`the outbox row was never done:\n${statements.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs one request and returns every statement it caused, its post-commit work included. */
async function measure(send: () => Promise<{ status: number }>, status: number): Promise<string[]> {
  return (await measureRoundTrips(send, status)).flat();
}

/** The same, as the round trips that carried them (a batch of writes and a read is one). */
async function measureRoundTrips(send: () => Promise<{ status: number }>, status: number): Promise<string[][]> {
  sql.start();
  const res = await send();
  await untilOutboxDone(sql.statements);
  sql.stop();
  const trips = sql.roundTrips.map(counted).filter((t) => t.length);
  expect(res.status).toBe(status);
  return trips;
}

it('a create stays within its statement budget', async () => {
  const trips = await measureRoundTrips(() => api.post('/Users', entraUser('alice')), 201);
  const all = trips.flat();
  expect(all.length, all.join('\n')).toBeLessThanOrEqual(13);
  // Its writes go with its reads (statement-batch.ts): START with the preflight read, mailcow's
  // rows, ours and the SOGo row with the domain lock, the audit row with the COMMIT.
  expect(trips.length, trips.map((t) => t.join(' ; ')).join('\n')).toBeLessThanOrEqual(3);
  expect(trips.at(-1)?.at(-1)).toBe('COMMIT');
  // READ COMMITTED is the session default of the creates' connections (create-isolation.test.ts).
  expect(all.some((s) => s.startsWith('SET TRANSACTION') || s.startsWith('SET SESSION TRANSACTION')), all.join('\n')).toBe(false);
  // The writes mailcow's own add makes are all there: the budget is not met by skipping rows.
  for (const table of ['mailbox', 'quota2', 'quota2replica', 'alias', 'user_acl', 'mailcow_scim_users', 'mailcow_scim_events', '_sogo_static_view']) {
    expect(all.some((s) => s.startsWith(`INSERT INTO ${table} `)), table).toBe(true);
  }
});

it('a GET by id is one statement, its groups included', async () => {
  const created = await api.post('/Users', entraUser('carol'));
  expect(created.status).toBe(201);
  await new Promise((r) => setTimeout(r, 200));
  const all = await measure(() => api.get(`/Users/${created.body.id}`), 200);
  expect(all.length, all.join('\n')).toBe(1);
});

it('a deactivating PATCH stays within its statement budget', async () => {
  const created = await api.post('/Users', entraUser('bob'));
  expect(created.status).toBe(201);
  await new Promise((r) => setTimeout(r, 200));
  const all = await measure(
    () => api.patch(`/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] }),
    200,
  );
  expect(all.length, all.join('\n')).toBeLessThanOrEqual(10);
  // The SOGo row goes inside the change (mailbox-rows.ts): without memcached nothing is left for the outbox.
  expect(all.findIndex((s) => s.startsWith('DELETE FROM _sogo_static_view ')), all.join('\n')).toBeLessThan(all.indexOf('COMMIT'));
  expect(all.some(outboxWritten), all.join('\n')).toBe(false);
  for (const write of ['UPDATE mailbox ', 'UPDATE mailcow_scim_users ', 'INSERT INTO mailcow_scim_events ', 'DELETE FROM _sogo_static_view ']) {
    expect(all.some((s) => s.startsWith(write)), write).toBe(true);
  }
});
