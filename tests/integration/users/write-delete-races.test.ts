/**
 * Issue 15 item 3 against MariaDB: a PUT or PATCH sent together with a DELETE of the same user
 * or group answers 200 when it won the race and 404 when it lost, never 500; a group change
 * adding a member that is being deleted answers 201/200 or 400 (unknown member). Afterwards
 * no rows are half-made: deleted users own no mailbox (theirs is deactivated, as the token's
 * policy says), deleted groups leave no rows and no alias, and no mailbox is partial.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { partialMailboxes, rowsOf } from '../../helpers/mailcow-rows.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const PAIRS = 40;

let t: TestSidecar;
let api: ReturnType<typeof scimClient>;

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain: 'race.org', mailboxes: 1000, quotaMiB: 1_000_000 }] });
  const token = (await t.sidecar.tokens.create('race', { domains: ['race.org'], defaultDomain: 'race.org' })).secret;
  api = scimClient(t.baseUrl, token);
});
afterAll(async () => {
  await t?.stop();
});

async function createUser(name: string): Promise<string> {
  const r = await api.post('/Users', { schemas: [CORE], userName: `${name}@race.org`, emails: [{ value: `${name}@race.org`, type: 'work', primary: true }] });
  expect(r.status, r.text).toBe(201);
  return r.body.id;
}

function tally(statuses: number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
}

describe('writes racing a DELETE of the same resource (issue 15 item 3)', () => {
  it(`${PAIRS} pairs of (PUT or PATCH, DELETE) of one user: 200 or 404, never 500; the deleted users are gone whole`, async () => {
    const writes: number[] = [];
    const deletes: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const id = await createUser(`u${i}`);
      ids.push(id);
      const write =
        i % 2 === 0
          ? api.put(`/Users/${id}`, { schemas: [CORE], userName: `u${i}@race.org`, displayName: `Put ${i}`, emails: [{ value: `u${i}@race.org`, type: 'work', primary: true }] })
          : api.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: `Patch ${i}` }] });
      const [w, d] = await Promise.all([write, api.delete(`/Users/${id}`)]);
      writes.push(w.status);
      deletes.push(d.status);
      if (w.status === 200) expect(w.body.id).toBe(id);
      else expect(w.body, w.text).toMatchObject({ status: '404', detail: `No User with id "${id}".` });
    }
    expect(Object.keys(tally(writes)).filter((s) => s !== '200' && s !== '404'), JSON.stringify(tally(writes))).toEqual([]);
    expect(tally(deletes)).toEqual({ 204: PAIRS });
    expect(await rowsOf(t.db.pool, `SELECT id FROM mailcow_scim_users WHERE id IN (?)`, [ids])).toEqual([]);
    const mailboxes = await rowsOf(t.db.pool, `SELECT username, active FROM mailbox WHERE username LIKE 'u%@race.org'`);
    expect(mailboxes).toHaveLength(PAIRS);
    expect(mailboxes.filter((m) => Number(m.active) !== 2)).toEqual([]);
    expect(await partialMailboxes(t.db.pool)).toEqual([]);
  });

  it(`${PAIRS} pairs of (PUT or PATCH, DELETE) of one group: 200 or 404, never 500; the deleted groups leave nothing`, async () => {
    const member = await createUser('member');
    const writes: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const g = await api.post('/Groups', { schemas: [GROUP], displayName: `Group ${i}`, members: [{ value: member }], 'urn:ietf:params:scim:schemas:extension:mailcow:2.0:Group': { address: `group${i}@race.org` } });
      expect(g.status, g.text).toBe(201);
      ids.push(g.body.id);
      const write =
        i % 2 === 0
          ? api.put(`/Groups/${g.body.id}`, { schemas: [GROUP], displayName: `Put ${i}` })
          : api.patch(`/Groups/${g.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: `Patch ${i}` }] });
      const [w, d] = await Promise.all([write, api.delete(`/Groups/${g.body.id}`)]);
      writes.push(w.status);
      expect(d.status, d.text).toBe(204);
      if (w.status !== 200) expect(w.body, w.text).toMatchObject({ status: '404', detail: `No Group with id "${g.body.id}".` });
    }
    expect(Object.keys(tally(writes)).filter((s) => s !== '200' && s !== '404'), JSON.stringify(tally(writes))).toEqual([]);
    expect(await rowsOf(t.db.pool, `SELECT id FROM mailcow_scim_groups WHERE id IN (?)`, [ids])).toEqual([]);
    expect(await rowsOf(t.db.pool, `SELECT group_id FROM mailcow_scim_group_members WHERE group_id IN (?)`, [ids])).toEqual([]);
    expect(await rowsOf(t.db.pool, `SELECT address FROM alias WHERE address LIKE 'group%@race.org'`)).toEqual([]);
    expect(await partialMailboxes(t.db.pool)).toEqual([]);
  });

  it('3 rounds of 24 group creates at once, all naming the same members: every one succeeds (no deadlock 500)', async () => {
    const members = [await createUser('shared1'), await createUser('shared2'), await createUser('shared3')];
    const failed: string[] = [];
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) => api.post('/Groups', { schemas: [GROUP], displayName: `Shared ${round}.${i}`, members: members.map((value) => ({ value })) })),
      );
      failed.push(...results.filter((r) => r.status !== 201).map((r) => `${r.status} ${r.text.slice(0, 120)}`));
    }
    expect(failed).toEqual([]);
    expect((await api.get(`/Users/${members[0]}`)).body.groups).toHaveLength(72);
  });

  it(`${PAIRS} group changes adding a member that is being deleted: 201/200 or 400 unknown member, never 500`, async () => {
    const g = await api.post('/Groups', { schemas: [GROUP], displayName: 'Joiners' });
    expect(g.status, g.text).toBe(201);
    const statuses: number[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const id = await createUser(`j${i}`);
      const write =
        i % 2 === 0
          ? api.post('/Groups', { schemas: [GROUP], displayName: `With j${i}`, members: [{ value: id }] })
          : api.patch(`/Groups/${g.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }] });
      const [w, d] = await Promise.all([write, api.delete(`/Users/${id}`)]);
      expect(d.status, d.text).toBe(204);
      statuses.push(w.status);
      if (w.status === 400) expect(w.body, w.text).toMatchObject({ scimType: 'invalidValue', detail: expect.stringMatching(/^Unknown members/) });
    }
    expect(Object.keys(tally(statuses)).filter((s) => !['200', '201', '400'].includes(s)), JSON.stringify(tally(statuses))).toEqual([]);
    // A member that was deleted after joining left the group again: no membership of a deleted user remains.
    expect(await rowsOf(t.db.pool, `SELECT m.user_id FROM mailcow_scim_group_members m LEFT JOIN mailcow_scim_users u ON u.id = m.user_id WHERE u.id IS NULL`)).toEqual([]);
    expect((await api.get(`/Groups/${g.body.id}`)).body.members ?? []).toEqual([]);
    expect(await partialMailboxes(t.db.pool)).toEqual([]);
  });
});
