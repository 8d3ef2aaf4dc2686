/**
 * Statement budgets of a lookup (issue 14): `GET /Users?filter=userName eq "…"` is what an IdP
 * sends most (before every create and through every sync). With a match or without, the answer
 * is one statement: the first page, read one row longer than asked, is its own totalResults
 * when it comes back short, and the user's mailbox, quota and groups come in the same
 * statement (resource-list.ts). A full first page adds the COUNT, and nothing else.
 *
 * The token's statements are left out, as in tests/integration/users/statement-budget.test.ts:
 * the token cache serves reads for a second and last use is written once a minute, so whether
 * a request pays one depends on timing.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { statementLog } from '../../helpers/statement-log.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const domain = `l${randomBytes(4).toString('hex')}.example`;
const sql = statementLog();
let t: TestSidecar;
let api: ReturnType<typeof scimClient>;

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain, mailboxes: 100, quotaMiB: 100_000 }], env: { SCIM_OUTBOX_INTERVAL_MS: '3600000' } });
  const token = await t.sidecar.tokens.create('statement-budget-lookup', { domains: [domain] });
  api = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
  const ids: string[] = [];
  for (const local of ['alice', 'bob', 'carol']) {
    const res = await api.post('/Users', { schemas: [CORE], userName: `${local}@${domain}`, displayName: `Name ${local}` });
    expect(res.status).toBe(201);
    ids.push(String(res.body.id));
  }
  // Alice is in two groups: her groups must come with her, in the same statement.
  for (const displayName of ['Staff', 'Sales']) {
    expect((await api.post('/Groups', { schemas: [GROUP], displayName, members: [{ value: ids[0] }] })).status).toBe(201);
  }
  // A first lookup warms what is read once per process.
  expect((await api.get(`/Users?filter=${encodeURIComponent(`userName eq "bob@${domain}"`)}`)).status).toBe(200);
  // The outbox's post-commit work of the creates is done before anything is counted.
  await new Promise((r) => setTimeout(r, 500));
});
afterAll(async () => {
  sql.stop();
  await t?.stop();
});

const counted = (statements: string[]) => statements.filter((s) => !/\bmailcow_scim_tokens\b/.test(s));

/** Runs one lookup and returns its answer and the statements it sent. */
async function measure(path: string): Promise<{ body: Record<string, unknown>; statements: string[] }> {
  sql.start();
  const res = await api.get(path);
  const statements = counted(sql.stop());
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { body: res.body as Record<string, unknown>, statements };
}

const lookup = (userName: string, extra = '') => `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}${extra}`;

it('a lookup with one match is one statement, the groups included', async () => {
  const { body, statements } = await measure(lookup(`ALICE@${domain}`));
  expect(statements.length, statements.join('\n')).toBeLessThanOrEqual(1);
  expect(statements.some((s) => /^SELECT COUNT\(\*\)/.test(s)), statements.join('\n')).toBe(false);
  expect(body.totalResults).toBe(1);
  const [alice] = body.Resources as { userName: string; groups: { display: string }[] }[];
  expect(alice!.userName).toBe(`alice@${domain}`);
  expect(alice!.groups.map((g) => g.display)).toEqual(['Sales', 'Staff']);
});

it('a lookup with one match and count=1 is one statement too', async () => {
  const { body, statements } = await measure(lookup(`bob@${domain}`, '&count=1'));
  expect(statements.length, statements.join('\n')).toBeLessThanOrEqual(1);
  expect(body.totalResults).toBe(1);
});

it('a lookup with no match is one statement', async () => {
  const { body, statements } = await measure(lookup(`nobody@${domain}`));
  expect(statements.length, statements.join('\n')).toBeLessThanOrEqual(1);
  expect(body.totalResults).toBe(0);
  expect(body.Resources ?? []).toEqual([]);
});

it('a full first page adds the COUNT and nothing more', async () => {
  const { body, statements } = await measure('/Users?count=2');
  expect(statements.length, statements.join('\n')).toBeLessThanOrEqual(2);
  expect(statements.some((s) => /^SELECT COUNT\(\*\)/.test(s)), statements.join('\n')).toBe(true);
  expect(body.totalResults).toBe(3);
  expect(body.Resources).toHaveLength(2);
});
