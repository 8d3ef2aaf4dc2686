/** With SCIM_MAILCOW_UI_LOG, changes also appear in mailcow's own UI log (`logs`). */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { rowsOf } from '../../helpers/mailcow-rows.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

let t: TestSidecar;
beforeAll(async () => {
  t = await startTestSidecar({ env: { SCIM_MAILCOW_UI_LOG: 'true' } });
});
afterAll(async () => t?.stop());

it('writes one logs row per change, shaped like mailcow logger() rows', async () => {
  const token = (await t.sidecar.tokens.create('Okta', { domains: ['example.org'] })).secret;
  const r = await scimClient('http://localhost/scim/v2', token, t.httpSocket).post('/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'logged@example.org' }, { 'x-real-ip': '192.0.2.9' });
  expect(r.status).toBe(201);
  const logs = await rowsOf(t.db.pool, `SELECT task, type, msg, user, role, remote FROM logs`);
  expect(logs).toHaveLength(1);
  expect(logs[0]).toMatchObject({ type: 'success', msg: '["scim_create","logged@example.org"]', user: 'SCIM (Okta)', role: 'admin', remote: '192.0.2.9' });
  expect(String(logs[0]!.task)).toMatch(/^[0-9A-F]{6}$/);
});
