/**
 * The lock a user change takes reads its mailbox, its owned aliases, two templates and the IdP
 * setting in one statement (mailcow/user-lock.ts). It must lock what the separate reads locked
 * (the user and its mailbox) and nothing more: a template or the IdP row locked by one change
 * would make every other change wait for it, and an owned alias row locked would stop other
 * users' alias changes. And what it read must be what the separate reads would have read.
 */
import { randomBytes } from 'node:crypto';
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MailcowTx } from '../../../server/src/mailcow/change-tx.js';
import type { Caller } from '../../../server/src/users/index.js';
import { scimClient } from '../../helpers/http.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const MC = 'urn:ietf:params:scim:schemas:extension:mailcow:2.0:User';
const domain = `t${randomBytes(4).toString('hex')}.example`;
let t: TestSidecar;
let api: ReturnType<typeof scimClient>;
let caller: Caller;
let userId: string;

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain, mailboxes: 100, quotaMiB: 100_000 }] });
  await t.db.pool.query(`INSERT INTO templates (template, type, attributes) VALUES ('Locked', 'mailbox', '{"quota": 0, "tags": ["locked"]}')`);
  await t.db.pool.query(`INSERT INTO identity_provider (\`key\`, \`value\`) VALUES ('authsource', 'keycloak')`);
  const issued = await t.sidecar.tokens.create('user-lock', { domains: [domain], aliasSync: true, defaultTemplate: 'Locked' });
  caller = { token: issued.token, requestId: 'user-lock-test', clientIp: null };
  api = scimClient('http://localhost/scim/v2', issued.secret, t.httpSocket);
  const created = await api.post('/Users', {
    schemas: [CORE, MC],
    userName: `lock@${domain}`,
    emails: [
      { value: `lock@${domain}`, type: 'work', primary: true },
      { value: `lock.b@${domain}`, type: 'other' },
      { value: `lock.a@${domain}`, type: 'other' },
    ],
  });
  expect(created.status, created.text).toBe(201);
  userId = created.body.id;
});
afterAll(async () => {
  await t?.stop();
});

/** Runs `fn` with the user locked the way a change locks it, in an open transaction. */
async function withUserLocked(fn: (tx: MailcowTx) => Promise<void>): Promise<void> {
  const conn = await t.db.pool.getConnection();
  try {
    await conn.beginTransaction();
    const tx = new MailcowTx(conn, caller, { sogo: true });
    await tx.users.lock(userId);
    await fn(tx);
  } finally {
    await conn.rollback();
    conn.release();
  }
}

/** Whether another transaction can lock the rows `sql` selects without waiting. */
async function lockable(sql: string, params: unknown[] = []): Promise<boolean> {
  const other: PoolConnection = await t.db.pool.getConnection();
  try {
    await other.beginTransaction();
    await other.query(`${sql} FOR UPDATE NOWAIT`, params);
    return true;
  } catch (e) {
    if ((e as { errno?: number }).errno === 1205 || (e as { errno?: number }).errno === 3572) return false;
    throw e;
  } finally {
    await other.rollback();
    other.release();
  }
}

it('locks the user and its mailbox, and not the templates, the IdP setting or the owned aliases it reads', async () => {
  await withUserLocked(async () => {
    expect(await lockable(`SELECT id FROM mailcow_scim_users WHERE id = ?`, [userId])).toBe(false);
    expect(await lockable(`SELECT username FROM mailbox WHERE username = ?`, [`lock@${domain}`])).toBe(false);
    expect(await lockable(`SELECT id FROM templates WHERE type = 'mailbox'`)).toBe(true);
    expect(await lockable(`SELECT \`key\` FROM identity_provider`)).toBe(true);
    expect(await lockable(`SELECT address FROM mailcow_scim_owned_aliases WHERE user_id = ?`, [userId])).toBe(true);
  });
});

it('what the lock read is what the separate reads return', async () => {
  const [[mailbox]] = await t.db.pool.query<RowDataPacket[]>(`SELECT attributes FROM mailbox WHERE username = ?`, [`lock@${domain}`]);
  await withUserLocked(async (tx) => {
    expect(await tx.settings.template('Locked')).toEqual({ name: 'Locked', attributes: { quota: 0, tags: ['locked'] } });
    expect(await tx.settings.template(null)).toMatchObject({ name: 'Default' });
    expect(await tx.settings.idpAuthsource()).toBe('keycloak');
    const locked = await tx.mailboxes.lock(`lock@${domain}`);
    expect(locked).toMatchObject({ username: `lock@${domain}`, domain, active: 1, authsource: 'scim', scimManaged: true, kind: '', attributes: String(mailbox!.attributes) });
  });
  // The same through a fresh transaction that did not lock the user first.
  const conn = await t.db.pool.getConnection();
  try {
    await conn.beginTransaction();
    const tx = new MailcowTx(conn, caller, { sogo: true });
    expect(await tx.settings.template('Locked')).toEqual({ name: 'Locked', attributes: { quota: 0, tags: ['locked'] } });
    expect(await tx.settings.idpAuthsource()).toBe('keycloak');
  } finally {
    await conn.rollback();
    conn.release();
  }
});

it('an alias sync after the lock keeps, adds and removes exactly as before', async () => {
  const aliases = async () => (await t.db.pool.query<RowDataPacket[]>(`SELECT address FROM mailcow_scim_owned_aliases WHERE user_id = ? ORDER BY address`, [userId]))[0].map((r) => r.address);
  expect(await aliases()).toEqual([`lock.a@${domain}`, `lock.b@${domain}`]);
  const patched = await api.patch(`/Users/${userId}`, {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'replace', path: 'emails', value: [{ value: `lock@${domain}`, type: 'work', primary: true }, { value: `lock.c@${domain}`, type: 'other' }, { value: `lock.a@${domain}`, type: 'other' }] }],
  });
  expect(patched.status, patched.text).toBe(200);
  expect(await aliases()).toEqual([`lock.a@${domain}`, `lock.c@${domain}`]);
  expect((await t.db.pool.query<RowDataPacket[]>(`SELECT address FROM alias WHERE address IN (?) ORDER BY address`, [[`lock.b@${domain}`, `lock.c@${domain}`]]))[0]).toEqual([{ address: `lock.c@${domain}` }]);
});

it('a list of owned aliases longer than the session allows an aggregate is not cut short', async () => {
  const conn = await t.db.pool.getConnection();
  try {
    // Far too short for two addresses: MariaDB would cut the list and still return valid JSON.
    await conn.query('SET SESSION group_concat_max_len = 8');
    await conn.beginTransaction();
    const tx = new MailcowTx(conn, caller, { sogo: true });
    await tx.users.lock(userId);
    await tx.aliases.sync(userId, `lock@${domain}`, [`lock.a@${domain}`], 'mailcow-scim: SCIM user lock');
    const [rows] = await conn.query<RowDataPacket[]>(`SELECT address FROM mailcow_scim_owned_aliases WHERE user_id = ? ORDER BY address`, [userId]);
    expect(rows.map((r) => r.address)).toEqual([`lock.a@${domain}`]);
  } finally {
    await conn.rollback();
    await conn.query('SET SESSION group_concat_max_len = DEFAULT');
    conn.release();
  }
});
