/**
 * `npm run bench`: the sidecar, run as production runs it, measured side by side with what the
 * database allows, every figure a ratio taken in one run (issue 9; docs/performance.md).
 */
import { copyFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import type { RowDataPacket } from 'mysql2/promise';
import { findMailboxLoginFacts } from '../server/src/mailcow/login-facts.js';
import { BENCH_DOMAINS } from './bench-database.js';
import { BENCH_USAGE, parseBenchOptions, type BenchOptions } from './bench-options.js';
import { benchAddress, benchUserBody, buildUserRows } from './bench-users.js';
import { openWorld, type BenchWorld } from './bench-world.js';
import { summarizeCpuProfile, type ProfileSummary } from './cpu-profile.js';
import { measureCreates, measureCreatesAtSizes, measureDeactivations, measureInitialSync, measureListPages, measureLookups, measureMixedLoad, measurePageDepths, timePage, type BenchRun, type LatencySamples, type PageVariant, type SideBySide } from './measure.js';
import { measurePhpRouteLogin, phpBridgeMissing } from './php-route-login.js';
import { createLikeSidecar } from './raw-writes.js';
import { compared, describeMachine, figureLine, figureTable, saveResults, type Figure } from './report.js';
import { findRepoRoot } from './sidecar-process.js';
import { percentile, ratePerSecond, runConcurrently } from './stats.js';

/** Peak RSS over the whole benchmark, and under the mixed load (issue 14). */
const RSS_TARGET_MB = 100;
const MIXED_RSS_TARGET_MB = 120;
const MIXED_CONCURRENCY = 16;
const WARM_UP_USERS = 20;
const WARM_UP_LOOKUPS = 200;
/** After seeding, InnoDB flushes and purges for a while; lookups wait this long for it. */
const SETTLE_MS = 1_000;


const t0 = Date.now();
function progress(message: string): void {
  process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${message}\n`);
}

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

/** 1000 → "1k", 100000 → "100k". */
function sizeLabel(n: number): string {
  return n % 1000 === 0 ? `${n / 1000}k` : String(n);
}

/**
 * Holds `f` to a target (issue 14): its ratio (or, with `on: 'value'`, its value) at least or
 * at most `bound`. Every target the issue sets is printed with its verdict.
 */
function held(f: Figure, cmp: '≥' | '≤', bound: number, on: 'ratio' | 'value' = 'ratio'): Figure {
  const x = on === 'ratio' ? f.ratio : f.value;
  const met = x !== undefined && (cmp === '≥' ? x >= bound : x <= bound);
  const text = on === 'ratio' ? `${cmp} ${bound.toFixed(2)}×` : `${cmp} ${bound} ${f.unit}`;
  return { ...f, target: { text, met } };
}

function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

function throughputFigure(name: string, unit: string, r: SideBySide): Figure {
  return compared(name, ratePerSecond(r.count, r.sidecarMs), unit, 'floor', ratePerSecond(r.count, r.floorMs));
}

function latencyFigures(name: string, s: LatencySamples, referenceLabel: string): Figure[] {
  return [50, 99].map((p) => compared(`${name}_p${p}`, percentile(s.sidecar, p), 'ms', `${referenceLabel} p${p}`, percentile(s.raw, p)));
}

/** A filter matching most users: those of the seeded domain, as the reference writes it. */
const SEED_FILTER = { scim: `userName ew "@${BENCH_DOMAINS.seed}"`, sql: 'user_name_lc LIKE ?', params: [`%@${BENCH_DOMAINS.seed}`] };

async function countUsers(b: BenchRun): Promise<number> {
  const [[row]] = await b.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM mailcow_scim_users`);
  return Number(row!.n);
}

interface Measured {
  figures: Figure[];
  /** The sidecar's VmHWM after each phase, MB: where memory grew. */
  memory: { after: string; peakMB: number }[];
}

/**
 * RouteLogin from PHP (issue 14: p50 ≤ 1 ms, p99 ≤ 3 ms), next to the same mailbox read straight
 * from MariaDB. `names` are active mailboxes, so the whole decision runs (route LDAP).
 */
async function measureRouteLoginFromPhp(repoRoot: string, main: BenchWorld, names: string[], calls: number): Promise<Figure[]> {
  const missing = phpBridgeMissing(repoRoot);
  if (missing) return [50, 99].map((p): Figure => ({ name: `php_route_login_p${p}`, unit: 'ms', note: `skipped: ${missing}` }));
  progress(`RouteLogin from PHP: ${calls} calls`);
  const php = await measurePhpRouteLogin(repoRoot, main.sidecar.rpcSocket, names, calls, main.sidecar.dir);
  const raw: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = process.hrtime.bigint();
    await findMailboxLoginFacts(main.run.pool, names[i % names.length]!);
    raw.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const [p50, p99] = latencyFigures('php_route_login', { sidecar: php.samples, raw }, 'raw login SELECT');
  return [held(p50!, '≤', 1, 'value'), held(p99!, '≤', 3, 'value')];
}

/** `--route-login`: a small seeded set, a short warm-up, then only the RouteLogin phase. */
async function measureRouteLoginOnly(options: BenchOptions, repoRoot: string, main: BenchWorld): Promise<Measured> {
  progress(`route-login only: seeding ${options.sizes.lookupLarge} users`);
  await main.seed.growTo(options.sizes.lookupLarge);
  await settle();
  const names = Array.from({ length: 200 }, () => main.seed.randomUserName());
  await measureRouteLoginFromPhp(repoRoot, main, names, WARM_UP_LOOKUPS);
  const figures = await measureRouteLoginFromPhp(repoRoot, main, names, options.sizes.phpCalls);
  for (const f of figures) progress(figureLine(f));
  return { figures, memory: [{ after: 'RouteLogin from PHP', peakMB: (await main.sidecar.peakRssBytes()) / 1e6 }] };
}

async function measureAll(options: BenchOptions, repoRoot: string, main: BenchWorld): Promise<Measured> {
  const { sizes } = options;
  const b = main.run;
  const figures: Figure[] = [];
  const memory: Measured['memory'] = [];
  const mark = async (after: string) => memory.push({ after, peakMB: (await main.sidecar.peakRssBytes()) / 1e6 });
  const report = (...fs: Figure[]) => {
    figures.push(...fs);
    for (const f of fs) progress(figureLine(f));
  };

  progress(`warm-up: ${WARM_UP_USERS} creates each way, ${WARM_UP_LOOKUPS} lookups`);
  await runConcurrently(WARM_UP_USERS, 4, (i) => b.client.expect(201, 'POST', '/Users', benchUserBody(BENCH_DOMAINS.warm, i)).then(() => undefined));
  await runConcurrently(WARM_UP_USERS, 4, (i) => createLikeSidecar(b.pool, b.token, b.rows.template.name, buildUserRows(b.rows, benchUserBody(BENCH_DOMAINS.warm, WARM_UP_USERS + i))));
  const warmUser = () => benchAddress(BENCH_DOMAINS.warm, Math.floor(Math.random() * WARM_UP_USERS * 2));
  await measureLookups([{ b, pickUserName: warmUser }], WARM_UP_LOOKUPS);
  await mark('warm-up');

  for (const [concurrency, count, sidecarDomain, floorDomain] of [
    [1, sizes.createC1, BENCH_DOMAINS.c1, BENCH_DOMAINS.c1Floor],
    [8, sizes.createC8, BENCH_DOMAINS.c8, BENCH_DOMAINS.c8Floor],
  ] as const) {
    progress(`create at concurrency ${concurrency}: ${count} users each way`);
    report(held(throughputFigure(`create_c${concurrency}`, 'creates/s', await measureCreates(b, count, concurrency, { sidecar: sidecarDomain, floor: floorDomain })), '≥', 0.8));
    await mark(`create c${concurrency}`);
  }

  progress(`initial sync: ${sizes.initialSync} users (lookup, then create), concurrency 8, each way`);
  const sync = await measureInitialSync(b, sizes.initialSync, { sidecar: BENCH_DOMAINS.sync, floor: BENCH_DOMAINS.syncFloor });
  report(held(compared(`initial_sync_${sizeLabel(sizes.initialSync)}`, sync.sidecarMs / 1000, 's', 'floor', sync.floorMs / 1000, `${ratePerSecond(sync.count, sync.sidecarMs).toFixed(0)} users/s`), '≤', 1.5));
  await mark('initial sync');

  // The large set: the seeded users fill the database up to lookupLarge; some are kept for PATCH.
  const beforeLarge = main.seed.count;
  const grow = sizes.lookupLarge - (await countUsers(b));
  const quick = options.mode === 'quick' ? ' (quick mode: smaller than the full run\'s 100,000)' : '';
  progress(`seeding ${grow} users to ${sizes.lookupLarge}${quick}`);
  const seedStart = Date.now();
  await main.seed.growTo(main.seed.count + grow, (i) => i >= beforeLarge && i < beforeLarge + 2 * sizes.patches);
  progress(`seeded at ${ratePerSecond(grow, Date.now() - seedStart).toFixed(0)} users/s`);
  const largeCount = await countUsers(b);

  // The small set lives in a second database behind a second sidecar, so the two sizes are timed
  // interleaved, under the same conditions.
  progress(`lookups: ${sizes.lookupSamples} at ${sizes.lookupSmall} users (a second database and sidecar) interleaved with ${sizes.lookupSamples} at ${largeCount}`);
  const small = await openWorld(repoRoot, options, false);
  try {
    await small.seed.growTo(sizes.lookupSmall);
    await settle();
    const targets = [
      { b: small.run, pickUserName: () => small.seed.randomUserName() },
      { b, pickUserName: () => main.seed.randomUserName() },
    ];
    await measureLookups(targets, WARM_UP_LOOKUPS);
    const [atSmall, atLarge] = await measureLookups(targets, sizes.lookupSamples);
    const s = sizeLabel(sizes.lookupSmall);
    const l = sizeLabel(largeCount);
    report(...latencyFigures(`lookup_${s}`, atSmall!, 'raw SELECT'), ...latencyFigures(`lookup_${l}`, atLarge!, 'raw SELECT'));
    for (const p of [50, 99]) {
      const f = compared(`lookup_${l}_vs_${s}_p${p}`, percentile(atLarge!.sidecar, p), 'ms', `lookup at ${s} p${p}`, percentile(atSmall!.sidecar, p));
      report(p === 50 ? held(f, '≤', 1.2) : f);
    }

    // Pages and creates flat in size: the same requests at both sizes, interleaved.
    progress(`pages at ${sizes.lookupSmall} and ${largeCount} users: first and last, ${sizes.deepPageSamples * 2} each, interleaved`);
    const v: PageVariant = { name: 'default order', order: 'created' };
    const pageTimes = { first: [[], []] as number[][], deep: [[], []] as number[][] };
    const worlds = [small.run, b];
    const totals = [0, 0];
    for (const [w, wb] of worlds.entries()) totals[w] = (await timePage(wb, v, 1))[1];
    for (let i = 0; i < sizes.deepPageSamples * 2; i++) {
      for (const [w, wb] of worlds.entries()) {
        pageTimes.first[w]!.push((await timePage(wb, v, 1))[0]);
        pageTimes.deep[w]!.push((await timePage(wb, v, Math.max(1, totals[w]! - 99)))[0]);
      }
    }
    for (const which of ['first', 'deep'] as const) {
      report(held(compared(`page_${which}_${l}_vs_${s}`, median(pageTimes[which][1]!), 'ms', `the ${which} page at ${s}`, median(pageTimes[which][0]!)), '≤', 1.2));
    }
    progress(`creates into the seeded domain at ${sizes.lookupSmall} and ${largeCount} users: ${sizes.sizeCreates} each, concurrency 8`);
    const sized = await measureCreatesAtSizes(small.run, b, BENCH_DOMAINS.seed, sizes.sizeCreates);
    report(held(compared(`create_${l}_vs_${s}`, sized.largeMs / sizes.sizeCreates, 'ms/create', `at ${s}`, sized.smallMs / sizes.sizeCreates), '≤', 1.2));
  } finally {
    await small.dispose(options.keepDatabase);
  }
  await mark(`lookups at ${largeCount} users`);

  progress(`PATCH active=false: ${sizes.patches} users each way, concurrency 8`);
  const sidecarIds = main.seed.ids.slice(beforeLarge, beforeLarge + sizes.patches);
  const floorUsers = [...main.seed.kept.entries()].filter(([i]) => i >= beforeLarge + sizes.patches).map(([, u]) => u);
  report(held(throughputFigure('patch_deactivate_c8', 'patches/s', await measureDeactivations(b, sidecarIds, floorUsers)), '≥', 0.7));
  await mark('PATCH deactivate');

  progress(`list: ${sizes.listPages} pages of 100 across ${largeCount} users`);
  const list = await measureListPages(b, largeCount, sizes.listPages);
  const pagesPerSecond = (samples: number[]) => ratePerSecond(samples.length, samples.reduce((a, ms) => a + ms, 0));
  report(held(compared(`list_page_100_of_${sizeLabel(largeCount)}`, pagesPerSecond(list.sidecar), 'pages/s', 'best plan', pagesPerSecond(list.raw)), '≥', 0.5));
  await mark('list paging');

  // Deep pages as cheap as the first (issue 14), for both orders, with and without a filter
  // that matches most users (the seeded domain's), each next to the best plan for it.
  const variants: [string, PageVariant][] = [
    ['default', { name: 'default order', order: 'created' }],
    ['userName', { name: 'sortBy=userName', order: 'userName' }],
    ['default_filtered', { name: 'default order, filtered', order: 'created', filter: SEED_FILTER }],
    ['userName_filtered', { name: 'sortBy=userName, filtered', order: 'userName', filter: SEED_FILTER }],
  ];
  for (const [tag, v] of variants) {
    progress(`pages of 100, ${v.name}: the first and the last, ${sizes.deepPageSamples} rounds with the best plan of each`);
    const d = await measurePageDepths(b, v, sizes.deepPageSamples);
    const n = sizeLabel(d.total);
    report(
      held(compared(`page_deep_vs_first_${tag}`, median(d.deep), 'ms', `startIndex 1 of ${n}`, median(d.first), `startIndex ${d.total - 99} of ${d.total}`), '≤', 1.5),
      held(compared(`page_deep_vs_best_${tag}`, median(d.deep), 'ms', 'best plan', median(d.referenceDeep)), '≤', 2),
      compared(`page_first_vs_best_${tag}`, median(d.first), 'ms', 'best plan', median(d.referenceFirst)),
    );
  }
  await mark('deep pages');

  const phpNames = Array.from({ length: 200 }, () => main.seed.randomUserName(beforeLarge + 2 * sizes.patches));
  report(...(await measureRouteLoginFromPhp(repoRoot, main, phpNames, sizes.phpCalls)));
  await mark('RouteLogin from PHP');

  const peak = (await main.sidecar.peakRssBytes()) / 1e6;
  report(held(compared('peak_rss', peak, 'MB', 'target', RSS_TARGET_MB), '≤', RSS_TARGET_MB, 'value'));

  // The mixed load last, with the kernel's peak started afresh, so that its peak is its own.
  const mixedIds = main.seed.ids.slice(beforeLarge + 2 * sizes.patches, beforeLarge + 2 * sizes.patches + 2_000);
  progress(`mixed load: ${sizes.mixedRequests} requests (creates, reads, lists, patches, deletes) at concurrency ${MIXED_CONCURRENCY}`);
  await main.sidecar.resetPeakRss();
  const mixed = await measureMixedLoad(b, BENCH_DOMAINS.mixed, mixedIds, largeCount, sizes.mixedRequests, MIXED_CONCURRENCY);
  const mixedPeak = (await main.sidecar.peakRssBytes()) / 1e6;
  const kinds = Object.entries(mixed.requests).map(([k, n]) => `${n} ${k}`).join(', ');
  report(held(compared('mixed_peak_rss', mixedPeak, 'MB', 'target', MIXED_RSS_TARGET_MB, `${ratePerSecond(sizes.mixedRequests, mixed.ms).toFixed(0)} requests/s: ${kinds}`), '≤', MIXED_RSS_TARGET_MB, 'value'));
  memory.push({ after: `mixed load (peak of that phase alone)`, peakMB: mixedPeak });
  return { figures, memory };
}

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2), process.env);
  if (options === 'help') {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  const repoRoot = findRepoRoot();
  const loadAtStart = loadavg()[0]!;
  progress(`${options.mode} run; starting the sidecar on a fresh database`);
  const world = await openWorld(repoRoot, options, options.profile);
  let profile: ProfileSummary | undefined;
  try {
    const machine = await describeMachine(world.db.pool);
    progress(`sidecar pid ${world.sidecar.pid} (NODE_OPTIONS from deploy/Dockerfile: ${world.nodeOptions ?? 'none'}), database ${world.db.name}; requests go through ${world.path}`);
    const measured = await (options.routeLoginOnly ? measureRouteLoginOnly : measureAll)(options, repoRoot, world).catch(async (e: unknown) => {
      for (const line of await world.sidecar.lastErrors(6)) progress(`sidecar log: ${line.slice(0, 2000)}`);
      throw e;
    });
    await world.stop();
    if (options.profile) profile = await summarizeCpuProfile(world.sidecar.dir);
    const loadAtEnd = loadavg()[0]!;
    const file = await saveResults(repoRoot, options.routeLoginOnly ? 'route-login' : options.mode, {
      mode: options.mode,
      sizes: options.sizes,
      takenAt: new Date(t0).toISOString(),
      durationS: (Date.now() - t0) / 1000,
      machine,
      loadAverage: { start: loadAtStart, end: loadAtEnd },
      nodeOptions: world.nodeOptions ?? null,
      path: world.path,
      figures: measured.figures,
      memory: measured.memory,
      profile,
    });
    const out = (line = '') => process.stdout.write(`${line}\n`);
    if (profile) {
      const kept = file.replace(/\.json$/, '.cpuprofile');
      await copyFile(profile.file, kept);
      out(`\nCPU profile of the sidecar (${profile.totalMs.toFixed(0)} ms sampled; open ${kept} in Chrome DevTools):`);
      for (const a of profile.areas) out(`  ${a.ms.toFixed(0).padStart(7)} ms  ${a.name}`);
      out('  hottest functions (self time):');
      for (const f of profile.functions) out(`  ${f.ms.toFixed(0).padStart(7)} ms  ${f.name}`);
    }
    out(`\nmailcow-scim benchmark (${options.mode}${options.mode === 'quick' ? ': smaller sets, see docs/performance.md' : ''})`);
    out(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; Linux ${machine.kernel}; Node ${machine.node}; MariaDB ${machine.mariadb} (flush_log_at_trx_commit=${machine.innodbFlushLogAtTrxCommit}, buffer pool ${machine.innodbBufferPoolMiB} MiB)`);
    out(`load average (1 min): ${loadAtStart.toFixed(1)} at the start, ${loadAtEnd.toFixed(1)} at the end${Math.max(loadAtStart, loadAtEnd) > machine.cores ? ' (other work shared the machine: absolute figures are low, ratios less so)' : ''}`);
    out(`path: ${world.path}; sidecar NODE_OPTIONS: ${world.nodeOptions ?? 'none'}`);
    out(`sidecar peak RSS after each phase: ${measured.memory.map((m) => `${m.after} ${m.peakMB.toFixed(0)} MB`).join('; ')}`);
    out();
    out(figureTable(measured.figures));
    out();
    for (const f of measured.figures) out(figureLine(f));
    out(`\nresults: ${file} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    return 0;
  } finally {
    await world.dispose(options.keepDatabase);
    if (options.keepDatabase) progress(`kept database ${world.db.name}`);
  }
}

process.exitCode = await main().catch((e: unknown) => {
  const cause = e instanceof Error && e.cause ? `\ncaused by: ${String((e.cause as Error).stack ?? e.cause)}` : '';
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}${cause}\n`);
  return 1;
});
