/** The seeded users: the bulk of the population, in their own domain, grown on demand. */
import { BENCH_DOMAINS } from './bench-database.js';
import { benchAddress, benchUserBody, buildUserRows, type UserRows } from './bench-users.js';
import type { BenchRun } from './measure.js';
import { seedUsers } from './raw-writes.js';

const BATCH = 1_000;

export class SeedDomain {
  /** SCIM ids by seed index. */
  readonly ids: string[] = [];
  /** Rows kept for later floor writes (by seed index). */
  readonly kept = new Map<number, UserRows>();

  constructor(private readonly b: BenchRun) {}

  get count(): number {
    return this.ids.length;
  }

  /** A random seeded user's userName among indexes [from, count). */
  randomUserName(from = 0): string {
    return benchAddress(BENCH_DOMAINS.seed, from + Math.floor(Math.random() * (this.count - from)));
  }

  /** Seeds users until there are `count`; `keep(i)` rows stay in memory for floor writes. */
  async growTo(count: number, keep: (index: number) => boolean = () => false): Promise<void> {
    while (this.ids.length < count) {
      const from = this.ids.length;
      const users = Array.from({ length: Math.min(BATCH, count - from) }, (_, k) => buildUserRows(this.b.rows, benchUserBody(BENCH_DOMAINS.seed, from + k)));
      await seedUsers(this.b.pool, this.b.token, this.b.rows.template.name, users);
      users.forEach((u, k) => {
        this.ids.push(u.id);
        if (keep(from + k)) this.kept.set(from + k, u);
      });
    }
  }
}
