/**
 * PUT and PATCH of a User answer with the user as the change left it, without reading it back
 * (users/change-user.ts): that answer, body and ETag, must be exactly what a GET returns
 * afterwards, whatever the change touched (the mailbox's active flag, its name, its quota as the
 * template or the IdP sets it, the userName and the alias it becomes, the user's groups).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const MC = 'urn:ietf:params:scim:schemas:extension:mailcow:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const MIB = 1024 * 1024;
const domain = `t${randomBytes(4).toString('hex')}.example`;
let t: TestSidecar;
let api: ReturnType<typeof scimClient>;

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain, mailboxes: 100, defquotaMiB: 1024, maxquotaMiB: 4096, quotaMiB: 100_000 }] });
  await t.db.pool.query(`INSERT INTO templates (template, type, attributes) VALUES ('Sales', 'mailbox', ?)`, [JSON.stringify({ quota: 2048 * MIB, tags: ['sales'] })]);
  const token = await t.sidecar.tokens.create('update-response', {
    domains: [domain],
    aliasSync: true,
    templateRules: [{ filter: `${ENT}:department eq "Sales"`, template: 'Sales' }],
  });
  api = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
});
afterAll(async () => {
  await t?.stop();
});

const body = (local: string, extra: Record<string, unknown> = {}) => ({
  schemas: [CORE, ENT, MC],
  userName: `${local}@${domain}`,
  externalId: `ext-${local}`,
  displayName: `Name ${local}`,
  name: { givenName: 'Given', familyName: local },
  emails: [{ value: `${local}@${domain}`, type: 'work', primary: true }],
  [ENT]: { department: 'Support' },
  ...extra,
});

const patch = (...ops: Record<string, unknown>[]) => ({ schemas: [PATCH_OP], Operations: ops });

/** A user with mail in its mailbox, so that the answer must carry what quota2 holds. */
async function userWithMail(local: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await api.post('/Users', body(local, extra));
  expect(created.status, created.text).toBe(201);
  await t.db.pool.query(`UPDATE quota2 SET bytes = 123456, messages = 7 WHERE username = ?`, [`${local}@${domain}`]);
  return created.body.id;
}

/** The answer of a change is what the GET after it returns. */
async function expectAnswerIsGet(res: { status: number; text: string; body: any; headers: Record<string, unknown> }, id: string): Promise<any> {
  expect(res.status, res.text).toBe(200);
  const read = await api.get(`/Users/${id}`);
  expect(read.status).toBe(200);
  expect(res.body).toEqual(read.body);
  expect(res.headers.etag).toBe(read.headers.etag);
  return read.body;
}

it('a deactivating PATCH (and a reactivating one) answers like a GET', async () => {
  const id = await userWithMail('deact');
  const before = (await api.get(`/Users/${id}`)).body;
  const off = await expectAnswerIsGet(await api.patch(`/Users/${id}`, patch({ op: 'replace', path: 'active', value: false })), id);
  expect(off.active).toBe(false);
  expect(off[MC]).toMatchObject({ usedBytes: 123456, messageCount: 7 });
  expect(off.meta.version).not.toBe(before.meta.version);
  const on = await expectAnswerIsGet(await api.patch(`/Users/${id}`, patch({ op: 'replace', path: 'active', value: true })), id);
  expect(on.active).toBe(true);
  expect(on.meta.version).not.toBe(off.meta.version);
});

it('a rename (new userName, new displayName) answers like a GET', async () => {
  const id = await userWithMail('rename');
  const read = await expectAnswerIsGet(
    await api.patch(`/Users/${id}`, patch({ op: 'replace', path: 'userName', value: `renamed@${domain}` }, { op: 'replace', path: 'displayName', value: 'Renamed Person' })),
    id,
  );
  expect(read.userName).toBe(`renamed@${domain}`);
  expect(read.displayName).toBe('Renamed Person');
  // The mailbox keeps its address; the new userName became an alias of it.
  expect((await t.db.pool.query(`SELECT goto FROM alias WHERE address = ?`, [`renamed@${domain}`]))[0]).toEqual([{ goto: `rename@${domain}` }]);
});

it('an explicit quota change answers like a GET, with the quota mailcow now has', async () => {
  const id = await userWithMail('quota');
  const read = await expectAnswerIsGet(await api.patch(`/Users/${id}`, patch({ op: 'replace', path: `${MC}:quota`, value: 3000 })), id);
  const [[row]] = (await t.db.pool.query(`SELECT quota FROM mailbox WHERE username = ?`, [`quota@${domain}`])) as any;
  expect(Number(row.quota)).toBe(3000 * MIB);
  expect(read[MC].quota).toBe(3000);
});

it("a template change (a rule now picks Sales) answers like a GET, with the template's quota", async () => {
  const id = await userWithMail('tmpl');
  const before = (await api.get(`/Users/${id}`)).body;
  await expectAnswerIsGet(await api.patch(`/Users/${id}`, patch({ op: 'replace', path: `${ENT}:department`, value: 'Sales' })), id);
  const [[row]] = (await t.db.pool.query(`SELECT quota FROM mailbox WHERE username = ?`, [`tmpl@${domain}`])) as any;
  expect(Number(row.quota)).toBe(2048 * MIB);
  expect((await api.get(`/Users/${id}`)).body.meta.version).not.toBe(before.meta.version);
});

it('a PUT (new name, inactive) answers like a GET', async () => {
  const id = await userWithMail('put');
  const read = await expectAnswerIsGet(await api.put(`/Users/${id}`, body('put', { displayName: 'Put Person', active: false })), id);
  expect(read.displayName).toBe('Put Person');
  expect(read.active).toBe(false);
  const [[row]] = (await t.db.pool.query(`SELECT name, active FROM mailbox WHERE username = ?`, [`put@${domain}`])) as any;
  expect(row).toMatchObject({ name: 'Put Person', active: 2 });
});

it("a member of groups answers like a GET, groups included, when it is deactivated", async () => {
  const id = await userWithMail('member');
  for (const name of ['Zeta team', 'Alpha team']) {
    const g = await api.post('/Groups', { schemas: [GROUP], displayName: name, members: [{ value: id }] });
    expect(g.status, g.text).toBe(201);
  }
  const read = await expectAnswerIsGet(await api.patch(`/Users/${id}`, patch({ op: 'replace', path: 'active', value: false })), id);
  expect(read.groups.map((g: { display: string }) => g.display)).toEqual(['Alpha team', 'Zeta team']);
});
