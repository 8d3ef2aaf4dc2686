/** A fresh database per test file on the run's MariaDB, with mailcow's schema when asked. */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { Pool } from 'mysql2/promise';
import { createPool, withDatabase } from '../../server/src/mailcow/pool.js';
import { installMailcowSchemaFixture } from '../../server/src/cli/mailcow-schema-fixture.js';
import { addDomainLikeMailcow, type NewDomain } from '../../server/src/mailcow/domains.js';

export interface TestDatabase {
  name: string;
  /** mysql://…/name */
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

export function serverUrl(): string {
  return inject('mariadbUrl') ?? process.env.MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';
}

export async function createTestDatabase(options: { mailcow?: boolean; domains?: NewDomain[] } = {}): Promise<TestDatabase> {
  // The creation time in the name lets a later run drop leftovers without touching a parallel run's databases.
  const name = `mcs_t_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
  const admin = createPool(withDatabase(serverUrl(), ''), { connectionLimit: 1 });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await admin.end();
  const url = withDatabase(serverUrl(), name);
  const pool = createPool(url, { connectionLimit: 4 });
  if (options.mailcow !== false) {
    await installMailcowSchemaFixture(pool);
    for (const d of options.domains ?? []) await addDomainLikeMailcow(pool, d);
  }
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end().catch(() => undefined);
      const a = createPool(withDatabase(serverUrl(), ''), { connectionLimit: 1 });
      await a.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await a.end();
    },
  };
}
