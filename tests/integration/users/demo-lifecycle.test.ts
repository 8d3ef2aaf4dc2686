/** The scripted lifecycle that docs/users.md tells admins to run against the demo really works. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mailboxFootprint } from '../../helpers/mailcow-rows.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

let t: TestSidecar;
beforeAll(async () => {
  t = await startTestSidecar();
});
afterAll(async () => t?.stop());

it('scripts/demo-lifecycle.sh runs every step against a sidecar on TCP', async () => {
  const token = (await t.sidecar.tokens.create('demo', { domains: ['example.org'], defaultDomain: 'example.org' })).secret;
  const { stdout } = await promisify(execFile)('bash', ['scripts/demo-lifecycle.sh'], { env: { ...process.env, BASE: t.baseUrl, TOKEN: token, DOMAIN: 'example.org' } });
  expect(stdout).toContain('ok   create');
  expect(stdout).toContain('ok   re-hire');
  expect(stdout).toContain('lifecycle complete for jane.doe@example.org');
  const f = await mailboxFootprint(t.db.pool, 'jane.doe@example.org');
  expect(f.mailbox).toMatchObject({ active: 1, authsource: 'scim', name: 'Jane Doe' });
  // The alias from the secondary e-mail survived the soft delete and was re-synced (dropped) at re-hire.
  expect(f.aliases).toEqual([]);
});
