/**
 * A create runs under READ COMMITTED (create-user.ts: it takes the domain row last, and its limit
 * count must see every create committed before it) on connections whose session default is
 * that level (pool.ts `readCommitted`), so it sends no `SET TRANSACTION` of its own. Here the
 * create is held at the domain lock and its transaction's level read from InnoDB; the main
 * pool's connections keep the server's default, which the reads and the other changes rely on.
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
  t = await startTestSidecar({ domains: [{ domain, mailboxes: 10, quotaMiB: 100_000 }] });
  const token = await t.sidecar.tokens.create('create-isolation', { domains: [domain] });
  api = scimClient('http://localhost/scim/v2', token.secret, t.httpSocket);
});
afterAll(async () => {
  await t?.stop();
});

it('a create waiting for its domain lock is a READ COMMITTED transaction; the main pool stays at the default', async () => {
  let hold: PoolConnection | undefined = await t.db.pool.getConnection();
  try {
    await hold.beginTransaction();
    await hold.query(`SELECT domain FROM domain WHERE domain = ? FOR UPDATE`, [domain]);
    const created = api.post('/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `held@${domain}` });
    const level = await waitFor('the create to wait for the domain row', async () => {
      const [rows] = await t.db.pool.query<RowDataPacket[]>(
        `SELECT trx_isolation_level AS level FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT' AND trx_query LIKE '%FROM domain d WHERE d.domain = ? FOR UPDATE%'`,
      );
      return rows[0] ? String(rows[0].level) : undefined;
    });
    expect(level).toBe('READ COMMITTED');
    await hold.commit();
    hold.release();
    hold = undefined;
    expect((await created).status).toBe(201);
  } finally {
    if (hold) {
      await hold.rollback().catch(() => undefined);
      hold.release();
    }
  }
  const [[main]] = await t.sidecar.pool.query<RowDataPacket[]>(`SELECT @@session.tx_isolation = @@global.tx_isolation AS same`);
  expect(Number(main!.same)).toBe(1);
});
