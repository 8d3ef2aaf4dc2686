/**
 * Issue 15 item 2, rows written by older versions: a resource stored with an unpaired surrogate
 * escape (accepted before values were checked) made every JSON filter of its token answer 500.
 * Migration 4 repairs such rows when the sidecar starts and adds a CHECK so that no write, from
 * any version, can store a resource MariaDB cannot read as JSON again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { partialMailboxes, rowsOf } from '../../helpers/mailcow-rows.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';
import { startTestSidecar } from '../../helpers/sidecar.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

let db: TestDatabase;
const ids: { phone: string; broken: string; clean: string; group: string } = { phone: '', broken: '', clean: '', group: '' };
let token = '';

/** What a database looks like after an older version ran on it: schema 3, no CHECK, poisoned rows. */
async function poisonLikeAnOlderVersion(): Promise<void> {
  await db.pool.query(`ALTER TABLE mailcow_scim_users DROP CONSTRAINT IF EXISTS ck_mailcow_scim_users_resource`);
  await db.pool.query(`ALTER TABLE mailcow_scim_groups DROP CONSTRAINT IF EXISTS ck_mailcow_scim_groups_resource`);
  await db.pool.query(`UPDATE mailcow_scim_meta SET value = '3' WHERE name = 'schema_version'`);
  await db.pool.query(`DELETE FROM mailcow_scim_meta WHERE name = 'migration:0004'`);
  // Exactly the text an older version stored for "+49 1\ud800": JSON.stringify escapes the lone half.
  const poisoned = JSON.stringify({ schemas: [CORE], userName: 'phone@example.org', phoneNumbers: [{ value: '+49 1\ud800', type: 'work' }], name: { givenName: '\udfffX' } });
  expect(poisoned).toContain('\\ud800');
  await db.pool.query(`UPDATE mailcow_scim_users SET resource = ? WHERE id = ?`, [poisoned, ids.phone]);
  await db.pool.query(`UPDATE mailcow_scim_users SET resource = ? WHERE id = ?`, ['{"schemas":["not json', ids.broken]);
  await db.pool.query(`UPDATE mailcow_scim_groups SET resource = ? WHERE id = ?`, [JSON.stringify({ schemas: [GROUP], displayName: 'Team', externalId: 'g\ud800' }), ids.group]);
  expect(await rowsOf(db.pool, `SELECT id FROM mailcow_scim_users WHERE NOT JSON_VALID(resource) ORDER BY id`)).toHaveLength(2);
}

beforeAll(async () => {
  db = await createTestDatabase({ domains: [{ domain: 'example.org' }] });
  const first = await startTestSidecar({ db });
  token = (await first.sidecar.tokens.create('old', { domains: ['example.org'], defaultDomain: 'example.org' })).secret;
  const api = scimClient(first.baseUrl, token);
  for (const name of ['phone', 'broken', 'clean'] as const) {
    const r = await api.post('/Users', { schemas: [CORE], userName: `${name}@example.org`, displayName: `User ${name}`, phoneNumbers: [{ value: '+49 30 2', type: 'home' }] });
    expect(r.status, r.text).toBe(201);
    ids[name] = r.body.id;
  }
  const g = await api.post('/Groups', { schemas: [GROUP], displayName: 'Team', members: [{ value: ids.clean }] });
  expect(g.status, g.text).toBe(201);
  ids.group = g.body.id;
  await first.stop();
  await poisonLikeAnOlderVersion();
});
afterAll(async () => {
  await db?.drop();
});

describe('resources stored by older versions', () => {
  it('are repaired when the sidecar starts: every filter over the JSON answers again, and the rows read back', async () => {
    const t = await startTestSidecar({ db });
    try {
      const api = scimClient(t.baseUrl, token);
      expect(await rowsOf(db.pool, `SELECT id FROM mailcow_scim_users WHERE NOT JSON_VALID(resource)`)).toEqual([]);
      expect(await rowsOf(db.pool, `SELECT id FROM mailcow_scim_groups WHERE NOT JSON_VALID(resource)`)).toEqual([]);
      for (const filter of ['phoneNumbers.value eq "+49 30 2"', 'phoneNumbers[type eq "work" and value sw "+49"] or name.givenName pr', 'userName pr and not (ims pr)']) {
        const r = await api.get(`/Users?filter=${encodeURIComponent(filter)}`);
        expect(r.status, `${filter}: ${r.text}`).toBe(200);
      }
      // The unpaired halves became U+FFFD; the filter finds the value by it.
      const phone = await api.get(`/Users?filter=${encodeURIComponent('phoneNumbers.value eq "+49 1\ufffd"')}`);
      expect(phone.body.Resources.map((u: { id: string }) => u.id)).toEqual([ids.phone]);
      expect(phone.body.Resources[0].name).toEqual({ givenName: '\ufffdX' });
      // A resource that was not JSON at all is rebuilt from its columns.
      const broken = await api.get(`/Users/${ids.broken}`);
      expect(broken.status, broken.text).toBe(200);
      expect(broken.body).toMatchObject({ userName: 'broken@example.org', displayName: 'User broken', active: true });
      const group = await api.get(`/Groups?filter=${encodeURIComponent('externalId eq "g\ufffd"')}`);
      expect(group.status, group.text).toBe(200);
      expect((await api.get(`/Groups/${ids.group}`)).body.externalId).toBe('g\ufffd');
      expect(await partialMailboxes(db.pool)).toEqual([]);
    } finally {
      await t.stop();
    }
  });

  it('cannot come back: the CHECK refuses a resource that is not JSON, whoever writes it', async () => {
    const write = db.pool.query(`UPDATE mailcow_scim_users SET resource = ? WHERE id = ?`, [JSON.stringify({ userName: '\ud800' }), ids.clean]);
    await expect(write).rejects.toMatchObject({ errno: 4025 });
    await expect(db.pool.query(`UPDATE mailcow_scim_groups SET resource = 'x' WHERE id = ?`, [ids.group])).rejects.toMatchObject({ errno: 4025 });
  });
});
