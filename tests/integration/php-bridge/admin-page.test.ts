/**
 * The SCIM admin page in headless Chromium (Debian's chromium + playwright-core), served by
 * PHP's built-in server with a test double of mailcow's page frame (tests/browser/mailcow-frame)
 * carrying the install patch's admin.twig hunks, against a real sidecar: create a token and see
 * it once, edit its policy, toggle it, rotate and revoke it. Screenshots go to
 * test-artifacts/admin-page/.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import type { RowDataPacket } from 'mysql2';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUNKS } from '../../../server/src/install/index.js';
import { GROUP_SCHEMA, MAILCOW_GROUP_SCHEMA, USER_SCHEMA } from '../../../server/src/scim/schema/index.js';
import { VERSION } from '../../../server/src/version.js';
import { scimClient } from '../../helpers/http.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { freePort } from '../../helpers/free-port.js';
import { makeFrameDocroot, waitForHttp } from './frame-docroot.js';

// Browser globals used inside page.evaluate() callbacks (tsconfig has no DOM lib).
declare const getComputedStyle: (element: unknown) => { display: string };
interface Rect { top: number; bottom: number }
declare const navigator: { clipboard: { readText(): Promise<string> } };

const ARTIFACTS = resolve('test-artifacts/admin-page');
const CHROMIUM = '/usr/bin/chromium';

let t: TestSidecar;
let docroot: string;
let cleanupDocroot: (() => Promise<void>) | undefined;
let php: ChildProcess;
let phpLog = '';
let base: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;

/** expect.poll with room for a loaded CI machine (the default gives up after one second). */
function poll<T>(fn: () => Promise<T> | T) {
  return expect.poll(fn, { timeout: 10_000, interval: 50 });
}

let phpPort: number;
let phpEnv: NodeJS.ProcessEnv;

/**
 * PHP's built-in server with opcache as mailcow's php-fpm runs it: `validate_timestamps=0`
 * (mailcow-facts.md §4.2), so a PHP file rewritten on disk counts only after a restart. With
 * PHP's default instead (timestamps checked at most every 2 s) a test that rewrites
 * install-state.php sees the old record whenever a request read it less than 2 s before.
 */
async function startPhp(): Promise<void> {
  php = spawn('php', ['-d', 'opcache.enable=1', '-d', 'opcache.validate_timestamps=0', '-S', `127.0.0.1:${phpPort}`, '-t', docroot, join(docroot, 'router.php')], {
    env: phpEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  php.stdout!.on('data', (c: Buffer) => (phpLog += c.toString()));
  php.stderr!.on('data', (c: Buffer) => (phpLog += c.toString()));
  await waitForHttp(`${base}/favicon.ico`, () => phpLog);
}

/** What `docker compose restart php-fpm-mailcow` does for the page: a fresh opcache, the same sessions. */
async function restartPhp(): Promise<void> {
  const exited = new Promise((r) => php.once('exit', r));
  php.kill();
  await exited;
  await startPhp();
}

/** Saves a screenshot; dialogs are shot as the viewport shows them, pages whole. */
async function shot(name: string, fullPage = !name.match(/form|secret|confirm|invalid/)): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
}

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain: 'example.org' }, { domain: 'off.example.org', active: 0 }] });
  await t.db.pool.query('DELETE FROM identity_provider');
  await t.db.pool.execute(
    `INSERT INTO mailcow_scim_events (at, operation, resource_type, mailbox, outcome, status, detail, client_ip)
     VALUES ('2026-11-28 09:00:00.000', 'create', 'User', 'grace@example.org', 'success', 201, 'mailbox created', '192.0.2.7')`,
  );

  const frame = await makeFrameDocroot('mcs-web-');
  docroot = frame.dir;
  cleanupDocroot = frame.cleanup;
  // The lines `mailcow-scim install` adds to admin.twig, for the frame to insert.
  const hunksDir = join(docroot, '.hunks');
  await mkdir(hunksDir);
  for (const id of ['admin-scim-tab-link', 'admin-scim-tab-pane']) {
    const hunk = HUNKS.find((h) => h.id === id);
    if (!hunk) throw new Error(`the install patch has no hunk ${id}`);
    await writeFile(join(hunksDir, `${id}.twig`), `${hunk.lines([]).join('\n')}\n`);
  }
  await mkdir(ARTIFACTS, { recursive: true });

  phpPort = await freePort();
  phpEnv = { ...process.env, SCIM_RPC_SOCKET: t.rpcSocket, MCS_ADMIN_TWIG_HUNKS: hunksDir };
  base = `http://127.0.0.1:${phpPort}`;
  await startPhp();

  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('console', (m) => {
    // 4xx answers the tests provoke on purpose show up as "Failed to load resource"; anything else counts.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) phpLog += `\n[browser] console: ${m.text()}\n`;
  });
  page.on('pageerror', (e) => {
    phpLog += `\n[browser] ${e.message}\n`;
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  php?.kill();
  await t?.stop();
  await cleanupDocroot?.();
});

async function openScimTab(): Promise<void> {
  await page.goto(`${base}/login?as=admin`);
  await poll(() => page.url()).toBe(`${base}/admin/system`);
  await page.locator('a.dropdown-toggle', { hasText: 'Access' }).click();
  await page.locator('button.dropdown-item', { hasText: 'SCIM' }).click();
  await page.locator('#mailcow-scim-admin[data-ready="true"]').waitFor();
  await page.locator('#scim-status-table tbody tr').first().waitFor();
}

function tokenRow(name: string) {
  return page.locator(`#scim-tokens-table tr[data-token-name="${name}"]`);
}

async function modalShown(id: string) {
  const m = page.locator(`#${id}`);
  // data-state="shown" is set on Bootstrap's shown event: the fade-in is over and the buttons act.
  await poll(() => m.evaluate((el) => el.getAttribute('data-state') === 'shown' && getComputedStyle(el).display === 'block')).toBe(true);
  return m;
}

async function modalHidden(id: string) {
  await poll(() => page.locator(`#${id}`).evaluate((el) => getComputedStyle(el).display)).toBe('none');
}

describe('the SCIM admin page', () => {
  let secret = '';
  let tokenId = '';

  it('shows the status panel, warning that SCIM users cannot log in without an identity provider', async () => {
    await openScimTab();
    const warnings = page.locator('#scim-status-alerts [data-warning]');
    await poll(() => warnings.allTextContents()).toContainEqual(expect.stringContaining('SCIM users cannot log in until an identity provider is configured'));
    const status = await page.locator('#scim-status-table').innerText();
    expect(status).toMatch(/Sidecar\s+OK\s*reachable at/);
    expect(status).toMatch(/authsource 'scim'\s+OK/);
    expect(status).toMatch(/Identity provider\s+Problem\s*none configured/);
    expect(status).toMatch(/libcurl/);
    // The frame has none of mailcow's patched files: every hunk of the install record is missing.
    await poll(() => page.locator('#scim-install-list [data-check]').count()).toBe(HUNKS.length + 1);
    expect(await page.locator('#scim-install-list [data-check="user-login-scim-case"]').innerText()).toContain('SCIM users cannot log in with a password');
    // Bridge and sidecar came from the same install: no version warning.
    expect(status).toMatch(new RegExp(`Version\\s+OK\\s*sidecar ${VERSION.replace(/\./g, '\\.')} \\(up \\d+ min\\), PHP bridge ${VERSION.replace(/\./g, '\\.')}`));
    expect(await page.locator('#scim-status-alerts [data-warning="version-skew"]').count()).toBe(0);
    // The events load with their own request, after the status panel: on a loaded machine later.
    await poll(() => page.locator('#scim-events-table tbody').innerText()).toContain('grace@example.org');
    await shot('01-status');
  });

  it('warns of a version skew between the bridge and the sidecar, with the one command that fixes it', async () => {
    // An older bridge than the sidecar: the sidecar was upgraded without re-running install.
    const record = join(docroot, 'inc/mailcow-scim/install-state.php');
    const current = await readFile(record, 'utf8');
    await writeFile(record, current.replace(`    'version' => '${VERSION}',`, "    'version' => '0.0.1',"));
    // mailcow's php-fpm keeps the record it compiled until it restarts; the fix below restarts it.
    await restartPhp();
    try {
      await openScimTab();
      const alert = page.locator('#scim-status-alerts [data-warning="version-skew"]');
      await alert.waitFor();
      expect(await alert.innerText()).toContain(`The PHP bridge in mailcow is 0.0.1, older than the sidecar ${VERSION}`);
      expect(await alert.locator('[data-fix]').innerText()).toMatch(/^docker run --rm -v "\$PWD:\/mailcow" .* install --mailcow-dir \/mailcow && docker compose restart php-fpm-mailcow$/);
      expect(await page.locator('#scim-status-table').innerText()).toMatch(/Version\s+Problem\s*sidecar .*PHP bridge 0\.0\.1/);
      await shot('01b-version-skew');
    } finally {
      await writeFile(record, current);
      await restartPhp();
    }
    await openScimTab();
    expect(await page.locator('#scim-status-alerts [data-warning="version-skew"]').count()).toBe(0);
  });

  it('says why writes are refused when the database schema is newer than the sidecar', async () => {
    const [[row]] = await t.db.pool.query<RowDataPacket[]>(`SELECT value FROM mailcow_scim_meta WHERE name = 'schema_version'`);
    await t.db.pool.query(`UPDATE mailcow_scim_meta SET value = ? WHERE name = 'schema_version'`, [String(Number(row!.value) + 1)]);
    try {
      await openScimTab();
      const warnings = page.locator('#scim-status-alerts [data-warning]');
      await poll(() => warnings.allTextContents()).toContainEqual(expect.stringContaining('newer than this mailcow-scim'));
      expect((await warnings.allTextContents()).join(' ')).toContain('refuses every write');
      expect(await page.locator('#scim-status-table').innerText()).toMatch(/Schema\s+Problem\s*mailcow_scim \d+\/\d+ \(newer than this sidecar\)/);
    } finally {
      await t.db.pool.query(`UPDATE mailcow_scim_meta SET value = ? WHERE name = 'schema_version'`, [String(row!.value)]);
    }
  });

  it('creates a token and shows its secret exactly once, with a copy button', async () => {
    await page.locator('[data-action="create-token"]').click();
    const form = await modalShown('scim-token-modal');
    await form.locator('#scim-token-name').fill('Entra production');
    await form.locator('label', { hasText: /^example\.org$/ }).click();
    await form.locator('#scim-token-default-domain').selectOption('example.org');
    await form.locator('#scim-token-default-template').selectOption('Default');
    await form.locator('[data-action="add-rule"]').click();
    await form.locator('[data-rule] [data-field="filter"]').fill('title eq "Intern"');
    await form.locator('#scim-deactivate-inactive').check();
    await form.locator('#scim-token-ips').fill('192.0.2.0/24\n2001:db8::/32');
    await shot('02-create-form');
    await form.locator('#scim-token-save').click();

    const dialog = await modalShown('scim-secret-modal');
    secret = await dialog.locator('#scim-secret-value').inputValue();
    expect(secret).toMatch(/^mcs_/);
    expect(await dialog.locator('#scim-base-url').innerText()).toBe(`${base}/scim/v2`);
    await dialog.locator('[data-action="copy-secret"]').click();
    await poll(() => dialog.locator('[data-action="copy-secret"]').innerText()).toContain('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await shot('03-secret-once');
    await dialog.locator('#scim-secret-done').click();
    await modalHidden('scim-secret-modal');
    expect(await page.locator('#scim-secret-value').inputValue()).toBe('');

    await tokenRow('Entra production').waitFor();
    tokenId = (await tokenRow('Entra production').getAttribute('data-token-id'))!;
    // What the sidecar stored, and the secret works as a bearer token.
    const stored = await t.sidecar.tokens.get(tokenId);
    expect(stored.policy).toMatchObject({
      domains: ['example.org'],
      defaultDomain: 'example.org',
      defaultTemplate: 'Default',
      templateRules: [{ filter: 'title eq "Intern"', template: 'Default' }],
      onDeactivate: 0,
      onDelete: 'deactivate',
      aliasSync: true,
      ipAllowList: ['192.0.2.0/24', '2001:db8::/32'],
    });
    expect((await t.sidecar.tokens.authenticate(secret, '192.0.2.10')).id).toBe(tokenId);

    // Never again: not in the table, not after a reload, not in any API answer.
    await page.reload();
    await page.locator('a.dropdown-toggle', { hasText: 'Access' }).click();
    await page.locator('button.dropdown-item', { hasText: 'SCIM' }).click();
    await tokenRow('Entra production').waitFor();
    expect(await page.content()).not.toContain(secret);
    expect(await tokenRow('Entra production').innerText()).toContain(secret.slice(0, 12));
  });

  it('edits every policy field in the modal', async () => {
    await tokenRow('Entra production').locator('[data-action="edit"]').click();
    const form = await modalShown('scim-token-modal');
    expect(await form.locator('#scim-token-name').inputValue()).toBe('Entra production');
    expect(await form.locator('#scim-token-default-domain').inputValue()).toBe('example.org');
    expect(await form.locator('[data-rule] [data-field="filter"]').inputValue()).toBe('title eq "Intern"');
    expect(await form.locator('#scim-deactivate-inactive').isChecked()).toBe(true);
    await form.locator('#scim-token-name').fill('Entra (prod)');
    await form.locator('label', { hasText: 'off.example.org (inactive)' }).click();
    await form.locator('[data-action="remove-rule"]').click();
    await form.locator('#scim-deactivate-login').check();
    await form.locator('#scim-delete-delete').check();
    await form.locator('#scim-token-alias-sync').uncheck();
    await form.locator('#scim-token-group-address').check();
    await form.locator('#scim-token-group-sender').check();
    expect(await form.locator('#scim-token-quota-source').inputValue()).toBe('QUOTA_SOURCE_FORM');
    await form.locator('#scim-token-quota-source').selectOption('QUOTA_SOURCE_TEMPLATE');
    await form.locator('#scim-token-ips').fill('');
    await shot('04-edit-form');
    await form.locator('#scim-token-save').click();
    await modalHidden('scim-token-modal');
    await tokenRow('Entra (prod)').waitFor();
    const stored = await t.sidecar.tokens.get(tokenId);
    expect(stored.name).toBe('Entra (prod)');
    expect(stored.policy).toMatchObject({
      domains: ['example.org', 'off.example.org'],
      templateRules: [],
      onDeactivate: 2,
      onDelete: 'delete',
      aliasSync: false,
      groupAddressFromName: true,
      groupSenderAcl: true,
      quotaSource: 'template',
      ipAllowList: [],
    });
  });

  it('shows the sidecar\'s reason when a policy is invalid', async () => {
    await tokenRow('Entra (prod)').locator('[data-action="edit"]').click();
    const form = await modalShown('scim-token-modal');
    await form.locator('#scim-token-ips').fill('not-a-network');
    await form.locator('#scim-token-save').click();
    await poll(() => form.locator('#scim-token-form-alert').innerText()).toMatch(/invalid CIDRs: not-a-network.*invalidValue/);
    await shot('05-invalid-policy');
    await form.locator('button', { hasText: 'Cancel' }).click();
    await modalHidden('scim-token-modal');
    expect((await t.sidecar.tokens.get(tokenId)).policy.ipAllowList).toEqual([]);
  });

  it('shows each refused field under the field, and keeps the dialog\'s alert in view while it scrolls', async () => {
    // A short window, so that the dialog scrolls: the allow-list is far below its top.
    await page.setViewportSize({ width: 1280, height: 600 });
    try {
      await tokenRow('Entra (prod)').locator('[data-action="edit"]').click();
      const form = await modalShown('scim-token-modal');
      const body = form.locator('.modal-body');
      await form.locator('#scim-token-ips').fill('not-a-network\n192.0.2.0/24');
      await form.locator('#scim-token-save').click();
      const note = form.locator('[data-field-error="ipAllowList"]');
      await poll(() => note.count()).toBe(1);
      expect(await note.innerText()).toBe('has invalid CIDRs: not-a-network');
      expect(await form.locator('#scim-token-ips').getAttribute('class')).toContain('is-invalid');
      expect(await form.locator('#scim-token-name').getAttribute('class')).not.toContain('is-invalid');
      const alert = form.locator('#scim-token-form-alert .alert');
      const inView = async (l: typeof note) => {
        const [box, view] = await Promise.all([l.evaluate((n) => (n as unknown as { getBoundingClientRect(): Rect }).getBoundingClientRect()), body.evaluate((n) => (n as unknown as { getBoundingClientRect(): Rect }).getBoundingClientRect())]);
        return box.top >= view.top - 1 && box.bottom <= view.bottom + 1 && box.bottom <= 600;
      };
      const scrollTo = (where: 'top' | 'bottom') =>
        body.evaluate((n, w) => {
          const el = n as unknown as { scrollTop: number; scrollHeight: number };
          el.scrollTop = w === 'top' ? 0 : el.scrollHeight;
        }, where);
      expect(await body.evaluate((n) => (n as unknown as { scrollHeight: number; clientHeight: number }).scrollHeight > (n as unknown as { clientHeight: number }).clientHeight)).toBe(true);
      // The field's note is scrolled to; the dialog's alert sticks at the top of the visible part.
      await poll(() => inView(note)).toBe(true);
      expect(await inView(alert)).toBe(true);
      await scrollTo('bottom');
      expect(await inView(alert)).toBe(true);
      expect(await inView(note)).toBe(true);
      await scrollTo('top');
      expect(await inView(alert)).toBe(true);
      expect(await alert.innerText()).toContain('invalid CIDRs: not-a-network');
      await shot('05a-invalid-field');
      await form.locator('button', { hasText: 'Cancel' }).click();
      await modalHidden('scim-token-modal');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('says what deleting a mailbox does: mailcow\'s rows go, the maildir stays', async () => {
    const label = await page.locator('label[for="scim-delete-delete"]').innerText();
    expect(label).toContain('the maildir with its mail stays on disk');
    expect(label).not.toContain('and its mail');
  });

  it("marks a bad template rule at its position: the rule's field, the reason, a caret, the cursor", async () => {
    await tokenRow('Entra (prod)').locator('[data-action="edit"]').click();
    const form = await modalShown('scim-token-modal');
    await form.locator('[data-action="add-rule"]').click();
    await form.locator('[data-action="add-rule"]').click();
    await form.locator('[data-rule] [data-field="filter"]').nth(0).fill('title eq "Boss"');
    await form.locator('[data-rule] [data-field="filter"]').nth(1).fill('department eq "Sales');
    await form.locator('#scim-token-save').click();
    const note = form.locator('[data-rule-error="1"]');
    await poll(() => note.count()).toBe(1);
    expect(await note.locator('div').innerText()).toBe('Rule 2, character 15: unterminated string starting at position 14');
    expect(await note.locator('pre').innerText()).toBe('department eq "Sales\n              ^');
    const bad = form.locator('[data-rule] [data-field="filter"]').nth(1);
    expect(await bad.getAttribute('class')).toContain('is-invalid');
    expect(await form.locator('[data-rule] [data-field="filter"]').nth(0).getAttribute('class')).not.toContain('is-invalid');
    expect(await bad.evaluate((n) => (n as unknown as { selectionStart: number }).selectionStart)).toBe(14);
    await shot('05b-invalid-rule');
    await form.locator('button', { hasText: 'Cancel' }).click();
    await modalHidden('scim-token-modal');
    expect((await t.sidecar.tokens.get(tokenId)).policy.templateRules).toEqual([]);
  });

  it('toggles the token off and on', async () => {
    // click(), not uncheck(): the table is redrawn from the sidecar's answer right after the change.
    await tokenRow('Entra (prod)').locator('[data-action="toggle"]').click();
    await poll(async () => (await t.sidecar.tokens.get(tokenId)).active).toBe(false);
    await poll(() => tokenRow('Entra (prod)').getAttribute('data-active')).toBe('false');
    await expect(t.sidecar.tokens.authenticate(secret, '192.0.2.10')).rejects.toMatchObject({ status: 401 });
    await tokenRow('Entra (prod)').locator('[data-action="toggle"]').click();
    await poll(async () => (await t.sidecar.tokens.get(tokenId)).active).toBe(true);
    await poll(() => tokenRow('Entra (prod)').getAttribute('data-active')).toBe('true');
  });

  it('rotates the token, showing the new secret once', async () => {
    await tokenRow('Entra (prod)').locator('[data-action="rotate"]').click();
    const confirm = await modalShown('scim-confirm-modal');
    await confirm.locator('#scim-confirm-ok').click();
    const dialog = await modalShown('scim-secret-modal');
    const rotated = await dialog.locator('#scim-secret-value').inputValue();
    expect(rotated).toMatch(/^mcs_/);
    expect(rotated).not.toBe(secret);
    await dialog.locator('#scim-secret-done').click();
    await modalHidden('scim-secret-modal');
    await expect(t.sidecar.tokens.authenticate(secret, '192.0.2.10')).rejects.toMatchObject({ status: 401 });
    expect((await t.sidecar.tokens.authenticate(rotated, '192.0.2.10')).id).toBe(tokenId);
  });

  it('revokes the token', async () => {
    await tokenRow('Entra (prod)').locator('[data-action="revoke"]').click();
    const confirm = await modalShown('scim-confirm-modal');
    await shot('06-revoke-confirm');
    await confirm.locator('#scim-confirm-ok').click();
    await modalHidden('scim-confirm-modal');
    await poll(() => tokenRow('Entra (prod)').count()).toBe(0);
    await page.locator('#scim-show-revoked').check();
    await poll(() => tokenRow('Entra (prod)').getAttribute('data-active')).toBe('false');
    expect((await t.sidecar.tokens.get(tokenId)).revokedAt).toBeTruthy();
    await shot('07-revoked');
  });

  it('shows a revoked token read-only, with the date it was revoked', async () => {
    const row = tokenRow('Entra (prod)');
    expect(await row.getAttribute('data-revoked')).toBe('true');
    // No switch, no Edit, Rotate or Revoke: the sidecar refuses every change to a revoked token.
    expect(await row.locator('[data-action]').count()).toBe(0);
    expect(await row.locator('input, button').count()).toBe(0);
    const revokedAt = (await t.sidecar.tokens.get(tokenId)).revokedAt!;
    expect(await row.locator('[data-revoked-at]').getAttribute('data-revoked-at')).toBe(revokedAt);
    expect(await row.innerText()).toMatch(/Revoked \S/);
    expect(await row.innerText()).toContain('Read-only');
  });

  it('reloads when the tab is opened again', async () => {
    await t.db.pool.execute(
      `INSERT INTO mailcow_scim_events (at, operation, resource_type, mailbox, outcome, status, client_ip)
       VALUES ('2026-11-28 09:30:00.000', 'delete', 'User', 'heidi@example.org', 'success', 204, '192.0.2.8')`,
    );
    await page.locator('a.dropdown-toggle', { hasText: 'Access' }).click();
    await page.locator('button.dropdown-item', { hasText: 'Identity Provider' }).click();
    await page.locator('a.dropdown-toggle', { hasText: 'Access' }).click();
    await page.locator('button.dropdown-item', { hasText: 'SCIM' }).click();
    await poll(() => page.locator('#scim-events-table tbody').innerText()).toContain('heidi@example.org');
  });

  describe('with a second identity provider', () => {
    let directoryId = '';

    beforeAll(async () => {
      const issued = await t.sidecar.tokens.create('Directory', { domains: ['example.org'], defaultDomain: 'example.org' });
      directoryId = issued.token.id;
      const scim = scimClient(t.baseUrl, issued.secret);
      const user = async (userName: string, displayName: string) => {
        const r = await scim.post('/Users', { schemas: [USER_SCHEMA], userName, displayName, active: true });
        expect(r.status).toBe(201);
        return (r.body as { id: string }).id;
      };
      const ann = await user('ann@example.org', 'Ann Andersen');
      const bob = await user('bob@example.org', 'Bob Berg');
      for (const g of [
        { schemas: [GROUP_SCHEMA, MAILCOW_GROUP_SCHEMA], displayName: 'Sales', [MAILCOW_GROUP_SCHEMA]: { address: 'sales@example.org' }, members: [{ value: ann }, { value: bob }] },
        { schemas: [GROUP_SCHEMA], displayName: 'Interns', members: [{ value: bob }] },
      ]) {
        expect((await scim.post('/Groups', g)).status).toBe(201);
      }
      // Two mailboxes mailcow made itself, to be handed over.
      for (const local of ['old1', 'old2']) {
        await t.db.pool.query(
          `INSERT INTO mailbox (username, password, name, quota, local_part, domain, attributes, authsource, active) VALUES (?, '{BLF-CRYPT}h', ?, 0, ?, 'example.org', '{}', 'mailcow', 1)`,
          [`${local}@example.org`, `Old ${local}`, local],
        );
      }
      await page.locator('[data-action="refresh"]').click();
      await page.locator('#scim-groups-token option', { hasText: 'Directory' }).waitFor({ state: 'attached' });
    });

    it('shows the token\'s groups read-only: group, alias address, members', async () => {
      await page.locator('#scim-groups-token').selectOption(directoryId);
      const sales = page.locator('#scim-groups-table tr[data-group-name="Sales"]');
      await sales.waitFor();
      expect(await sales.locator('td').nth(1).innerText()).toMatch(/^sales@example\.org\s+active$/);
      expect((await sales.locator('[data-member-id]').allInnerTexts()).sort()).toEqual(['Ann Andersen', 'Bob Berg']);
      const interns = page.locator('#scim-groups-table tr[data-group-name="Interns"]');
      expect(await interns.locator('td').nth(1).innerText()).toContain('no address');
      expect(await interns.locator('[data-member-id]').allInnerTexts()).toEqual(['Bob Berg']);
      expect(await page.locator('#scim-groups-table tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-group-name')))).toEqual(['Interns', 'Sales']);
      expect(await page.locator('#scim-groups-card button, #scim-groups-card input').evaluateAll((n) => n.map((b) => b.getAttribute('data-action')))).toEqual(['reload-groups', 'more-groups']);
      await shot('08-groups');
    });

    it('hands existing mailboxes over: a dry run with the per-mailbox report first, then the change with progress and a summary', async () => {
      const card = page.locator('#scim-adopt-card');
      await card.locator('#scim-adopt-token').selectOption(directoryId);
      await card.locator('#scim-adopt-addresses').fill('old1@example.org\nold2@example.org\nnobody@example.org');
      await card.locator('#scim-adopt-plan').click();
      const rows = card.locator('#scim-adopt-table tbody tr');
      await poll(() => rows.count()).toBe(3);
      const old1 = card.locator('tr[data-adopt-address="old1@example.org"]');
      expect(await old1.getAttribute('data-adopt-action')).toBe('ADOPTION_ACTION_ADOPT');
      expect(await old1.innerText()).toContain('authsource mailcow → scim');
      expect(await old1.locator('td').nth(3).innerText()).toMatch(/now: .+\nafter: .+/);
      expect(await card.locator('tr[data-adopt-address="nobody@example.org"]').getAttribute('data-adopt-action')).toBe('ADOPTION_ACTION_REFUSE');
      expect(await card.locator('[data-plan-summary]').innerText()).toBe('Dry run: 2 to adopt, 0 to skip, 1 refused. Nothing has been changed yet.');
      // The dry run wrote nothing.
      const [before] = await t.db.pool.query<RowDataPacket[]>(`SELECT username, authsource FROM mailbox WHERE username LIKE 'old%' ORDER BY username`);
      expect(before.map((r) => r.authsource)).toEqual(['mailcow', 'mailcow']);
      await shot('09-adopt-plan');

      const run = card.locator('#scim-adopt-run');
      expect(await run.innerText()).toBe('Hand over 2 mailbox(es)');
      await run.click();
      const confirm = await modalShown('scim-confirm-modal');
      await confirm.locator('#scim-confirm-ok').click();
      await card.locator('#scim-adopt-progress[data-complete="true"]').waitFor();
      expect(await card.locator('#scim-adopt-progress').getAttribute('data-done')).toBe('3');
      expect(await card.locator('[data-run-summary]').innerText()).toBe('Done: 2 adopted, 0 unchanged, 0 skipped, 1 refused, 0 failed.');
      expect(await card.locator('tr[data-adopt-address="old2@example.org"] [data-outcome]').innerText()).toBe('adopted');
      const [after] = await t.db.pool.query<RowDataPacket[]>(`SELECT username, authsource FROM mailbox WHERE username LIKE 'old%' ORDER BY username`);
      expect(after.map((r) => r.authsource)).toEqual(['scim', 'scim']);
      await shot('10-adopt-done');
    });
  });

  it('speaks the admin\'s language: a German admin (mailcow_locale de-de) sees German', async () => {
    const german = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'de-DE' });
    const de = await german.newPage();
    try {
      await de.goto(`${base}/login?as=admin&locale=de-de`);
      await de.locator('a.dropdown-toggle', { hasText: 'Access' }).click();
      await de.locator('button.dropdown-item', { hasText: 'SCIM' }).click();
      await de.locator('#mailcow-scim-admin[data-ready="true"]').waitFor();
      await de.locator('#scim-status-table tbody tr').first().waitFor();
      // Markup (from PHP) and script (the strings PHP hands it) both speak German.
      expect(await de.locator('#scim-tokens-card .card-header').innerText()).toContain('SCIM-Tokens');
      expect(await de.locator('[data-action="create-token"]').innerText()).toContain('Token erstellen');
      expect(await de.locator('#scim-groups-card .card-header').innerText()).toContain('SCIM-Gruppen');
      expect(await de.locator('#scim-status-table').innerText()).toMatch(/Datenbank\s+OK\s*erreichbar/);
      await de.locator('[data-action="create-token"]').click();
      await de.locator('#scim-token-modal[data-state="shown"]').waitFor();
      expect(await de.locator('#scim-token-modal-title').innerText()).toBe('SCIM-Token erstellen');
      expect(await de.locator('label[for="scim-delete-delete"]').innerText()).toContain('das Maildir mit ihren Mails bleibt auf der Platte');
      await de.screenshot({ path: join(ARTIFACTS, '11-german.png') });
    } finally {
      await german.close();
    }
  });

  it('refuses requests without the CSRF token, and non-admin sessions', async () => {
    const withoutToken = await page.evaluate(async () => {
      const r = await fetch('/inc/mailcow-scim/admin-api.php', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': 'forged' }, body: '{"action":"tokens.list"}' });
      return [r.status, ((await r.json()) as { error: { code: string } }).error.code];
    });
    expect(withoutToken).toEqual([403, 'CSRF']);
    const userPage = await context.browser()!.newContext().then((c) => c.newPage());
    await userPage.goto(`${base}/login?as=user`);
    const status = await userPage.evaluate(async () => (await fetch('/inc/mailcow-scim/admin-api.php?asset=admin.js')).status);
    expect(status).toBe(403);
    await userPage.context().close();
  });

  it('ran without browser errors', () => {
    const problems = phpLog.split('\n').filter((l) => /\[browser\]|PHP (Fatal|Warning|Notice|Deprecated)/.test(l));
    expect(problems).toEqual([]);
  });
});
