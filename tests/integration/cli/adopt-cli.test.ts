/**
 * `mailcow-scim adopt` through the real binary (issue 13): it says how each mailbox will sign in
 * before it changes anything, a bulk selection is a dry run until --yes, the change is one
 * transaction per mailbox and can be resumed after an interruption, and the IdP's next create
 * claims every adopted mailbox.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { rowsOf } from '../../helpers/mailcow-rows.js';
import { CLI_BIN, runBinary } from '../../helpers/cli-binary.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { IDP_ROWS, setIdentityProvider } from '../php-bridge/fixtures.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
let t: TestSidecar;
let env: Record<string, string>;
let dir: string;
let okta: ReturnType<typeof scimClient>;
let entra: ReturnType<typeof scimClient>;

/** A mailbox as mailcow's UI makes one: a password hash, its self-alias, a quota row. */
async function mailcowMailbox(address: string, o: { authsource?: string; name?: string; active?: number; kind?: string } = {}): Promise<void> {
  const [local, domain] = address.split('@') as [string, string];
  await t.db.pool.query(
    `INSERT INTO mailbox (username, password, name, quota, local_part, domain, attributes, kind, authsource, active) VALUES (?, '{BLF-CRYPT}$2y$hash', ?, 1073741824, ?, ?, '{"imap_access":"1","smtp_access":"1"}', ?, ?, ?)`,
    [address, o.name ?? local, local, domain, o.kind ?? '', o.authsource ?? 'mailcow', o.active ?? 1],
  );
  await t.db.pool.query(`INSERT INTO alias (address, goto, domain, active) VALUES (?, ?, ?, 1)`, [address, address, domain]);
  await t.db.pool.query(`INSERT INTO quota2 (username, bytes, messages) VALUES (?, 0, 0)`, [address]);
}

const authsourceOf = async (address: string) => (await rowsOf(t.db.pool, 'SELECT authsource FROM mailbox WHERE username = ?', [address]))[0]?.authsource;
const cli = (...args: string[]) => runBinary(args, { env });

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain: 'example.org' }, { domain: 'other.org' }, { domain: 'bulk.org', mailboxes: 1000 }] });
  env = { MARIADB_URL: t.db.url };
  dir = await mkdtemp(join(tmpdir(), 'mcs-adopt-'));
  await setIdentityProvider(t.db.pool, IDP_ROWS['generic-oidc']);
  entra = scimClient(t.baseUrl, (await t.sidecar.tokens.create('Entra', { domains: ['example.org', 'bulk.org'] })).secret);
  okta = scimClient(t.baseUrl, (await t.sidecar.tokens.create('Okta', { domains: ['example.org'] })).secret);
  await mailcowMailbox('alice@example.org', { name: 'Alice Liddell' });
  await mailcowMailbox('bob@example.org', { name: 'Bob', authsource: 'ldap' });
  await mailcowMailbox('carol@example.org', { name: 'Carol', active: 2 });
  await mailcowMailbox('room@example.org', { name: 'Room 1', kind: 'location' });
  await mailcowMailbox('erin@other.org', { name: 'Erin' });
  await t.db.pool.query(
    `INSERT INTO alias (address, goto, domain, active) VALUES ('team@example.org', 'alice@example.org,carol@example.org', 'example.org', 1), ('al@example.org', 'alice@example.org', 'example.org', 1)`,
  );
  const dave = await okta.post('/Users', { schemas: [CORE], userName: 'dave@example.org' });
  expect(dave.status, dave.text).toBe(201);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await t?.stop();
});

describe('adopt one mailbox', () => {
  it('--help says that password logins move to the identity provider and only app passwords keep working', async () => {
    const r = await cli('adopt', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('LOGINS CHANGE');
    expect(r.stdout).toContain('Only app passwords keep working everywhere');
  });

  it('prints the login route the mailbox will take before it adopts it', async () => {
    const dry = await cli('adopt', 'alice@example.org', '--token', 'entra', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('login: its mailcow password (web UI, IMAP, SMTP, DAV) → SSO through generic OIDC in the web UI only: no password logins in mail clients, app passwords keep working');
    expect(dry.stdout).toContain('! password logins stop working for this mailbox (app passwords keep working)');
    expect(dry.stdout).toContain('Nothing was changed.');
    expect(await authsourceOf('alice@example.org')).toBe('mailcow');

    await setIdentityProvider(t.db.pool, IDP_ROWS.ldap);
    const ldap = await cli('adopt', 'alice@example.org', '--token', 'Entra', '--dry-run');
    expect(ldap.stdout).toContain('→ its LDAP password (web UI, IMAP, SMTP, DAV), checked by mailcow against LDAP');
    expect(ldap.stdout).not.toContain('password logins stop working');
    await setIdentityProvider(t.db.pool, null);
    const none = await cli('adopt', 'alice@example.org', '--token', 'Entra', '--dry-run');
    expect(none.stdout).toContain('→ no sign-in at all: mailcow has no identity provider; only app passwords keep working');
    await setIdentityProvider(t.db.pool, IDP_ROWS['generic-oidc']);

    const r = await cli('adopt', 'alice@example.org', '--token', 'Entra');
    expect(r.code, r.stderr).toBe(0);
    const route = r.stdout.indexOf('login: its mailcow password');
    const done = r.stdout.indexOf('Done: 1 adopted');
    expect(route).toBeGreaterThan(0);
    expect(done).toBeGreaterThan(route);
    expect(await authsourceOf('alice@example.org')).toBe('scim');
    const claimed = await entra.post('/Users', { schemas: [CORE], userName: 'alice@example.org', displayName: 'Alice Liddell' });
    expect(claimed.status, claimed.text).toBe(201);
    const [row] = await rowsOf(t.db.pool, 'SELECT password, quota FROM mailbox WHERE username = ?', ['alice@example.org']);
    expect(row).toEqual({ password: '{BLF-CRYPT}$2y$hash', quota: 1073741824 });
  });

  it("moves a named mailbox another token owns: its SCIM user is unlinked", async () => {
    const fay = await okta.post('/Users', { schemas: [CORE], userName: 'fay@example.org' });
    expect(fay.status, fay.text).toBe(201);
    const r = await cli('adopt', 'fay@example.org', '--token', 'Entra');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`unlink SCIM user ${fay.body.id} of token "Okta"`);
    expect(r.stdout).toContain('Done: 1 adopted');
    expect(await rowsOf(t.db.pool, `SELECT 1 FROM mailcow_scim_users WHERE mailbox = 'fay@example.org'`)).toEqual([]);
    expect((await okta.get(`/Users/${fay.body.id}`)).status).toBe(404);
  });

  it('refuses a mailbox of a domain the token does not manage, and an unknown one, with exit 1', async () => {
    const foreign = await cli('adopt', 'erin@other.org', '--token', 'Entra');
    expect(foreign.code).toBe(1);
    expect(foreign.stdout).toContain('REFUSE  erin@other.org');
    expect(foreign.stdout).toContain('token "Entra" does not manage other.org');
    const unknown = await cli('adopt', 'nobody@example.org', '--token', 'Entra', '--json');
    expect(unknown.code).toBe(1);
    expect(unknown.json()).toMatchObject({ dryRun: false, counts: { refused: 1, adopted: 0 }, results: [{ address: 'nobody@example.org', outcome: 'refused', detail: 'no mailbox nobody@example.org in mailcow' }] });
    expect(await authsourceOf('erin@other.org')).toBe('mailcow');
  });
});

describe('adopt many', () => {
  it('is a dry run by default that lists changes, login routes and conflicts per mailbox, and writes nothing', async () => {
    const before = await rowsOf(t.db.pool, 'SELECT username, authsource FROM mailbox ORDER BY username');
    const r = await cli('adopt', '--domain', 'example.org', '--token', 'Entra');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('dry run, nothing is changed');
    expect(r.stdout).toContain('SKIP    alice@example.org');
    expect(r.stdout).toMatch(/ADOPT {3}bob@example\.org {2}\(Bob\)\n {10}authsource ldap → scim\n/);
    expect(r.stdout).toContain("· mailcow's ldap sync stops updating it (it skips 'scim' mailboxes)");
    expect(r.stdout).toMatch(/ADOPT {3}carol@example\.org[\s\S]*! alias team@example\.org \(made in mailcow\) delivers here and to 1 other\(s\)/);
    expect(r.stdout).toContain('· the mailbox is inactive (active=2)');
    expect(r.stdout).toContain('REFUSE  dave@example.org');
    expect(r.stdout).toContain('owned by SCIM token "Okta"');
    expect(r.stdout).toContain('SKIP    room@example.org');
    expect(r.stdout).toContain('Plan: 2 to adopt (1 without password login afterwards, 1 with conflicts), 3 skipped, 1 refused.');
    expect(r.stdout).toContain('run the same command with --yes');
    expect(await rowsOf(t.db.pool, 'SELECT username, authsource FROM mailbox ORDER BY username')).toEqual(before);

    const json = (await cli('adopt', '--domain', 'example.org', '--token', 'Entra', '--json')).json<{ dryRun: boolean; summary: Record<string, number>; entries: { address: string; action: string }[] }>();
    expect(json.dryRun).toBe(true);
    expect(json.summary).toEqual({ adopt: 2, skip: 3, refuse: 1, losePasswordLogin: 1, withConflicts: 1 });
    expect(json.entries.map((e) => `${e.action} ${e.address}`)).toEqual([
      'skip alice@example.org', 'adopt bob@example.org', 'adopt carol@example.org', 'refuse dave@example.org', 'skip fay@example.org', 'skip room@example.org',
    ]);
  });

  it('--filter narrows the selection with a SCIM filter; a bad one is refused with its position', async () => {
    const r = await cli('adopt', '--domain', 'example.org', '--filter', 'userName sw "b" or displayName eq "Carol"', '--token', 'Entra', '--json');
    expect(r.json<{ entries: { address: string }[] }>().entries.map((e) => e.address)).toEqual(['bob@example.org', 'carol@example.org']);
    const bad = await cli('adopt', '--filter', 'userName sw "b', '--token', 'Entra', '--json');
    expect(bad.code).toBe(1);
    expect(bad.json()).toMatchObject({ error: { code: 'invalid_filter', message: 'unterminated string starting at position 12' } });
  });

  it('--from FILE names the mailboxes (a typo is reported); --yes adopts them and reports each', async () => {
    const file = join(dir, 'list.csv');
    await writeFile(file, '# exported from mailcow\nbob@example.org,Bob\nbobb@example.org\n');
    const dry = await cli('adopt', '--from', file, '--token', 'Entra');
    expect(dry.stdout).toContain('REFUSE  bobb@example.org');
    expect(dry.stdout).toContain('no mailbox bobb@example.org in mailcow');
    const r = await cli('adopt', '--from', file, '--token', 'Entra', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('adopted   bob@example.org');
    expect(r.stdout).toContain('Done: 1 adopted, 0 unchanged, 0 skipped, 1 refused, 0 failed.');
    expect(await authsourceOf('bob@example.org')).toBe('scim');
    const [event] = await rowsOf(t.db.pool, `SELECT operation, outcome, detail FROM mailcow_scim_events WHERE mailbox = 'bob@example.org' AND operation = 'adopt'`);
    expect(event).toEqual({ operation: 'adopt', outcome: 'success', detail: "handed over from authsource 'ldap'" });
  });

  it('moves another token\'s mailboxes only with --move', async () => {
    const r = await cli('adopt', '--domain', 'example.org', '--token', 'Entra', '--move', '--yes', '--json');
    expect(r.code, r.stdout).toBe(0);
    const out = r.json<{ counts: Record<string, number>; results: { address: string; outcome: string }[] }>();
    expect(out.results.filter((x) => x.outcome === 'adopted').map((x) => x.address)).toEqual(['carol@example.org', 'dave@example.org']);
    expect(await rowsOf(t.db.pool, `SELECT 1 FROM mailcow_scim_users WHERE mailbox = 'dave@example.org'`)).toEqual([]);
    expect((await entra.post('/Users', { schemas: [CORE], userName: 'dave@example.org' })).status).toBe(201);
    expect((await okta.get(`/Users?filter=${encodeURIComponent('userName eq "dave@example.org"')}`)).body.totalResults).toBe(0);
  });

  it('resumes after an interruption: a second run adopts the rest and skips what was done', async () => {
    const n = 120;
    for (let i = 0; i < n; i++) await mailcowMailbox(`user${String(i).padStart(3, '0')}@bulk.org`);
    const child = spawn(process.execPath, [CLI_BIN, 'adopt', '--domain', 'bulk.org', '--token', 'Entra', '--yes'], { env: { PATH: process.env.PATH, ...env } });
    let out = '';
    let signalled = false;
    child.stdout.on('data', (c) => {
      out += String(c);
      if (!signalled && (out.match(/^adopted /gm) ?? []).length >= 5) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code, out).toBe(130);
    expect(out).toContain('Interrupted: run the same command again to go on');
    const [{ done: first }] = (await rowsOf(t.db.pool, `SELECT COUNT(*) AS done FROM mailbox WHERE domain = 'bulk.org' AND authsource = 'scim'`)) as [{ done: number }];
    expect(Number(first)).toBeGreaterThanOrEqual(5);
    expect(Number(first)).toBeLessThan(n);

    const again = await cli('adopt', '--domain', 'bulk.org', '--token', 'Entra', '--yes', '--json');
    expect(again.code, again.stdout).toBe(0);
    expect(again.json<{ counts: Record<string, number> }>().counts).toEqual({ adopted: n - Number(first), unchanged: 0, skipped: Number(first), refused: 0, failed: 0 });
    const [{ remaining }] = (await rowsOf(t.db.pool, `SELECT COUNT(*) AS remaining FROM mailbox WHERE domain = 'bulk.org' AND authsource <> 'scim'`)) as [{ remaining: number }];
    expect(Number(remaining)).toBe(0);
    // Each mailbox was adopted once: one audit event each, none twice.
    const [{ events }] = (await rowsOf(t.db.pool, `SELECT COUNT(*) AS events FROM mailcow_scim_events WHERE operation = 'adopt' AND mailbox LIKE '%@bulk.org'`)) as [{ events: number }];
    expect(Number(events)).toBe(n);
  });
});
