/**
 * The benchmark's database: a fresh `mcs_bench_<time>` on the local MariaDB with mailcow's
 * schema, the benchmark domains (limits high enough never to refuse), our migrations, an LDAP
 * identity provider (so RouteLogin runs its whole decision) and one SCIM token for all domains.
 */
import type { Pool } from 'mysql2/promise';
import { installMailcowSchemaFixture } from '../server/src/cli/mailcow-schema-fixture.js';
import { addDomainLikeMailcow } from '../server/src/mailcow/domains.js';
import { createPool, withDatabase } from '../server/src/mailcow/pool.js';
import { createTokenStore } from '../server/src/mailcow/token-store.js';
import { nowIso } from '../server/src/mailcow/db-time.js';
import { createLogger } from '../server/src/logging.js';
import { prepareDatabase } from '../server/src/main.js';
import { TokenService, type TokenRecord } from '../server/src/tokens/index.js';
import { validateUserRuleFilter } from '../server/src/users/index.js';
import { IDP_ROWS, setIdentityProvider } from '../tests/integration/php-bridge/fixtures.js';

/** One domain per phase and side, so mailcow's per-domain counts start equal for both. */
export const BENCH_DOMAINS = {
  warm: 'warm.bench.example',
  seed: 'seed.bench.example',
  c1: 'c1.bench.example',
  c1Floor: 'c1-floor.bench.example',
  c8: 'c8.bench.example',
  c8Floor: 'c8-floor.bench.example',
  sync: 'sync.bench.example',
  syncFloor: 'sync-floor.bench.example',
  mixed: 'mixed.bench.example',
} as const;

export interface BenchDatabase {
  name: string;
  /** mysql://…/name, for the sidecar child. */
  url: string;
  pool: Pool;
  token: TokenRecord;
  /** The bearer secret of `token`. */
  secret: string;
  drop(): Promise<void>;
}

let databasesMade = 0;

export async function createBenchDatabase(serverUrl: string, connectionLimit: number): Promise<BenchDatabase> {
  // The pid and a counter keep two runs (or this run's two databases) apart within one second.
  const name = `mcs_bench_${Math.floor(Date.now() / 1000)}_${process.pid}_${++databasesMade}`;
  const admin = createPool(withDatabase(serverUrl, ''), { connectionLimit: 1 });
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl, name);
  const pool = createPool(url, { connectionLimit });
  const drop = async () => {
    await pool.end().catch(() => undefined);
    const a = createPool(withDatabase(serverUrl, ''), { connectionLimit: 1 });
    await a.query(`DROP DATABASE IF EXISTS \`${name}\``).finally(() => a.end());
  };
  try {
    await installMailcowSchemaFixture(pool);
    for (const domain of Object.values(BENCH_DOMAINS)) {
      await addDomainLikeMailcow(pool, { domain, mailboxes: 1_000_000, aliases: 1_000_000, defquotaMiB: 1, maxquotaMiB: 10, quotaMiB: 10_000_000 });
    }
    await prepareDatabase(pool, { ensureAuthsource: true }, createLogger({ level: 'warn' }));
    await setIdentityProvider(pool, IDP_ROWS.ldap);
    const tokens = new TokenService({ store: createTokenStore(pool), now: nowIso, validateRuleFilter: validateUserRuleFilter });
    const issued = await tokens.create('bench', { domains: Object.values(BENCH_DOMAINS) });
    return { name, url, pool, token: issued.token, secret: issued.secret, drop };
  } catch (e) {
    await drop();
    throw e;
  }
}
