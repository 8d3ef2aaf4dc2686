/**
 * A create runs under READ COMMITTED (create-user.ts: it takes the domain row last, and its limit
 * count must see every create committed before it) on connections whose session default is
 * that level (pool.ts `readCommitted`), so it sends no `SET TRANSACTION` of its own. Here the
 * create is held at the domain lock while a mailbox is added and committed beside it: its count
 * must see that mailbox, which a REPEATABLE READ snapshot taken at its first read would not. The
 * main pool's connections keep the server's default, which the reads and the other changes
 * rely on.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { waitFor } from '../../helpers/process-fixture.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

const domain = `t${randomBytes(4).toString('hex')}.example`;
let t: TestSidecar;
let api: ReturnType<typeof scimClient>;

beforeAll(async () => {
  // Room for one mailbox more than there is.
  t = await startTestSidecar({ domains: [{ domain, mailboxes: 1, quotaMiB: 100_000 }] });
  const token = await t.sidecar.tokens.create('create-isolation', { domains: [domain] });
  api = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
});
afterAll(async () => {
  await t?.stop();
});

it('a create held at its domain lock counts a mailbox committed meanwhile (READ COMMITTED); the main pool stays at the default', async () => {
  let hold: PoolConnection | undefined = await t.db.pool.getConnection();
  try {
    await hold.beginTransaction();
    await hold.query(`SELECT domain FROM domain WHERE domain = ? FOR UPDATE`, [domain]);
    const created = api.post('/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `held@${domain}` });
    // The lock's statement goes with the create's held writes, as text with its value in place
    // (statement-batch.ts); the server lists it while it waits.
    await waitFor('the create to wait for the domain row', async () => {
      const [rows] = await t.db.pool.query<RowDataPacket[]>(
        `SELECT id FROM information_schema.processlist WHERE db = DATABASE() AND info LIKE CONCAT('%FROM domain d WHERE d.domain = ', QUOTE(?), ' FOR UPDATE%')`,
        [domain],
      );
      return rows.length > 0;
    });
    // mailcow's own add, committed while the create waits: the domain is full now.
    await t.db.pool.query(
      `INSERT INTO mailbox (username, password, name, quota, local_part, domain, attributes, authsource, active, kind) VALUES (?, '', 'UI', 0, 'ui', ?, '{}', 'mailcow', 1, '')`,
      [`ui@${domain}`, domain],
    );
    await hold.commit();
    hold.release();
    hold = undefined;
    const res = await created;
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.scimType).toBe('invalidValue');
    expect(String(res.body.detail)).toContain('allows 1 mailboxes');
    const [left] = await t.db.pool.query<RowDataPacket[]>(`SELECT username FROM mailbox WHERE domain = ? ORDER BY username`, [domain]);
    expect(left.map((r) => r.username)).toEqual([`ui@${domain}`]);
  } finally {
    if (hold) {
      await hold.rollback().catch(() => undefined);
      hold.release();
    }
  }
  const [[main]] = await t.sidecar.pool.query<RowDataPacket[]>(`SELECT @@session.tx_isolation = @@global.tx_isolation AS same`);
  expect(Number(main!.same)).toBe(1);
});
