/**
 * `mailcow-scim token …` through the real binary, as an admin types it (issue 13): bad template
 * rules refused at write time with their position, every policy field shown and undoable, tokens
 * named by name or id prefix, unique names, JSON errors under --json, help on stdout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../server/src/logging.js';
import { prepareDatabase } from '../../../server/src/main.js';
import { rowsOf } from '../../helpers/mailcow-rows.js';
import { runBinary } from '../../helpers/cli-binary.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';

let db: TestDatabase;
let env: Record<string, string>;
beforeAll(async () => {
  db = await createTestDatabase({ domains: [{ domain: 'example.org' }, { domain: 'other.org' }] });
  await prepareDatabase(db.pool, { ensureAuthsource: true }, createLogger({ level: 'silent' }));
  env = { MARIADB_URL: db.url };
});
afterAll(async () => {
  await db?.drop();
});

const cli = (...args: string[]) => runBinary(args, { env });

describe('template rules are checked when they are written', () => {
  it('refuses an unterminated string with exit 1, the offset and a caret under it, and stores nothing', async () => {
    const r = await cli('token', 'create', '--name', 'Entra', '--domain', 'example.org', '--template-rule', 'department eq "Sales => Default');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('templateRules[0].filter (at offset 14): unterminated string starting at position 14');
    expect(r.stderr).toContain('    department eq "Sales\n                  ^');
    expect(await rowsOf(db.pool, 'SELECT id FROM mailcow_scim_tokens')).toEqual([]);
  });

  it('refuses a rule naming an attribute Users do not have, in JSON under --json', async () => {
    const r = await cli('token', 'create', '--name', 'Entra', '--domain', 'example.org', '--template-rule', 'title eq "x" and dept eq "Sales" => Default', '--json');
    expect(r.code).toBe(1);
    expect(r.json()).toEqual({
      error: {
        code: 'invalid_policy',
        message: expect.stringContaining("unknown attribute 'dept' in filter"),
        status: 400,
        scimType: 'invalidFilter',
        problems: [{ field: 'templateRules[0].filter', ruleIndex: 0, offset: 17, message: "unknown attribute 'dept' in filter", excerpt: 'title eq "x" and dept eq "Sales"\n                 ^' }],
      },
    });
  });

  it('refuses it on update too, and names the rule by its position in the list', async () => {
    const created = await cli('token', 'create', '--name', 'Rules', '--domain', 'example.org', '--template-rule', 'title eq "Boss" => Default', '--json');
    expect(created.code, created.stdout).toBe(0);
    const r = await cli('token', 'update', 'Rules', '--template-rule', 'title eq "Boss" => Default', '--template-rule', 'active eq "yes" => Default');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("templateRules[1].filter (at offset 0): 'active' is boolean");
    const shown = await cli('token', 'show', 'Rules', '--json');
    expect(shown.json<{ policy: { templateRules: unknown[] } }>().policy.templateRules).toEqual([{ filter: 'title eq "Boss"', template: 'Default' }]);
    await cli('token', 'revoke', 'Rules');
  });

  it('doctor names a stored rule that no longer passes (written before rules were checked)', async () => {
    const t = (await cli('token', 'create', '--name', 'Legacy', '--domain', 'example.org', '--json')).json<{ id: string; policy: Record<string, unknown> }>();
    await db.pool.query(`UPDATE mailcow_scim_tokens SET policy = ? WHERE id = ?`, [JSON.stringify({ ...t.policy, templateRules: [{ filter: 'department eq "Sales', template: 'Default' }] }), t.id]);
    const r = await cli('doctor');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}template rules valid: token "Legacy": templateRules\[0\]\.filter at offset 14: unterminated string/);
    expect(r.stdout).toContain("--template-rule '' to remove them");
    const fixed = await cli('token', 'update', 'legacy', '--template-rule', '');
    expect(fixed.code, fixed.stderr).toBe(0);
    expect((await cli('doctor')).stdout).toMatch(/ok {4}template rules valid/);
    await cli('token', 'revoke', 'Legacy');
  });
});

describe('every policy field is shown and can be undone', () => {
  it('show and create print groupAddressFromName, groupSenderAcl, quotaSource and the event retention', async () => {
    const r = await cli('token', 'create', '--name', 'Fields', '--domain', 'example.org', '--group-address-from-name', 'true', '--group-sender-acl', 'true', '--quota-source', 'template', '--event-retention-days', '30');
    expect(r.code, r.stderr).toBe(0);
    for (const out of [r.stdout, (await cli('token', 'show', 'Fields')).stdout]) {
      expect(out).toContain('group address from name: on');
      expect(out).toContain('group sender ACL:        on');
      expect(out).toContain("quota source:   always the mailbox template's quota");
      expect(out).toContain('event retention: 30 days');
    }
    const json = (await cli('token', 'show', 'Fields', '--json')).json<{ policy: Record<string, unknown> }>();
    expect(json.policy).toMatchObject({ groupAddressFromName: true, groupSenderAcl: true, quotaSource: 'template', eventRetentionDays: 30 });
  });

  it("--ip '' and --template-rule '' clear what was set", async () => {
    const set = await cli('token', 'update', 'Fields', '--ip', '10.0.0.0/8', '--ip', '2001:db8::/32', '--template-rule', 'title eq "Boss" => Default', '--json');
    expect(set.json<{ policy: Record<string, unknown> }>().policy).toMatchObject({ ipAllowList: ['10.0.0.0/8', '2001:db8::/32'], templateRules: [{ filter: 'title eq "Boss"', template: 'Default' }] });
    const cleared = await cli('token', 'update', 'Fields', '--ip', '', '--template-rule', '', '--json');
    expect(cleared.code, cleared.stdout).toBe(0);
    expect(cleared.json<{ policy: Record<string, unknown> }>().policy).toMatchObject({ ipAllowList: [], templateRules: [] });
    expect((await cli('token', 'show', 'Fields')).stdout).toMatch(/IP allow-list: {2}any\n[\s\S]*|rules: {10}\(none\)/);
  });
});

describe('naming tokens', () => {
  it('by name (any case), by id, or by a unique id prefix; ambiguity lists the candidates', async () => {
    const list = (await cli('token', 'list', '--json')).json<{ id: string; name: string }[]>();
    const fields = list.find((t) => t.name === 'Fields')!;
    for (const ref of ['Fields', 'fields', fields.id, fields.id.slice(0, 8)]) {
      const r = await cli('token', 'show', ref, '--json');
      expect(r.code, `${ref}: ${r.stdout}`).toBe(0);
      expect(r.json<{ id: string }>().id).toBe(fields.id);
    }
    // Two tokens whose ids share a prefix: fixed ids, so the test does not depend on luck.
    await db.pool.query(
      `INSERT INTO mailcow_scim_tokens (id, name, token_hash, prefix, policy, active, created_at, updated_at) VALUES
         ('abcd0000-0000-4000-8000-000000000001', 'Twin A', UNHEX(SHA2('a', 256)), 'mcs_a', '{"domains":["example.org"]}', 1, NOW(3), NOW(3)),
         ('abcd0000-0000-4000-8000-000000000002', 'Twin B', UNHEX(SHA2('b', 256)), 'mcs_b', '{"domains":["example.org"]}', 1, NOW(3), NOW(3))`,
    );
    const r = await cli('token', 'show', 'abcd', '--json');
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({
      error: {
        code: 'ambiguous_token',
        candidates: [
          { id: 'abcd0000-0000-4000-8000-000000000001', name: 'Twin A', revoked: false },
          { id: 'abcd0000-0000-4000-8000-000000000002', name: 'Twin B', revoked: false },
        ],
      },
    });
    const text = await cli('token', 'show', 'abcd');
    expect(text.stderr).toContain('"abcd" names 2 tokens: abcd0000-0000-4000-8000-000000000001 "Twin A", abcd0000-0000-4000-8000-000000000002 "Twin B"');
    expect((await cli('token', 'show', 'abcd0000-0000-4000-8000-000000000002', '--json')).json<{ name: string }>().name).toBe('Twin B');
    const missing = await cli('token', 'rotate', 'nobody', '--json');
    expect(missing.code).toBe(1);
    expect(missing.json()).toMatchObject({ error: { code: 'not_found', status: 404 } });
  });

  it('keeps names unique among live tokens; a revoked name can be used again', async () => {
    const dup = await cli('token', 'create', '--name', 'FIELDS', '--domain', 'example.org', '--json');
    expect(dup.code).toBe(1);
    expect(dup.json()).toMatchObject({ error: { code: 'uniqueness', status: 409, message: expect.stringContaining('A token named "Fields" exists already') } });
    const rename = await cli('token', 'update', 'Twin A', '--name', 'twin b');
    expect(rename.code).toBe(1);
    expect(rename.stderr).toContain('"Twin B" exists already');
    expect((await cli('token', 'revoke', 'Fields')).code).toBe(0);
    const again = await cli('token', 'create', '--name', 'Fields', '--domain', 'example.org', '--json');
    expect(again.code, again.stdout).toBe(0);
    // The name resolves to the live token, not the revoked one.
    expect((await cli('token', 'show', 'Fields', '--json')).json<{ id: string }>().id).toBe(again.json<{ id: string }>().id);
  });

  it('the database refuses a second live token of the same name even past the service (migration 5)', async () => {
    await expect(
      db.pool.query(
        `INSERT INTO mailcow_scim_tokens (id, name, token_hash, prefix, policy, active, created_at, updated_at) VALUES ('abcd0000-0000-4000-8000-000000000003', 'twin a', UNHEX(SHA2('c', 256)), 'mcs_c', '{}', 1, NOW(3), NOW(3))`,
      ),
    ).rejects.toMatchObject({ errno: 1062 });
  });
});

describe('errors and help', () => {
  it('--json errors are JSON with a stable code and exit status', async () => {
    const usage = await cli('token', 'create', '--bogus', '--json');
    expect(usage.code).toBe(2);
    expect(usage.json()).toMatchObject({ error: { code: 'usage' } });
    const domain = await cli('token', 'create', '--name', 'x', '--domain', 'nowhere.org', '--json');
    expect(domain.code).toBe(1);
    expect(domain.json()).toMatchObject({ error: { code: 'invalid_policy', problems: [{ field: 'domains', message: 'domains not found in mailcow: nowhere.org' }] } });
    const config = await runBinary(['token', 'list', '--json'], { env: { MARIADB_URL: 'postgres://nope' } });
    expect(config.code).toBe(2);
    expect(config.json()).toMatchObject({ error: { code: 'config' } });
  });

  it('token --help goes to stdout with exit 0; a bare or unknown sub-command to stderr with exit 2', async () => {
    const help = await cli('token', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: mailcow-scim token create|list|show|update|rotate|revoke');
    expect(help.stderr).toBe('');
    const bare = await cli('token');
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toContain('Usage: mailcow-scim token');
    const unknown = await cli('token', 'frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "token frobnicate"');
  });
});
