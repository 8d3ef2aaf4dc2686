/**
 * `doctor` compares every 'scim' mailbox's `_sogo_static_view` row with what mailcow's refresh
 * would write now and reports the drift without writing; `doctor --repair` (the real command)
 * writes it: a missing row inserted, a wrong one corrected, the row of an inactive mailbox and
 * of a mailbox that is gone removed; rows of mailboxes that are not ours are left alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../../server/src/install/doctor.js';
import { refreshSogoViewRows } from '../../../server/src/mailcow/sogo-view.js';
import { runBinary } from '../../helpers/cli-binary.js';
import { scimClient } from '../../helpers/http.js';
import { partialMailboxes, rowsOf } from '../../helpers/mailcow-rows.js';
import { CORE_USER, PATCH_OP } from '../../helpers/process-fixture.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

let t: TestSidecar;
const D = 'drift.org';
const sogoRows = () => rowsOf(t.db.pool, `SELECT * FROM _sogo_static_view ORDER BY c_uid`);

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain: D }] });
});
afterAll(async () => t?.stop());

describe('SOGo view rows that drifted', () => {
  it('doctor reports them and writes nothing; doctor --repair writes what mailcow would', async () => {
    const token = (await t.sidecar.tokens.create('drift', { domains: [D] })).secret;
    const api = scimClient('http://localhost/scim/v2', token, t.httpSocket);
    const ids: Record<string, string> = {};
    for (const u of ['keep', 'lost', 'wrong', 'parked']) {
      const r = await api.post('/Users', { schemas: [CORE_USER], userName: `${u}@${D}`, displayName: u });
      expect(r.status, r.text).toBe(201);
      ids[u] = r.body.id;
    }
    expect((await api.patch(`/Users/${ids.parked}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] })).status).toBe(200);
    const whole = await sogoRows();
    expect(whole.map((r) => r.c_uid)).toEqual([`keep@${D}`, `lost@${D}`, `wrong@${D}`]);

    // Drift, as a crash before the outbox or a hand edit leaves it.
    await t.db.pool.query(`DELETE FROM _sogo_static_view WHERE c_uid = ?`, [`lost@${D}`]);
    await t.db.pool.query(`UPDATE _sogo_static_view SET c_cn = 'Somebody else', aliases = 'x@${D}' WHERE c_uid = ?`, [`wrong@${D}`]);
    const insert = `INSERT INTO _sogo_static_view (c_uid, domain, c_name, c_password, c_cn, mail, aliases, ad_aliases, ext_acl, kind, multiple_bookings) VALUES (?, ?, ?, '', ?, ?, '', '', '', '', -1)`;
    await t.db.pool.query(insert, [`parked@${D}`, D, `parked@${D}`, 'parked', `parked@${D}`]);
    await t.db.pool.query(insert, [`gone@${D}`, D, `gone@${D}`, 'gone', `gone@${D}`]);
    // A mailbox of mailcow's own (not 'scim'), inactive, with a row: not ours to judge.
    await t.db.pool.query(`INSERT INTO mailbox (username, password, name, local_part, domain, quota, active, authsource) SELECT 'admin@${D}', password, 'Admin', 'admin', domain, quota, 0, 'mailcow' FROM mailbox WHERE username = ?`, [`keep@${D}`]);
    await t.db.pool.query(insert, [`admin@${D}`, D, `admin@${D}`, 'Admin', `admin@${D}`]);
    const drifted = await sogoRows();

    const options = { pool: t.db.pool, tokens: t.sidecar.tokens, config: { httpSocket: '', rpcSocket: '', metricsPort: undefined, image: undefined } };
    const report = await runDoctor(options);
    const check = report.checks.find((c) => c.name.startsWith('SOGo view rows'));
    expect(check).toMatchObject({ status: 'fail' });
    expect(check!.detail).toContain(`1 missing (lost@${D})`);
    expect(check!.detail).toContain(`1 different from mailcow's refresh (wrong@${D})`);
    expect(check!.detail).toContain(`2 of no active mailbox (parked@${D}, gone@${D})`);
    expect(report.checks.find((c) => c.name === 'post-commit work done (outbox)')).toMatchObject({ status: 'ok', detail: '0 pending, 0 failing' });
    expect(await sogoRows()).toEqual(drifted);

    const run = await runBinary(['doctor', '--repair', '--json'], { env: { MARIADB_URL: t.db.url, SCIM_HTTP_SOCKET: '/nonexistent/http.sock', SCIM_RPC_SOCKET: '' } });
    const repaired = run.json<{ repairs: string[]; checks: { name: string; status: string }[] }>();
    expect(repaired.repairs, run.stdout + run.stderr).toContain('SOGo view rows: 1 inserted, 1 corrected, 2 removed');
    expect(repaired.checks.find((c) => c.name.startsWith('SOGo view rows'))).toMatchObject({ status: 'ok' });

    const after = await sogoRows();
    expect(after.map((r) => r.c_uid)).toEqual([`admin@${D}`, `keep@${D}`, `lost@${D}`, `wrong@${D}`]);
    // Each 'scim' row is what mailcow's refresh writes from the mailbox now.
    expect(after.filter((r) => r.c_uid !== `admin@${D}`)).toEqual(whole);
    await refreshSogoViewRows(t.db.pool, [`keep@${D}`, `lost@${D}`, `wrong@${D}`, `parked@${D}`]);
    expect(await sogoRows()).toEqual(after);
    expect(await partialMailboxes(t.db.pool)).toEqual([]);
    expect((await runDoctor(options)).checks.find((c) => c.name.startsWith('SOGo view rows'))).toMatchObject({ status: 'ok' });
  });
});
