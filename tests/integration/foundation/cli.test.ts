import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_MODULES, loadCommands, runCli } from '../../../server/src/cli/cli.js';
import { createLogger } from '../../../server/src/logging.js';
import { prepareDatabase } from '../../../server/src/main.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ domains: [{ domain: 'example.org' }, { domain: 'other.org' }] });
  await prepareDatabase(db.pool, { ensureAuthsource: true }, createLogger({ level: 'silent' }));
});
afterAll(async () => {
  await db?.drop();
});

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const sink = (f: (s: string) => void) => new Writable({ write: (c, _e, d) => (f(String(c)), d()) });
  const code = await runCli(argv, { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), env: { MARIADB_URL: db.url } });
  return { code, out, err };
}

describe('mailcow-scim CLI', () => {
  it('dispatches by the paths each command module defines, no more and no fewer', async () => {
    for (const module of COMMAND_MODULES) {
      expect((await module.load()).map((c) => c.path.join(' '))).toEqual(module.paths.map((p) => p.join(' ')));
    }
  });

  it('has --help on every command', async () => {
    for (const c of await loadCommands()) {
      const r = await cli(...c.path, '--help');
      expect(r.code, c.path.join(' ')).toBe(0);
      expect(r.out).toContain(`Usage: mailcow-scim ${c.path.join(' ')}`);
    }
  });

  it('token create --json prints id and token once; list never shows the secret', async () => {
    const created = await cli('token', 'create', '--name', 'Entra', '--domain', 'example.org', '--default-domain', 'example.org', '--json');
    expect(created.code).toBe(0);
    const t = JSON.parse(created.out);
    expect(t.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(t.token).toMatch(/^mcs_/);
    expect(t.policy).toMatchObject({ domains: ['example.org'], defaultDomain: 'example.org', onDeactivate: 2, onDelete: 'deactivate' });
    const list = await cli('token', 'list', '--json');
    expect(JSON.parse(list.out).map((x: { id: string }) => x.id)).toContain(t.id);
    expect(list.out).not.toContain(t.token);
    const [[row]] = (await db.pool.query(`SELECT HEX(token_hash) AS h, prefix FROM mailcow_scim_tokens WHERE id = ?`, [t.id])) as never as [[{ h: string; prefix: string }]];
    expect(row.h).toHaveLength(64);
    expect(t.token.startsWith(row.prefix)).toBe(true);

    const updated = await cli('token', 'update', t.id, '--on-delete', 'delete', '--ip', '10.0.0.0/8', '--json');
    expect(JSON.parse(updated.out).policy).toMatchObject({ onDelete: 'delete', ipAllowList: ['10.0.0.0/8'], domains: ['example.org'] });

    const revoked = await cli('token', 'revoke', t.id, '--json');
    expect(JSON.parse(revoked.out)).toMatchObject({ active: false });
    expect(JSON.parse((await cli('token', 'list', '--json')).out)).toEqual([]);
  });

  it('refuses unknown domains and bad options with a clear message', async () => {
    const r = await cli('token', 'create', '--name', 'x', '--domain', 'nowhere.org');
    expect(r.code).toBe(1);
    expect(r.err).toContain('domains not found in mailcow: nowhere.org');
    const u = await cli('token', 'create', '--name', 'x');
    expect(u.code).toBe(2);
    expect(u.err).toContain('--domain');
    const bad = await cli('token', 'create', '--bogus');
    expect(bad.code).toBe(2);
  });

  it('doctor reports each check', async () => {
    const r = await cli('doctor');
    expect(r.out).toMatch(/ok\s+database reachable/);
    expect(r.out).toMatch(/ok\s+mailbox.authsource accepts 'scim'/);
  });
});
