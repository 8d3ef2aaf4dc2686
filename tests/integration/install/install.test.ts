/**
 * `mailcow-scim install` / `--check` / `--uninstall` against the mailcow stand-in tree: a first
 * install, a second one that changes nothing, drifted and foreign files refused with nothing
 * written, an admin's vars.local.inc.php and compose override kept, an uninstall that gives back
 * the tree byte for byte, and an update.sh-style merge that drops a hunk, noticed and re-applied.
 */
import { execFileSync } from 'node:child_process';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { HUNKS, runInstall } from '../../../server/src/install/index.js';
import { VERSION } from '../../../server/src/version.js';
import { cli, git, makeMailcowTree, snapshot, type TestTree } from './mailcow-tree.js';

const trees: TestTree[] = [];
async function tree(options?: { git?: boolean }) {
  const t = await makeMailcowTree(options);
  trees.push(t);
  return t;
}
afterEach(async () => {
  while (trees.length) await trees.pop()!.cleanup();
});

const hasPhp = (() => {
  try {
    execFileSync('php', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function phpLint(file: string): void {
  if (hasPhp) execFileSync('php', ['-l', file], { stdio: 'pipe' });
}

const SITE = 'data/conf/nginx/site.scim.custom';
const UPSTREAM = 'data/conf/nginx/mailcow-scim-upstream.conf';

const PATCHED = [
  'data/web/inc/init_db.inc.php',
  'data/web/inc/functions.auth.inc.php',
  'data/web/inc/functions.inc.php',
  'data/web/inc/functions.mailbox.inc.php',
  'data/web/templates/edit/mailbox.twig',
  'data/web/templates/admin.twig',
];

describe('install into a mailcow tree', () => {
  it('check → install → install again → check → uninstall, and the tree is back byte for byte', async () => {
    const t = await tree();
    const pristine = await snapshot(t.dir);

    const before = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'check');
    expect(before.refused).toBe(false);
    expect(before.complete).toBe(false);
    expect(before.reports.filter((r) => r.state === 'missing')).toHaveLength(HUNKS.length + 7); // + nginx site and upstream, hook, bridge, vars.local, compose, git-exclude
    expect(await snapshot(t.dir)).toEqual(pristine);

    const first = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'install');
    expect(first.refused).toBe(false);
    expect(first.complete).toBe(true);
    expect(first.written).toEqual(expect.arrayContaining([...PATCHED, SITE, UPSTREAM, 'docker-compose.override.yml']));
    // The site names the upstream: written first, so nginx never reads the one without the other.
    expect(first.written.indexOf(UPSTREAM)).toBeLessThan(first.written.indexOf(SITE));
    // Backups of mailcow's own files, before they changed.
    for (const f of PATCHED) {
      expect(await readFile(join(t.dir, first.backupDir!, f), 'utf8')).toBe(await readFile(join('tests/fixtures/mailcow-tree', f), 'utf8'));
    }

    // Every hook point has its marker block; the patched PHP still parses.
    const auth = await readFile(join(t.dir, 'data/web/inc/functions.auth.inc.php'), 'utf8');
    expect(auth).toContain('// mailcow-scim:begin user-login-scim-case');
    expect(auth).toContain("return function_exists('mailcow_scim_user_login') ? mailcow_scim_user_login($user, $pass, $extra, $row) : false;");
    const initDb = await readFile(join(t.dir, 'data/web/inc/init_db.inc.php'), 'utf8');
    expect(initDb).toContain(`"authsource" => "ENUM('mailcow', 'keycloak', 'generic-oidc', 'ldap', 'scim') DEFAULT 'mailcow'",`);
    for (const f of PATCHED.filter((p) => p.endsWith('.php'))) phpLint(join(t.dir, f));
    expect(await readFile(join(t.dir, 'data/web/inc/vars.local.inc.php'), 'utf8')).toContain("require_once '/web/inc/mailcow-scim/mailcow-scim.inc.php';");
    phpLint(join(t.dir, 'data/web/inc/vars.local.inc.php'));
    expect((await stat(join(t.dir, 'data/hooks/phpfpm/mailcow-scim-enum-guard.sh'))).mode & 0o111).not.toBe(0);
    expect(await readFile(join(t.dir, 'data/web/inc/mailcow-scim/Client/Client.php'), 'utf8')).toContain('mailcow_scim_user_login');

    // CRLF files stay CRLF, every line of them.
    const idp = await readFile(join(t.dir, 'data/web/inc/functions.inc.php'), 'utf8');
    expect(idp.split('\n').slice(0, -1).every((l) => l.endsWith('\r'))).toBe(true);
    expect(idp).toContain("          AND `authsource` != 'scim'\r\n");

    // The compose override: our service, the socket volume in nginx and php-fpm.
    const override = parseYaml(await readFile(join(t.dir, 'docker-compose.override.yml'), 'utf8'));
    // By default the released image of the installer's version, never built (image-choice.test.ts).
    expect(override.services['mailcow-scim']).toMatchObject({ image: `ghcr.io/mailcow-scim/mailcow-scim:${VERSION}`, user: '1000' });
    expect(override.services['mailcow-scim'].build).toBeUndefined();
    expect(override.services['mailcow-scim'].environment).toContain('SCIM_HTTP_SOCKET=/run/mailcow-scim/http/http.sock');
    expect(override.services['nginx-mailcow'].volumes).toEqual(['mailcow-scim-socket-vol-1:/run/mailcow-scim/:z']);
    expect(override.services['php-fpm-mailcow'].environment).toEqual(['SCIM_RPC_SOCKET=/run/mailcow-scim/rpc/rpc.sock']);
    expect(override.volumes['mailcow-scim-socket-vol-1'].driver_opts.type).toBe('tmpfs');
    // nginx and compose agree on the socket; the site proxies to the upstream that holds it.
    expect(await readFile(join(t.dir, SITE), 'utf8')).toContain('set $mailcow_scim_upstream mailcow_scim_sidecar;');
    const upstream = await readFile(join(t.dir, UPSTREAM), 'utf8');
    expect(upstream).toContain('upstream mailcow_scim_sidecar {');
    expect(upstream).toContain('server unix:/run/mailcow-scim/http/http.sock max_fails=0;');
    expect(upstream).toMatch(/^\s*keepalive \d+;$/m);

    // git sees only mailcow's patched files as changed: everything we added is ignored or excluded,
    // so update.sh's `git add -A` never commits it.
    const status = git(t.dir, 'status', '--porcelain').split('\n').filter(Boolean).sort();
    expect(status).toEqual(PATCHED.map((f) => ` M ${f}`).sort());

    const installed = await snapshot(t.dir);
    const second = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'install');
    expect(second.written).toEqual([]);
    expect(second.removed).toEqual([]);
    expect(second.backupDir).toBeUndefined();
    expect(second.reports.every((r) => r.state === 'installed' || r.state === 'satisfied')).toBe(true);
    expect(await snapshot(t.dir)).toEqual(installed);

    const check = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'check');
    expect(check.complete).toBe(true);

    const removed = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'uninstall');
    expect(removed.refused).toBe(false);
    expect(await snapshot(t.dir)).toEqual(pristine);
    expect(git(t.dir, 'status', '--porcelain')).toBe('');
    expect(await readFile(join(t.dir, '.git/info/exclude'), 'utf8')).not.toContain('mailcow-scim');
  });

  it('applies every hunk that still applies, refuses only the drifted one, and uninstall gives the tree back', async () => {
    const t = await tree();
    const file = join(t.dir, 'data/web/inc/functions.auth.inc.php');
    // A mailcow update rewrote the line user_login()'s hunk anchors on; the other two hunks of
    // the same file (keycloak and LDAP logins) still find theirs.
    await writeFile(file, (await readFile(file, 'utf8')).replace("  switch ($row['authsource']) {", '  switch ($row["authsource"]) {'));
    const drifted = await readFile(file, 'utf8');
    git(t.dir, 'commit', '-q', '-am', 'mailcow update');
    const pristine = await snapshot(t.dir);

    const r = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'install');
    expect(r.refused).toBe(false);
    expect(r.complete).toBe(false);
    expect(r.leftOut.map((x) => x.item)).toEqual(['data/web/inc/functions.auth.inc.php user-login-scim-case']);
    const refusal = r.leftOut[0]!;
    expect(refusal.state).toBe('drifted');
    expect(refusal.detail).toContain('does not look like the mailcow version this patch expects (hook point 2');
    expect(refusal.detail).toContain("`switch ($row['authsource']) {` was not found in user_login()");
    expect(refusal.detail).toContain('git checkout -- data/web/inc/functions.auth.inc.php');
    expect(refusal.impact).toBe('SCIM users cannot log in with a password (webmail, IMAP, SMTP): mailcow refuses their authsource. SSO and app passwords still work, mail still flows.');
    // Every other hunk is in place, the two beside it in the same file too.
    for (const h of HUNKS.filter((x) => x.id !== 'user-login-scim-case')) {
      expect(await readFile(join(t.dir, h.file), 'utf8'), h.id).toContain(`mailcow-scim:begin ${h.id}`);
    }
    const patched = await readFile(file, 'utf8');
    expect(patched).not.toContain('mailcow-scim:begin user-login-scim-case');
    expect(patched).toContain('  switch ($row["authsource"]) {');
    phpLint(file);
    expect(r.reports.filter((x) => x.piece !== 'patch').every((x) => x.state === 'missing' || x.state === 'satisfied')).toBe(true);
    // The bridge's install record says which hunk is missing and what that disables.
    const stamp = await readFile(join(t.dir, 'data/web/inc/mailcow-scim/install-state.php'), 'utf8');
    expect(stamp).toContain("'id' => 'user-login-scim-case',");
    expect(stamp).toContain("'state' => 'drifted',");

    // Installing again is idempotent, and still says what is missing.
    const again = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'install');
    expect(again.written).toEqual([]);
    expect(again.leftOut).toHaveLength(1);

    // The CLI: install exits 3 while a hunk is missing, --check 1; both name the feature it disables.
    const out = await cli({}, 'install', '--mailcow-dir', t.dir, '--bridge-dir', t.bridgeDir);
    expect(out.code).toBe(3);
    expect(out.out).toMatch(/REFUSED\s+patch\s+data\/web\/inc\/functions\.auth\.inc\.php user-login-scim-case/);
    expect(out.out).toContain('Without it: SCIM users cannot log in with a password');
    expect(out.out).toContain('Installed, except 1 patch hunk(s)');
    const check = await cli({}, 'install', '--mailcow-dir', t.dir, '--check');
    expect(check.code).toBe(1);
    expect(check.out).toContain('user-login-scim-case: SCIM users cannot log in with a password');
    expect(JSON.parse((await cli({}, 'install', '--mailcow-dir', t.dir, '--check', '--json')).out).leftOut).toHaveLength(1);

    // Uninstall restores mailcow's exact lines for the hunks that were applied.
    const removed = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'uninstall');
    expect(removed.refused).toBe(false);
    expect(await readFile(file, 'utf8')).toBe(drifted);
    expect(await snapshot(t.dir)).toEqual(pristine);
    expect(git(t.dir, 'status', '--porcelain')).toBe('');
  });

  it('leaves out a hunk whose block a merge damaged, and installs the rest', async () => {
    const t = await tree({ git: false });
    await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'install');
    const file = join(t.dir, 'data/web/inc/functions.inc.php');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/^[^\n]*mailcow-scim:end idp-delete-ignore-scim[^\n]*\n/m, ''));
    const nginx = join(t.dir, 'data/conf/nginx/site.scim.custom');
    await writeFile(nginx, `${await readFile(nginx, 'utf8')}# a stray edit\n`);
    const r = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'install');
    expect(r.refused).toBe(false);
    expect(r.leftOut.map((x) => x.item)).toEqual(['data/web/inc/functions.inc.php idp-delete-ignore-scim']);
    expect(r.leftOut[0]!.detail).toContain('is damaged (its markers are incomplete (1 begin, 0 end))');
    expect(r.leftOut[0]!.impact).toContain('Deleting the identity provider fails');
    expect(r.written).toContain('data/conf/nginx/site.scim.custom');
  });

  it('upgrades an install that has only site.scim.custom: adds the upstream, and uninstall removes it', async () => {
    const t = await tree();
    const pristine = await snapshot(t.dir);
    await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'install');
    // What an install before the upstream file left: a site proxying straight to the socket,
    // and a manifest that does not know the upstream file.
    await rm(join(t.dir, UPSTREAM));
    const site = await readFile(join(t.dir, SITE), 'utf8');
    const before = site.replace(/^\s*set \$mailcow_scim_upstream .*\n/m, '').replace('proxy_pass http://$mailcow_scim_upstream;', 'proxy_pass http://unix:/run/mailcow-scim/http/http.sock:;');
    expect(before).not.toBe(site);
    await writeFile(join(t.dir, SITE), before);
    const manifestPath = join(t.dir, '.mailcow-scim/install.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    manifest.created = manifest.created.filter((f: string) => f !== UPSTREAM);
    await writeFile(manifestPath, JSON.stringify(manifest, null, 2));

    const check = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'check');
    expect(check.complete).toBe(false);
    expect(check.reports.filter((r) => r.piece.startsWith('nginx')).map((r) => [r.item, r.state])).toEqual([
      [UPSTREAM, 'missing'],
      [SITE, 'outdated'],
    ]);

    const upgraded = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'install');
    expect(upgraded.complete).toBe(true);
    expect(upgraded.written).toEqual([UPSTREAM, SITE]);
    expect(await readFile(join(t.dir, SITE), 'utf8')).toBe(site);
    expect(JSON.parse(await readFile(manifestPath, 'utf8')).created).toContain(UPSTREAM);
    expect(git(t.dir, 'status', '--porcelain').split('\n').filter((l) => l.includes('nginx'))).toEqual([]);

    const again = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'install');
    expect(again.written).toEqual([]);

    const removed = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'uninstall');
    expect(removed.removed).toEqual(expect.arrayContaining([SITE, UPSTREAM]));
    expect(removed.removed.indexOf(SITE)).toBeLessThan(removed.removed.indexOf(UPSTREAM));
    expect(await snapshot(t.dir)).toEqual(pristine);
  });

  it('leaves out the hunks of a file that is not the mailcow file it should be, and refuses a directory that is not mailcow', async () => {
    const t = await tree({ git: false });
    await writeFile(join(t.dir, 'data/web/inc/init_db.inc.php'), '<?php\n// something else entirely\n');
    const r = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'install');
    expect(r.refused).toBe(false);
    expect(r.leftOut.map((x) => x.item)).toEqual(['data/web/inc/init_db.inc.php init-db-authsource-enum']);
    expect(r.leftOut[0]!.detail).toMatch(/init_db\.inc\.php does not look like mailcow's schema migration/);
    expect(await readFile(join(t.dir, 'data/web/inc/init_db.inc.php'), 'utf8')).toBe('<?php\n// something else entirely\n');

    const notMailcow = await runInstall({ mailcowDir: join(t.dir, 'data'), assets: t.assets }, 'install');
    expect(notMailcow.refused).toBe(true);
    expect(notMailcow.reports[0]!.detail).toContain('has no docker-compose.yml');
  });

  it('refuses everything, writing nothing, when a patched file is missing altogether', async () => {
    const t = await tree({ git: false });
    await rm(join(t.dir, 'data/web/templates/edit/mailbox.twig'));
    const pristine = await snapshot(t.dir);
    const r = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'install');
    expect(r.refused).toBe(true);
    expect(r.reports.find((x) => x.state === 'refused')!.detail).toContain('is missing: this does not look like a complete mailcow checkout');
    expect(await snapshot(t.dir)).toEqual(pristine);
  });

  it("keeps an admin's vars.local.inc.php and docker-compose.override.yml, and takes out only our parts", async () => {
    const t = await tree();
    const vars = "<?php\n// admin settings\n$MAILBOX_DEFAULT_ATTRIBUTES['quarantine_notification'] = 'daily';\n?>\n";
    const override = 'services:\n    sogo-mailcow:\n        environment:\n            - SOGO_EXPIRE_SESSION=480   # admin\n    php-fpm-mailcow:\n        environment:\n            - ALLOW_ADMIN_EMAIL_LOGIN=y\n';
    await writeFile(join(t.dir, 'data/web/inc/vars.local.inc.php'), vars);
    await writeFile(join(t.dir, 'docker-compose.override.yml'), override);
    const pristine = await snapshot(t.dir);

    const r = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'install');
    expect(r.complete).toBe(true);
    const v = await readFile(join(t.dir, 'data/web/inc/vars.local.inc.php'), 'utf8');
    expect(v.startsWith("<?php\n// admin settings\n$MAILBOX_DEFAULT_ATTRIBUTES['quarantine_notification'] = 'daily';\n// mailcow-scim:begin bridge\n")).toBe(true);
    expect(v.endsWith('// mailcow-scim:end bridge\n?>\n')).toBe(true);
    phpLint(join(t.dir, 'data/web/inc/vars.local.inc.php'));
    expect(await readFile(join(t.dir, r.backupDir!, 'data/web/inc/vars.local.inc.php'), 'utf8')).toBe(vars);

    const o = parseYaml(await readFile(join(t.dir, 'docker-compose.override.yml'), 'utf8'));
    expect(o.services['sogo-mailcow']).toEqual({ environment: ['SOGO_EXPIRE_SESSION=480'] });
    expect(o.services['php-fpm-mailcow'].environment).toEqual(['ALLOW_ADMIN_EMAIL_LOGIN=y', 'SCIM_RPC_SOCKET=/run/mailcow-scim/rpc/rpc.sock']);
    expect(o.services['mailcow-scim']).toBeDefined();
    expect(await readFile(join(t.dir, 'docker-compose.override.yml'), 'utf8')).toContain('# admin');

    // Installing again changes nothing, even with the admin's files in the mix.
    const again = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'install');
    expect(again.written).toEqual([]);

    await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'uninstall');
    expect(await readFile(join(t.dir, 'data/web/inc/vars.local.inc.php'), 'utf8')).toBe(vars);
    expect(parseYaml(await readFile(join(t.dir, 'docker-compose.override.yml'), 'utf8'))).toEqual(parseYaml(override));
    const after = await snapshot(t.dir);
    expect(Object.keys(after).sort()).toEqual(Object.keys(pristine).sort());
  });

  it('refuses to overwrite a site.scim.custom or upstream file that someone else wrote, or a conflicting volume', async () => {
    const t = await tree({ git: false });
    await writeFile(join(t.dir, 'data/conf/nginx/site.scim.custom'), 'location /scim/ { return 418; }\n');
    await writeFile(join(t.dir, UPSTREAM), 'upstream other { server unix:/tmp/other.sock; }\n');
    await writeFile(join(t.dir, 'docker-compose.override.yml'), 'services:\n  nginx-mailcow:\n    volumes:\n      - other-vol:/run/mailcow-scim\n');
    const r = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'install');
    expect(r.refused).toBe(true);
    const details = r.reports.filter((x) => x.state === 'refused').map((x) => x.detail);
    expect(details).toEqual(
      expect.arrayContaining([
        expect.stringContaining('site.scim.custom exists and was not written by mailcow-scim'),
        expect.stringContaining('mailcow-scim-upstream.conf exists and was not written by mailcow-scim'),
        expect.stringContaining('another volume (other-vol:/run/mailcow-scim) is mounted at /run/mailcow-scim'),
      ]),
    );
  });

  it('--image runs a registry image instead of building, and later runs keep that choice', async () => {
    const t = await tree({ git: false });
    await runInstall({ mailcowDir: t.dir, assets: t.assets, image: 'ghcr.io/example/mailcow-scim:1.2.3' }, 'install');
    const o = parseYaml(await readFile(join(t.dir, 'docker-compose.override.yml'), 'utf8'));
    expect(o.services['mailcow-scim'].image).toBe('ghcr.io/example/mailcow-scim:1.2.3');
    expect(o.services['mailcow-scim'].build).toBeUndefined();
    expect(o.services['mailcow-scim'].pull_policy).toBeUndefined();
    const again = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'install');
    expect(again.written).toEqual([]);
  });

  it('survives an update.sh merge that drops a hunk: check notices, install puts it back', async () => {
    const t = await tree();
    await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'install');
    // update.sh: commit local changes ("Before update"), then merge upstream with -X theirs.
    git(t.dir, 'add', '-u');
    git(t.dir, 'commit', '-q', '-am', 'Before update');
    git(t.dir, 'checkout', '-q', '-b', 'upstream', 'HEAD~1');
    // Upstream adds an authsource and touches the code right after user_login()'s switch.
    const initDb = join(t.dir, 'data/web/inc/init_db.inc.php');
    await writeFile(initDb, (await readFile(initDb, 'utf8')).replace("'generic-oidc', 'ldap')", "'generic-oidc', 'ldap', 'saml')").replace('"19022026_1220"', '"01092026_0900"'));
    const auth = join(t.dir, 'data/web/inc/functions.auth.inc.php');
    await writeFile(
      auth,
      (await readFile(auth, 'utf8')).replace(
        "  switch ($row['authsource']) {\n    case 'keycloak':",
        "  switch ($row['authsource']) {\n    case 'saml':\n      return false;\n    break;\n    case 'keycloak':",
      ),
    );
    git(t.dir, 'commit', '-q', '-am', 'upstream: saml');
    git(t.dir, 'checkout', '-q', 'master');
    git(t.dir, 'merge', '-q', '-X', 'theirs', '-Xpatience', '-m', 'After update', 'upstream');

    const check = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'check');
    expect(check.complete).toBe(false);
    const missing = check.reports.filter((r) => r.state === 'missing').map((r) => r.item);
    expect(missing).toEqual(expect.arrayContaining(['data/web/inc/init_db.inc.php init-db-authsource-enum', 'data/web/inc/functions.auth.inc.php user-login-scim-case']));
    expect(check.notes.join(' ')).toContain('01092026_0900');

    const fixed = await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'install');
    expect(fixed.complete).toBe(true);
    expect(await readFile(initDb, 'utf8')).toContain(`"authsource" => "ENUM('mailcow', 'keycloak', 'generic-oidc', 'ldap', 'saml', 'scim') DEFAULT 'mailcow'",`);
    const patched = await readFile(auth, 'utf8');
    expect(patched).toContain("    case 'saml':");
    expect(patched).toContain("    case 'scim':");
    phpLint(auth);
    expect((await runInstall({ mailcowDir: t.dir, assets: t.assets }, 'check')).complete).toBe(true);
  });

  it('the CLI: --check exit codes, --uninstall, doctor --help', async () => {
    const t = await tree({ git: false });
    const check = await cli({}, 'install', '--mailcow-dir', t.dir, '--bridge-dir', t.bridgeDir, '--check');
    expect(check.code).toBe(1);
    expect(check.out).toMatch(/MISSING\s+patch\s+data\/web\/inc\/init_db\.inc\.php init-db-authsource-enum/);
    const install = await cli({}, 'install', '--mailcow-dir', t.dir, '--bridge-dir', t.bridgeDir);
    expect(install.code).toBe(0);
    expect(install.out).toContain('docker compose restart php-fpm-mailcow nginx-mailcow');
    expect(install.out).toContain('https://mail.example.org/scim/v2');
    const ok = await cli({}, 'install', '--mailcow-dir', t.dir, '--check', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ action: 'check', complete: true, refused: false });
    const un = await cli({}, 'install', '--mailcow-dir', t.dir, '--uninstall');
    expect(un.code).toBe(0);
    expect(un.out).toMatch(/removed\s+compose\s+docker-compose\.override\.yml/);
    const bad = await cli({}, 'install', '--check', '--uninstall', '--mailcow-dir', t.dir);
    expect(bad.code).toBe(2);
    const help = await cli({}, 'doctor', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: mailcow-scim doctor [--repair]');
  });
});
