/** What one `npm run bench` run measures and how much of it: the full run and `--quick`. */
import { existsSync } from 'node:fs';

interface BenchSizes {
  /** Users created per side (sidecar and floor) at concurrency 1 and 8. */
  createC1: number;
  createC8: number;
  /** Users an IdP-like client provisions in the initial sync (lookup by filter, then create). */
  initialSync: number;
  /** Users in the database for the small and the large lookup measurement. */
  lookupSmall: number;
  lookupLarge: number;
  /** Lookups timed at each size (sidecar and raw SELECT each). */
  lookupSamples: number;
  /** Users deactivated by PATCH per side. */
  patches: number;
  /** List pages (count=100) read across the large user set. */
  listPages: number;
  /** RouteLogin calls from PHP. */
  phpCalls: number;
  /** Samples of the first and the deepest page, per order and filter. */
  deepPageSamples: number;
  /** Creates timed per side at the small and the large size (flat in size). */
  sizeCreates: number;
  /** Requests of the mixed load (creates, reads, lists, patches, deletes) at concurrency 16. */
  mixedRequests: number;
}

export interface BenchOptions {
  mode: 'full' | 'quick';
  sizes: BenchSizes;
  /** Run the sidecar child under `node --cpu-prof` and summarise the profile. */
  profile: boolean;
  /** Keep the benchmark database (for a look at it afterwards). */
  keepDatabase: boolean;
  /** Talk to the sidecar's socket even when nginx is installed. */
  noNginx: boolean;
  /** mysql://… of the MariaDB server (no database part). */
  mariadbUrl: string;
  /** Measure only RouteLogin from PHP, on a small seeded set (a focused A/B of that phase). */
  routeLoginOnly: boolean;
}

const FULL: BenchSizes = {
  createC1: 300,
  createC8: 1_000,
  initialSync: 10_000,
  lookupSmall: 1_000,
  lookupLarge: 100_000,
  lookupSamples: 2_000,
  patches: 1_000,
  listPages: 50,
  phpCalls: 500,
  deepPageSamples: 10,
  sizeCreates: 400,
  mixedRequests: 4_000,
};

/** Under a minute on a 2-core machine: fewer users everywhere, and a smaller "large" set. */
const QUICK: BenchSizes = {
  createC1: 80,
  createC8: 240,
  initialSync: 1_000,
  lookupSmall: 1_000,
  lookupLarge: 10_000,
  lookupSamples: 300,
  patches: 240,
  listPages: 20,
  phpCalls: 100,
  deepPageSamples: 4,
  sizeCreates: 120,
  mixedRequests: 1_000,
};

/** `--route-login`: enough calls for a p99 that is not one outlier, on a set that seeds in seconds. */
const ROUTE_LOGIN_ONLY = { users: 1_000, calls: 2_000 };

export const BENCH_USAGE = `npm run bench [-- OPTIONS]

  --quick          fewer users and a 10,000-user "large" set (under a minute)
  --profile        run the sidecar under node --cpu-prof and print its hottest functions
  --no-nginx       talk to the sidecar's socket even when nginx is installed
  --keep-database  do not drop the mcs_bench_* database afterwards
  --route-login    only RouteLogin from PHP: 1,000 seeded users, 2,000 calls (under a minute)

MARIADB_URL names the MariaDB server (default: the local socket /run/mysqld/mysqld.sock,
as the image uses mailcow's; mysql://root@127.0.0.1:3306 when there is none).`;

/** Reads argv and the environment once; unknown flags are an error. */
export function parseBenchOptions(argv: readonly string[], env: Record<string, string | undefined>): BenchOptions | 'help' {
  const flags = new Set(argv);
  if (flags.has('--help') || flags.has('-h')) return 'help';
  const known = ['--quick', '--profile', '--keep-database', '--no-nginx', '--route-login'];
  const unknown = [...flags].filter((f) => !known.includes(f));
  if (unknown.length) throw new Error(`unknown option ${unknown.join(', ')}\n\n${BENCH_USAGE}`);
  const quick = flags.has('--quick');
  const routeLoginOnly = flags.has('--route-login');
  const sizes = quick ? QUICK : FULL;
  return {
    mode: quick ? 'quick' : 'full',
    sizes: routeLoginOnly ? { ...sizes, lookupLarge: ROUTE_LOGIN_ONLY.users, phpCalls: ROUTE_LOGIN_ONLY.calls } : sizes,
    routeLoginOnly,
    profile: flags.has('--profile'),
    keepDatabase: flags.has('--keep-database'),
    noNginx: flags.has('--no-nginx'),
    mariadbUrl: env.MARIADB_URL ?? defaultMariadbUrl(),
  };
}

/** Where Debian's MariaDB puts its socket (mailcow's container mounts its own the same way). */
const LOCAL_MARIADB_SOCKET = '/run/mysqld/mysqld.sock';

/**
 * The image reaches mailcow's MariaDB through its Unix socket (deploy/compose), so the benchmark
 * does too when the local server has one: loopback TCP costs every statement a trip through the
 * TCP stack that production never pays, and the sidecar sends more statements than the floor.
 */
export function defaultMariadbUrl(): string {
  return existsSync(LOCAL_MARIADB_SOCKET) ? `mysql://root@localhost/?socket=${LOCAL_MARIADB_SOCKET}` : 'mysql://root@127.0.0.1:3306';
}
