/**
 * `mailcow-scim doctor`: every piece the sidecar depends on, checked, each failure with what to
 * do (docs/architecture.md §7). `--repair` first fixes what it can without a person: our schema, the
 * 'scim' ENUM value, the marker on owned and parked mailboxes, and (with --mailcow-dir) the
 * install itself, which is idempotent and refuses drifted mailcow files as install does; and
 * every 'scim' mailbox's SOGo view row, as mailcow's own refresh would write it (architecture
 * §8.1: the outbox redoes lost post-commit work, doctor finds whatever drifted anyway).
 */
import type { Config } from '../config.js';
import { describeLoginSetup } from '../login-routing/index.js';
import { ensureScimAuthsource } from '../mailcow/authsource.js';
import { readDatabaseState, type DatabaseState } from '../mailcow/database-state.js';
import { nowIso } from '../mailcow/db-time.js';
import { readIdentityProvider } from '../mailcow/identity-provider.js';
import { migrate } from '../mailcow/migrations.js';
import { readMailcowPrerequisites } from '../mailcow/mailcow-prerequisites.js';
import { readEventTableStats } from '../mailcow/event-retention.js';
import { DEFAULT_EVENT_RETENTION_DAYS } from '../tokens/index.js';
import type { DatabasePool } from '../mailcow/queryable.js';
import { readOutboxBacklog } from '../mailcow/outbox-store.js';
import { MailcowSideEffects } from '../mailcow/side-effects.js';
import { readSogoDrift, repairSogoDrift, type SogoDrift } from '../mailcow/sogo-view.js';
import { createLogger } from '../logging.js';
import type { TokenService } from '../tokens/index.js';
import type { InstallAssets } from './assets.js';
import { readOwnershipDrift, restoreScimAuthsource, PARKING_TABLE } from './authsource-repair.js';
import { runInstall, type InstallResult } from './installer.js';
import { BRIDGE_ENTRY_FILE, MAILCOW_FILES } from './layout.js';
import { parseDbVersion, readText } from './mailcow-dir.js';
import { HUNKS } from './hunks.js';
import { isSettled, type PieceReport } from './plan.js';
import { probeGrpcSocket, probeHealthz, probeHttpSocket, probeScimUrl } from './probes.js';
import { BRIDGE_STAMP_FILE, readBridgeStampVersion } from './bridge-stamp.js';
import { fetchRunningStatus } from '../rpc/status-client.js';
import { VERSION } from '../version.js';
import { describeVersionSkew } from '../version-skew.js';
import { probeNetfilter } from './netfilter-probe.js';

type CheckStatus = 'ok' | 'fail' | 'warn' | 'skip';

interface DoctorCheck {
  name: string;
  status: CheckStatus;
  detail?: string;
  /** What to do about a failure. */
  fix?: string;
  /** Print the detail even when ok (a measurement, not a problem). */
  info?: boolean;
}

export interface DoctorOptions {
  pool: DatabasePool;
  tokens: TokenService;
  config: Pick<Config, 'httpSocket' | 'rpcSocket' | 'metricsPort' | 'image'> & Partial<Pick<Config, 'redisUrl' | 'netfilter' | 'skipSogo' | 'memcachedUrl'>>;
  mailcowDir?: string;
  /** The public SCIM base URL to test through nginx, e.g. https://mail.example.org/scim/v2. */
  url?: string;
  insecure?: boolean;
  assets?: InstallAssets;
  version?: string;
}

export interface DoctorReport {
  checks: DoctorCheck[];
  /** What --repair did, in order. */
  repairs: string[];
  state?: DatabaseState;
  ok: boolean;
}

const PIECE_NAMES: Record<string, string> = {
  patch: 'mailcow patch markers in place',
  nginx: 'nginx site.scim.custom routes /scim/v2/',
  'nginx-upstream': 'nginx upstream to the sidecar in place',
  hook: 'php-fpm ENUM guard hook installed',
  bridge: 'PHP bridge copied',
  'vars.local': 'vars.local.inc.php loads the bridge',
  compose: 'compose override runs the sidecar',
  'git-exclude': 'our files excluded from git',
};

/** One check per patch hunk that is not in place, each saying what it disables. */
function patchChecks(reports: PieceReport[], dir: string): DoctorCheck[] {
  const bad = reports.filter((r) => !isSettled(r.state));
  if (!bad.length) return [{ name: PIECE_NAMES.patch!, status: 'ok' }];
  return bad.map((r) => {
    const id = r.item.split(' ')[1] ?? r.item;
    const hunk = HUNKS.find((h) => h.id === id);
    const where = `${hunk ? `hook point ${hunk.hookPoint}, ` : ''}${r.item.split(' ')[0]}`;
    if (r.state === 'drifted' || r.state === 'refused') {
      return {
        name: `patch hunk ${id} left out`,
        status: 'fail',
        detail: `${where}: ${r.detail} Without it: ${r.impact ?? hunk?.impact ?? ''}`.trim(),
        fix: `if you edited the file: git checkout -- ${r.item.split(' ')[0]}, then mailcow-scim install --mailcow-dir ${dir}; if a mailcow update changed it: install a mailcow-scim release that supports this mailcow version`,
      };
    }
    return {
      name: `patch hunk ${id} in place`,
      status: 'fail',
      detail: `${where}: ${r.state === 'missing' ? 'not in mailcow\'s file (a mailcow update dropped it?)' : 'written by another mailcow-scim version'}. Without it: ${hunk?.impact ?? r.detail}`,
      fix: `run: mailcow-scim install --mailcow-dir ${dir} (or doctor --repair --mailcow-dir ${dir}); then docker compose restart php-fpm-mailcow`,
    };
  });
}

function installChecks(result: InstallResult, dir: string): DoctorCheck[] {
  if (result.reports.length && result.reports.every((r) => r.piece === 'mailcow')) {
    return [{ name: 'mailcow checkout recognised', status: 'fail', detail: result.reports.map((r) => r.detail).join('; '), fix: 'pass the mailcow-dockerized directory as --mailcow-dir' }];
  }
  const checks: DoctorCheck[] = [];
  for (const [piece, name] of Object.entries(PIECE_NAMES)) {
    const reports = result.reports.filter((r) => r.piece === piece);
    if (!reports.length) continue;
    if (piece === 'patch') {
      checks.push(...patchChecks(reports, dir));
      continue;
    }
    const bad = reports.filter((r) => !isSettled(r.state));
    const refused = bad.filter((r) => r.state === 'refused');
    const warnings = reports.filter((r) => r.state === 'warning');
    checks.push({
      name,
      status: bad.length ? 'fail' : warnings.length ? 'warn' : 'ok',
      detail: bad.length
        ? bad.map((r) => `${r.item}: ${r.state}${r.state === 'refused' ? ` (${r.detail})` : ''}`).join('; ')
        : warnings.length
          ? warnings.map((r) => r.detail).join('; ')
          : undefined,
      fix: refused.length
        ? `resolve the refusal above by hand, then run: mailcow-scim install --mailcow-dir ${dir}`
        : bad.length
          ? `run: mailcow-scim install --mailcow-dir ${dir} (or doctor --repair --mailcow-dir ${dir})${piece.startsWith('nginx') ? '; then docker compose restart nginx-mailcow' : ''}`
          : undefined,
    });
  }
  return checks;
}

async function databaseChecks(o: DoctorOptions, s: DatabaseState, checks: DoctorCheck[]): Promise<void> {
  checks.push({ name: 'database reachable', status: s.reachable ? 'ok' : 'fail', detail: s.reachable ? undefined : s.problem, fix: 'check MARIADB_URL and that MariaDB runs' });
  if (!s.reachable) return;
  const prerequisites = await readMailcowPrerequisites(o.pool);
  const lacking = [...prerequisites.missing.map((m) => `missing ${m}`), ...prerequisites.incompatible];
  checks.push({
    name: "mailcow's tables present",
    status: lacking.length ? 'fail' : 'ok',
    detail: lacking.length ? `${prerequisites.database}: ${lacking.slice(0, 6).join('; ')}${lacking.length > 6 ? '; …' : ''}` : undefined,
    fix: "point MARIADB_URL at mailcow's database (mailcow.conf: DBNAME, DBUSER, DBPASS); migrate and --repair write nothing until it is",
  });
  checks.push({
    name: 'plugin schema current',
    status: s.pluginSchemaVersion === s.pluginSchemaTarget ? 'ok' : 'fail',
    detail: s.pluginSchemaAhead ? s.problem : `version ${s.pluginSchemaVersion} of ${s.pluginSchemaTarget}`,
    fix: s.pluginSchemaAhead
      ? `run mailcow-scim ${s.pluginSchemaWriter ? `${s.pluginSchemaWriter} or newer` : 'of the version that migrated the database'} (this is ${o.version ?? VERSION}); migrations are never rolled back`
      : 'run: mailcow-scim migrate (or doctor --repair)',
  });
  checks.push({
    name: "mailbox.authsource accepts 'scim'",
    status: s.authsourceHasScim ? 'ok' : 'fail',
    detail: s.authsourceHasScim ? undefined : 'SCIM writes are refused with 503 until it does',
    fix: 'run: mailcow-scim doctor --repair (or restart php-fpm-mailcow: the ENUM guard hook re-adds it)',
  });
  let fileVersion = '';
  if (o.mailcowDir) fileVersion = parseDbVersion((await readText(o.mailcowDir, MAILCOW_FILES.initDb)) ?? '');
  const pending = fileVersion !== '' && s.mailcowDbSchema !== '' && fileVersion !== s.mailcowDbSchema;
  checks.push({
    name: 'mailcow schema version known',
    status: s.mailcowDbSchema === '' || pending ? 'fail' : 'ok',
    detail: pending
      ? `the database is at ${s.mailcowDbSchema}, init_db.inc.php declares ${fileVersion}: a mailcow migration is pending or failed`
      : s.mailcowDbSchema || 'versions.db_schema is empty',
    fix: pending
      ? 'docker compose restart php-fpm-mailcow (init_db runs again; the ENUM guard hook parks and restores SCIM mailboxes around it)'
      : "is MARIADB_URL pointing at mailcow's database?",
  });
  if (s.pluginSchemaVersion > 0) {
    const drift = await readOwnershipDrift(o.pool);
    const sample = drift.ownedNotScim.slice(0, 5).map((d) => `${d.mailbox} (${d.authsource ?? 'NULL'})`).join(', ');
    checks.push({
      name: "owned mailboxes marked 'scim'",
      status: drift.ownedNotScim.length ? 'fail' : 'ok',
      detail: drift.ownedNotScim.length ? `${drift.ownedNotScim.length} owned mailbox(es) have another authsource: ${sample}${drift.ownedNotScim.length > 5 ? ', …' : ''}` : undefined,
      fix: "run: mailcow-scim doctor --repair (restores 'scim' from mailcow_scim_users)",
    });
    checks.push({
      name: 'no mailboxes parked by the ENUM guard',
      status: drift.parked.length ? 'fail' : 'ok',
      detail: drift.parked.length ? `${drift.parked.length} mailbox(es) still parked as 'mailcow' in ${PARKING_TABLE}` : undefined,
      fix: 'docker compose restart php-fpm-mailcow, or run: mailcow-scim doctor --repair',
    });
    const tokens = await o.tokens.list(false).catch(() => []);
    checks.push({
      name: 'at least one active token',
      status: tokens.some((t) => t.active) ? 'ok' : 'fail',
      detail: `${tokens.filter((t) => t.active).length} active`,
      fix: 'run: mailcow-scim token create --name NAME --domain DOMAIN (or use the admin page)',
    });
    checks.push(await eventTableCheck(o));
    if (s.pluginSchemaVersion >= OUTBOX_SCHEMA_VERSION) checks.push(await outboxCheck(o));
    if (!o.config.skipSogo) checks.push(sogoCheck(await readSogoDrift(o.pool)));
    // A rule stored before rules were validated fails every POST /Users of its token with 400.
    const broken = await o.tokens.invalidRules().catch(() => []);
    checks.push({
      name: 'template rules valid',
      status: broken.length ? 'fail' : 'ok',
      detail: broken.length
        ? broken.map((b) => `token "${b.token.name}": ${b.problems.map((p) => `${p.field}${p.offset !== undefined ? ` at offset ${p.offset}` : ''}: ${p.message}`).join('; ')}`).join('; ')
        : undefined,
      fix: broken.length
        ? `every create of ${broken.map((b) => `"${b.token.name}"`).join(', ')} answers 400 until fixed: mailcow-scim token update NAME --template-rule 'FILTER => TEMPLATE' (all rules again), or --template-rule '' to remove them`
        : undefined,
    });
  }
  const idp = await readIdentityProvider(o.pool).catch(() => undefined);
  if (idp) {
    const setup = describeLoginSetup(idp, 0);
    checks.push({
      name: 'identity provider configured',
      status: setup.complete ? 'ok' : 'warn',
      detail: setup.summary,
      fix: setup.complete ? undefined : 'configure one in mailcow: System > Configuration > Access > Identity Provider',
    });
  }
}

/** The migration that made mailcow_scim_outbox. */
const OUTBOX_SCHEMA_VERSION = 6;

function sample(names: string[]): string {
  return `${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`;
}

function describeSogoDrift(d: SogoDrift): string {
  const parts: string[] = [];
  if (d.missing.length) parts.push(`${d.missing.length} missing (${sample(d.missing)})`);
  if (d.wrong.length) parts.push(`${d.wrong.length} different from mailcow's refresh (${sample(d.wrong)})`);
  if (d.stale.length) parts.push(`${d.stale.length} of no active mailbox (${sample(d.stale)})`);
  return parts.join('; ');
}

function sogoCheck(d: SogoDrift): DoctorCheck {
  const drifted = d.missing.length + d.wrong.length + d.stale.length > 0;
  return {
    name: "SOGo view rows of 'scim' mailboxes as mailcow writes them",
    status: drifted ? 'fail' : 'ok',
    detail: drifted ? `${describeSogoDrift(d)}: SOGo does not show those users as mailcow has them` : undefined,
    fix: 'run: mailcow-scim doctor --repair (writes each row as mailcow\'s own refresh would)',
  };
}

/**
 * Post-commit work not done yet. A few rows for seconds is normal (the worker retries); rows
 * that keep failing, or one older than ten minutes, mean Redis, memcached or the sidecar is down.
 */
async function outboxCheck(o: DoctorOptions): Promise<DoctorCheck> {
  const name = 'post-commit work done (outbox)';
  try {
    const b = await readOutboxBacklog(o.pool);
    const old = (b.oldestAgeSeconds ?? 0) > 600;
    const detail = `${b.pending} pending, ${b.failing} failing${b.oldestAgeSeconds !== null ? `, oldest ${Math.round(b.oldestAgeSeconds)} s` : ''}`;
    return {
      name,
      status: b.failing || old ? 'warn' : 'ok',
      info: true,
      detail,
      fix: b.failing || old ? 'is the sidecar running, and are REDIS_URL and MEMCACHED_URL reachable? The last error of each row is in mailcow_scim_outbox.last_error' : undefined,
    };
  } catch (e) {
    return { name, status: 'warn', detail: `could not read mailcow_scim_outbox: ${(e as Error).message}` };
  }
}

/**
 * The PHP bridge against the sidecar: the copy installed in mailcow (with --mailcow-dir) and
 * the one php-fpm last called with, against the running sidecar's version (this CLI's own when
 * the sidecar does not answer).
 */
async function versionChecks(o: DoctorOptions, checks: DoctorCheck[]): Promise<void> {
  const running = o.config.rpcSocket ? await fetchRunningStatus(o.config.rpcSocket) : undefined;
  const sidecar = (running?.ok && running.status.version) || (o.version ?? VERSION);
  const calledWith = running?.ok ? running.status.bridgeVersion : undefined;
  const name = 'PHP bridge and sidecar are the same version';
  let installed: string | undefined;
  if (o.mailcowDir && (await readText(o.mailcowDir, `${MAILCOW_FILES.bridgeDir}/${BRIDGE_ENTRY_FILE}`)) !== undefined) {
    installed = readBridgeStampVersion(await readText(o.mailcowDir, `${MAILCOW_FILES.bridgeDir}/${BRIDGE_STAMP_FILE}`));
  }
  const compared = installed ?? calledWith;
  if (compared === undefined) {
    checks.push({ name, status: 'skip', detail: 'no PHP bridge has called the sidecar yet; give --mailcow-dir to compare the installed copy' });
    return;
  }
  const skew = describeVersionSkew(sidecar, compared, o.config.image);
  const of = running?.ok ? 'the running sidecar' : 'this mailcow-scim';
  checks.push({
    name,
    status: skew.skew ? 'fail' : 'ok',
    detail: skew.skew ? `${skew.problem} (${installed !== undefined ? 'installed copy' : 'bridge calls'} ${compared || 'without a version'}, ${of} ${sidecar})` : `${sidecar}`,
    fix: skew.fix || undefined,
  });
  // opcache in mailcow's php-fpm never re-reads PHP files: a new copy runs only after a restart.
  if (!skew.skew && installed !== undefined && calledWith !== undefined && calledWith !== installed) {
    checks.push({
      name: 'php-fpm runs the installed PHP bridge',
      status: 'fail',
      detail: `the installed copy is ${installed}, but php-fpm still calls with ${calledWith || 'no version'} (opcache keeps PHP files until php-fpm restarts)`,
      fix: 'docker compose restart php-fpm-mailcow',
    });
  }
}

/**
 * The audit table's size and oldest row. Events older than the longest retention (plus two days
 * of slack for an hourly job) mean nothing prunes them: the sidecar is down, or its
 * SCIM_EVENT_PRUNE_INTERVAL_MS is 0.
 */
async function eventTableCheck(o: DoctorOptions): Promise<DoctorCheck> {
  const name = 'audit events pruned';
  try {
    const stats = await readEventTableStats(o.pool);
    const tokens = await o.tokens.list(true);
    const keepDays = Math.max(DEFAULT_EVENT_RETENTION_DAYS, ...tokens.map((t) => t.policy.eventRetentionDays));
    const ageDays = stats.oldestAt ? (Date.now() - Date.parse(stats.oldestAt)) / 86_400_000 : 0;
    const size = `about ${stats.rowsEstimate} rows, ${(stats.bytes / 1024 / 1024).toFixed(1)} MiB, oldest ${stats.oldestAt ?? '(none)'}`;
    const stale = ageDays > keepDays + 2;
    return {
      name,
      status: stale ? 'warn' : 'ok',
      info: true,
      detail: stale ? `${size}: older than the longest retention (${keepDays} days)` : size,
      fix: stale ? 'is the sidecar running, with SCIM_EVENT_PRUNE_INTERVAL_MS not 0? It prunes each token\'s events after its eventRetentionDays' : undefined,
    };
  } catch (e) {
    return { name, status: 'warn', detail: `could not read mailcow_scim_events: ${(e as Error).message}` };
  }
}

async function runtimeChecks(o: DoctorOptions, checks: DoctorCheck[]): Promise<void> {
  if (o.config.httpSocket) {
    const r = await probeHttpSocket(o.config.httpSocket);
    checks.push({ name: 'SCIM socket answering', status: r.ok ? 'ok' : 'fail', detail: `${o.config.httpSocket}: ${r.detail}`, fix: 'is the mailcow-scim container running? docker compose logs mailcow-scim' });
  }
  if (o.config.rpcSocket) {
    const r = await probeGrpcSocket(o.config.rpcSocket);
    checks.push({ name: 'gRPC socket answering', status: r.ok ? 'ok' : 'fail', detail: `${o.config.rpcSocket}: ${r.detail}`, fix: 'is the mailcow-scim container running? docker compose logs mailcow-scim' });
  }
  if (o.config.metricsPort !== undefined) {
    const r = await probeHealthz(o.config.metricsPort);
    checks.push({ name: 'health endpoint green', status: r.ok ? 'ok' : 'fail', detail: `127.0.0.1:${o.config.metricsPort}/healthz: ${r.detail}`, fix: 'see the checks above; docker compose logs mailcow-scim' });
  }
  checks.push(await probeNetfilter(o.config));
  if (o.url) {
    const r = await probeScimUrl(o.url, { insecure: o.insecure });
    checks.push({
      name: 'nginx route answering',
      status: r.ok ? 'ok' : 'fail',
      detail: r.detail,
      fix: 'check data/conf/nginx/site.scim.custom and mailcow-scim-upstream.conf are installed, then docker compose restart nginx-mailcow',
    });
  } else {
    checks.push({ name: 'nginx route answering', status: 'skip', detail: 'give --url https://<MAILCOW_HOSTNAME>/scim/v2 to test it' });
  }
}

/** Writes every drifted SOGo row of a 'scim' mailbox as mailcow's refresh would, then flushes SOGo's cache. */
async function repairSogo(o: DoctorOptions): Promise<string[]> {
  const drift = await readSogoDrift(o.pool);
  if (!drift.missing.length && !drift.wrong.length && !drift.stale.length) return [];
  await repairSogoDrift(o.pool, drift);
  const done = [`SOGo view rows: ${drift.missing.length} inserted, ${drift.wrong.length} corrected, ${drift.stale.length} removed`];
  if (o.config.memcachedUrl) {
    const effects = new MailcowSideEffects(o.pool, { memcachedUrl: o.config.memcachedUrl, skipSogo: false }, createLogger({ level: 'silent' }));
    await effects.flush().then(
      () => done.push('flushed memcached (SOGo reads the rows again)'),
      (e: unknown) => done.push(`memcached flush failed (${(e as Error).message}): SOGo shows the old rows until its cache expires`),
    );
  }
  return done;
}

/** Runs --repair (when asked) and then every check. */
export async function runDoctor(o: DoctorOptions, repair = false): Promise<DoctorReport> {
  const repairs: string[] = [];
  if (repair) {
    let state = await readDatabaseState(o.pool);
    const prerequisites = state.reachable ? await readMailcowPrerequisites(o.pool) : undefined;
    if (prerequisites && (prerequisites.missing.length || prerequisites.incompatible.length)) {
      repairs.push(`not mailcow's database (${[...prerequisites.missing, ...prerequisites.incompatible].slice(0, 3).join(', ')}…): nothing repaired there`);
    } else if (state.reachable) {
      const m = await migrate(o.pool, nowIso);
      if (m.applied.length) repairs.push(`applied plugin migrations: ${m.applied.join(', ')}`);
      if (await ensureScimAuthsource(o.pool)) repairs.push("added 'scim' to mailbox.authsource");
      state = await readDatabaseState(o.pool);
      if (state.authsourceHasScim) {
        const restored = await restoreScimAuthsource(o.pool);
        if (restored.owned) repairs.push(`restored authsource 'scim' on ${restored.owned} owned mailbox(es)`);
        if (restored.parked) repairs.push(`restored authsource 'scim' on ${restored.parked} parked mailbox(es)`);
      }
      if (!o.config.skipSogo) repairs.push(...(await repairSogo(o)));
    } else {
      repairs.push('database unreachable: nothing repaired there');
    }
    if (o.mailcowDir) {
      const r = await runInstall({ mailcowDir: o.mailcowDir, assets: o.assets, version: o.version }, 'install');
      if (r.refused) repairs.push(`install refused (see the checks below): nothing written to ${o.mailcowDir}`);
      else if (r.written.length || r.removed.length) repairs.push(`install updated ${[...r.written, ...r.removed].join(', ')}`);
      if (r.leftOut.length) repairs.push(`install left out ${r.leftOut.length} patch hunk(s) whose mailcow code drifted (see the checks below)`);
    }
  }

  const checks: DoctorCheck[] = [];
  const state = await readDatabaseState(o.pool);
  await databaseChecks(o, state, checks);
  if (o.mailcowDir) checks.push(...installChecks(await runInstall({ mailcowDir: o.mailcowDir, assets: o.assets, version: o.version }, 'check'), o.mailcowDir));
  await versionChecks(o, checks);
  await runtimeChecks(o, checks);
  return { checks, repairs, state, ok: checks.every((c) => c.status !== 'fail') };
}

/** One line per check: `ok  `, `FAIL`, `warn`, `skip`, then what to do. */
export function formatDoctorReport(report: DoctorReport): string[] {
  const lines = report.repairs.map((r) => `repaired  ${r}`);
  const label: Record<CheckStatus, string> = { ok: 'ok  ', fail: 'FAIL', warn: 'warn', skip: 'skip' };
  for (const c of report.checks) {
    let line = `${label[c.status]}  ${c.name}`;
    if (c.detail && (c.status !== 'ok' || c.info)) line += `: ${c.detail}`;
    if (c.fix && (c.status === 'fail' || c.status === 'warn')) line += `\n      → ${c.fix}`;
    lines.push(line);
  }
  return lines;
}
