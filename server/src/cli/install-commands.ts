/** `mailcow-scim install` (with --check and --uninstall) and `mailcow-scim doctor` (with --repair). */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatDoctorReport, runDoctor } from '../install/doctor.js';
import { findInstallAssets, runInstall, type InstallAction, type InstallResult, type PieceReport } from '../install/index.js';
import { releaseImage } from '../install/image-choice.js';
import { RELEASE_IMAGE_REPOSITORY, VERSION } from '../version.js';
import { openContext } from './context.js';
import { print, UsageError, type CliCommand, type CliIo } from './io.js';

const STATE_LABEL: Record<PieceReport['state'], { install: string; check: string; uninstall: string }> = {
  installed: { install: 'ok', check: 'ok', uninstall: 'removed' },
  missing: { install: 'added', check: 'MISSING', uninstall: '-' },
  outdated: { install: 'updated', check: 'OUTDATED', uninstall: '-' },
  satisfied: { install: 'ok', check: 'ok', uninstall: '-' },
  absent: { install: '-', check: '-', uninstall: 'absent' },
  drifted: { install: 'REFUSED', check: 'REFUSED', uninstall: '-' },
  refused: { install: 'REFUSED', check: 'REFUSED', uninstall: 'REFUSED' },
  warning: { install: 'WARN', check: 'WARN', uninstall: '-' },
};

/** `install` exits with this while patch hunks are left out (everything else installed). */
const EXIT_HUNKS_LEFT_OUT = 3;

function printLeftOut(io: CliIo, r: InstallResult): void {
  if (!r.leftOut.length) return;
  const done = r.action === 'install' ? 'Installed, except' : 'Install would apply everything except';
  print(io.stdout, `\n${done} ${r.leftOut.length} patch hunk(s) that this mailcow's code no longer matches. While they are missing:`);
  for (const x of r.leftOut) print(io.stdout, `  - ${x.item.split(' ')[1]}: ${x.impact}`);
  print(
    io.stdout,
    'If you edited those files, restore them (git checkout -- FILE) and run install again; if a mailcow update changed that code, ' +
      'install a mailcow-scim release that supports this mailcow version. install exits 3 while any hunk is missing.',
  );
}

function printInstallResult(io: CliIo, r: InstallResult): void {
  const width = Math.max(...r.reports.map((x) => x.piece.length), 6);
  for (const x of r.reports) {
    const label = STATE_LABEL[x.state][r.action].padEnd(8);
    print(io.stdout, `${label} ${x.piece.padEnd(width)}  ${x.item}`);
    if (x.state === 'refused' || x.state === 'drifted' || x.state === 'warning') print(io.stdout, `         ${' '.repeat(width)}  ${x.detail}`);
    if (x.state === 'drifted') print(io.stdout, `         ${' '.repeat(width)}  Without it: ${x.impact}`);
  }
  for (const n of r.notes) print(io.stdout, `note: ${n}`);
  if (r.refused) {
    print(io.stdout, `\nNothing was changed: ${r.reports.filter((x) => x.state === 'refused').length} refusal(s) above.`);
    return;
  }
  if (r.backupDir) print(io.stdout, `\nBackups of the files changed: ${r.backupDir}/`);
  printLeftOut(io, r);
  const host = r.mailcowHostname || '<MAILCOW_HOSTNAME>';
  if (r.action === 'install') {
    if (r.written.length === 0 && r.removed.length === 0) print(io.stdout, `\n${r.leftOut.length ? 'Nothing else to do' : 'Already installed: nothing to do'}.`);
    else
      print(
        io.stdout,
        `
Installed. Next, in the mailcow directory:
  docker compose up -d                                 # pulls (or builds) and starts mailcow-scim
  docker compose restart php-fpm-mailcow nginx-mailcow # loads the patch, the bridge and site.scim.custom
  docker compose exec mailcow-scim mailcow-scim doctor --url https://${host}/scim/v2
  docker compose exec mailcow-scim mailcow-scim token create --name Entra --domain <your domain>
Then give your identity provider https://${host}/scim/v2 and the token.`,
      );
  } else if (r.action === 'check') {
    const pending = r.reports.some((x) => x.state === 'missing' || x.state === 'outdated');
    if (r.complete) print(io.stdout, '\nEverything is installed.');
    else if (pending) print(io.stdout, '\nNot everything is installed: run mailcow-scim install --mailcow-dir <dir>.');
  } else {
    print(
      io.stdout,
      `
Uninstalled: every file is back as it was. Next: docker compose up -d --remove-orphans, then
docker compose restart php-fpm-mailcow nginx-mailcow. The database is untouched: the
mailcow_scim_* tables and the 'scim' value of mailbox.authsource stay. Before the next mailcow
update, give SCIM mailboxes another authsource (see docs/install.md, "Uninstall"), or mailcow's
schema migration will fail on them.`,
    );
  }
}

const installCommand: CliCommand = {
  path: ['install'],
  summary: 'install into a mailcow checkout (--check: report only, --uninstall: take it out again)',
  usage: `mailcow-scim install --mailcow-dir DIR [--check | --uninstall] [--image REF | --build [--build-context DIR] | --release] [--keep-backups] [--bridge-dir DIR] [--json]

Puts mailcow-scim into the mailcow-dockerized checkout DIR, idempotently:
  docker-compose.override.yml      the mailcow-scim service and the socket volume it shares with nginx and php-fpm
  data/conf/nginx/site.scim.custom /scim/v2/ → the sidecar's HTTP socket, through the upstream in
                                   data/conf/nginx/mailcow-scim-upstream.conf (keeps connections open)
  data/hooks/phpfpm/…enum-guard.sh keeps 'scim' in mailbox.authsource through mailcow schema updates
  data/web/inc/mailcow-scim/       the PHP bridge, loaded from data/web/inc/vars.local.inc.php
  a marker-delimited patch of six mailcow files at the hook points of user_login(), verify-sso, …
Every changed file is backed up under DIR/.mailcow-scim/backups/. A patch hunk whose mailcow code
is not what it expects (a mailcow update moved it) is left out and reported with what it disables;
every other hunk and piece is installed. Anything else that cannot be changed safely (a file that
is not ours, a directory that is not mailcow) refuses the install, and then nothing is written.
Exit code: 0 everything in place, 1 refused (nothing written), 3 installed except left-out hunks.
The service runs the released image of this version (${releaseImage({ repository: RELEASE_IMAGE_REPOSITORY, version: VERSION })}) unless
--image or --build says otherwise; that choice is remembered by later runs until --release.
Without Node on the host: docker run --rm -v /opt/mailcow-dockerized:/mailcow IMAGE install --mailcow-dir /mailcow

  --check           report what is installed, missing, outdated or refused; change nothing (exit 1 unless complete)
  --uninstall       remove every piece again (mailcow's files get their original lines back)
  --image REF       run this image instead (e.g. pinned by digest, or a mirror of the registry)
  --build           build the image from a mailcow-scim checkout (pull_policy: build)
  --build-context D the checkout to build from (implies --build; default: this one)
  --release         back to the released image of this version after --image or --build
  --keep-backups    with --uninstall: keep DIR/.mailcow-scim/backups/
  --bridge-dir D    the PHP bridge sources to copy (default: php-bridge/src of this checkout; remembered)`,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        'mailcow-dir': { type: 'string' },
        check: { type: 'boolean' },
        uninstall: { type: 'boolean' },
        image: { type: 'string' },
        build: { type: 'boolean' },
        'build-context': { type: 'string' },
        release: { type: 'boolean' },
        'keep-backups': { type: 'boolean' },
        'bridge-dir': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
    if (!values['mailcow-dir']) throw new UsageError('--mailcow-dir is required');
    if (values.check && values.uninstall) throw new UsageError('--check and --uninstall exclude each other');
    const imageFlags = [values.image !== undefined && '--image', (values.build || values['build-context'] !== undefined) && '--build', values.release && '--release'].filter(Boolean);
    if (imageFlags.length > 1) throw new UsageError(`${imageFlags.join(' and ')} exclude each other`);
    const action: InstallAction = values.check ? 'check' : values.uninstall ? 'uninstall' : 'install';
    const result = await runInstall(
      {
        mailcowDir: resolve(values['mailcow-dir']),
        image: values.image,
        build: values.build,
        buildContext: values['build-context'] ? resolve(values['build-context']) : undefined,
        release: values.release,
        keepBackups: values['keep-backups'],
        assets: values['bridge-dir'] ? { ...findInstallAssets(), bridgeDir: resolve(values['bridge-dir']) } : undefined,
        rememberBridgeDir: values['bridge-dir'] !== undefined,
        version: VERSION,
      },
      action,
    );
    if (values.json) print(io.stdout, JSON.stringify(result));
    else printInstallResult(io, result);
    if (result.refused) return 1;
    if (action === 'check') return result.complete ? 0 : 1;
    return result.leftOut.length ? EXIT_HUNKS_LEFT_OUT : 0;
  },
};

const doctorCommand: CliCommand = {
  path: ['doctor'],
  summary: 'check every piece (database, ENUM, install, sockets, nginx, IdP, tokens) and say what to fix',
  usage: `mailcow-scim doctor [--repair] [--mailcow-dir DIR] [--url URL] [--insecure] [--json]

Checks the database (reachable, plugin schema, 'scim' in mailbox.authsource, mailcow's schema
version, owned mailboxes still marked 'scim', none parked by the ENUM guard, each 'scim' mailbox's
SOGo view row as mailcow's refresh would write it, post-commit work not yet done), tokens, the identity
provider, the SCIM and gRPC sockets and /healthz (from SCIM_HTTP_SOCKET, SCIM_RPC_SOCKET,
SCIM_METRICS_PORT), and with --mailcow-dir every installed piece and patch marker.

  --repair          first fix what can be fixed: plugin migrations, the ENUM value, authsource 'scim'
                    on owned and parked mailboxes, SOGo view rows (then a memcached flush), and
                    (with --mailcow-dir) re-run install
  --mailcow-dir DIR the mailcow-dockerized checkout to check (markers, pending mailcow migration)
  --url URL         the public SCIM base URL to test through nginx, e.g. https://mail.example.org/scim/v2
  --insecure        accept a self-signed certificate for --url
  --json            machine-readable output
Exit code 0 when nothing failed (warnings allowed), 1 otherwise.`,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        repair: { type: 'boolean' },
        'mailcow-dir': { type: 'string' },
        url: { type: 'string' },
        insecure: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
    const ctx = openContext(io);
    try {
      const report = await runDoctor(
        {
          pool: ctx.pool,
          tokens: ctx.tokens,
          config: ctx.config,
          mailcowDir: values['mailcow-dir'] ? resolve(values['mailcow-dir']) : undefined,
          url: values.url,
          insecure: values.insecure,
          version: VERSION,
        },
        values.repair,
      );
      if (values.json) print(io.stdout, JSON.stringify(report));
      else for (const line of formatDoctorReport(report)) print(io.stdout, line);
      return report.ok ? 0 : 1;
    } finally {
      await ctx.close();
    }
  },
};

export const installCommands: CliCommand[] = [installCommand, doctorCommand];
