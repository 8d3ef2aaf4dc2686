/**
 * The measurements, each the sidecar (over HTTP, as an IdP drives it) side by side with its
 * reference taken in the same run: the raw-SQL floor for writes, a raw indexed SELECT for
 * reads. Writes alternate in blocks (floor, sidecar, sidecar, floor, …) so that drift over the
 * run (tables growing, caches warming, other processes' load) falls on both sides alike.
 */
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { TokenRecord } from '../server/src/tokens/index.js';
import { benchUserBody, buildUserRows, type RowContext, type UserRows } from './bench-users.js';
import { createLikeSidecar, deactivateLikeSidecar } from './raw-writes.js';
import { type ScimClient, userNameFilterPath } from './scim-client.js';
import { msSince, runConcurrently } from './stats.js';

export interface BenchRun {
  pool: Pool;
  client: ScimClient;
  rows: RowContext;
  token: TokenRecord;
}

export interface SideBySide {
  /** Wall time of the sidecar's share, ms. */
  sidecarMs: number;
  floorMs: number;
  count: number;
}

/**
 * Runs `count` operations per side in blocks of `block`, sides alternating ABBA (floor,
 * sidecar, sidecar, floor, …): drift and bursts of load from other processes fall on both
 * sides alike. `run(side, from, n)` performs operations [from, from + n) of that side and
 * returns their wall time.
 */
async function alternate(count: number, block: number, run: (side: 'sidecar' | 'floor', from: number, n: number) => Promise<number>): Promise<SideBySide> {
  const ms = { sidecar: 0, floor: 0 };
  const done = { sidecar: 0, floor: 0 };
  for (let k = 0; done.sidecar < count || done.floor < count; k++) {
    const side = k % 4 === 0 || k % 4 === 3 ? 'floor' : 'sidecar';
    const n = Math.min(block, count - done[side]);
    if (n <= 0) continue;
    ms[side] += await run(side, done[side], n);
    done[side] += n;
  }
  return { sidecarMs: ms.sidecar, floorMs: ms.floor, count };
}

/** POST /Users vs the same rows written raw, `count` users per side at `concurrency`. */
export function measureCreates(b: BenchRun, count: number, concurrency: number, domains: { sidecar: string; floor: string }): Promise<SideBySide> {
  return alternate(count, Math.max(20, concurrency * 8), async (side, from, n) => {
    const { ms } = await runConcurrently(n, concurrency, async (k) => {
      const i = from + k;
      if (side === 'sidecar') await b.client.expect(201, 'POST', '/Users', benchUserBody(domains.sidecar, i));
      else await createLikeSidecar(b.pool, b.token, b.rows.template.name, buildUserRows(b.rows, benchUserBody(domains.floor, i)));
    });
    return ms;
  });
}

/**
 * An initial sync as an IdP runs it: for each user a lookup by userName filter (answering 0
 * results), then the create, 8 users at a time; the floor writes the same rows and reads nothing.
 */
export function measureInitialSync(b: BenchRun, count: number, domains: { sidecar: string; floor: string }): Promise<SideBySide> {
  return alternate(count, 100, async (side, from, n) => {
    const { ms } = await runConcurrently(n, 8, async (k) => {
      const body = benchUserBody(side === 'sidecar' ? domains.sidecar : domains.floor, from + k);
      if (side === 'floor') return createLikeSidecar(b.pool, b.token, b.rows.template.name, buildUserRows(b.rows, body));
      const found = await b.client.expect(200, 'GET', userNameFilterPath(String(body.userName)));
      if (found.body.totalResults !== 0) throw new Error(`initial sync: ${String(body.userName)} exists already`);
      await b.client.expect(201, 'POST', '/Users', body);
    });
    return ms;
  });
}

const USER_ROW_SQL = `SELECT u.*, m.name AS m_name, m.active AS m_active, m.quota AS m_quota, q.bytes AS q_bytes, q.messages AS q_messages
  FROM mailcow_scim_users u JOIN mailbox m ON m.username = u.mailbox LEFT JOIN quota2 q ON q.username = u.mailbox`;

export interface LatencySamples {
  sidecar: number[];
  raw: number[];
}

/** Where lookups go: a sidecar and its database, and how to pick an existing userName there. */
export interface LookupTarget {
  b: BenchRun;
  pickUserName: () => string;
}

/**
 * GET /Users?filter=userName eq "…" for random existing users, one at a time, each followed by
 * the raw indexed SELECT of the same row shape (unique key token_id, user_name_lc). With several
 * targets the samples interleave, so that a comparison between them sees the same conditions.
 */
export async function measureLookups(targets: readonly LookupTarget[], samples: number): Promise<LatencySamples[]> {
  const out = targets.map((): LatencySamples => ({ sidecar: [], raw: [] }));
  for (let i = 0; i < samples; i++) {
    for (let j = 0; j < targets.length; j++) {
      const k = (i + j) % targets.length;
      const { b, pickUserName } = targets[k]!;
      const name = pickUserName();
      let t = process.hrtime.bigint();
      const found = await b.client.expect(200, 'GET', userNameFilterPath(name));
      out[k]!.sidecar.push(msSince(t));
      if (found.body.totalResults !== 1) throw new Error(`lookup: ${name} not found`);
      const rawName = pickUserName();
      t = process.hrtime.bigint();
      const [rows] = await b.pool.execute<RowDataPacket[]>(`${USER_ROW_SQL} WHERE u.token_id = ? AND u.user_name_lc = ?`, [b.token.id, rawName.toLowerCase()]);
      out[k]!.raw.push(msSince(t));
      if (rows.length !== 1) throw new Error(`raw lookup: ${rawName} not found`);
    }
  }
  return out;
}

/** PATCH active=false (Entra's and Okta's deactivation) at concurrency 8 vs the raw floor of the same change. */
export function measureDeactivations(b: BenchRun, sidecarIds: readonly string[], floorUsers: readonly UserRows[]): Promise<SideBySide> {
  const body = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] };
  return alternate(Math.min(sidecarIds.length, floorUsers.length), 64, async (side, from, n) => {
    const { ms } = await runConcurrently(n, 8, async (k) => {
      if (side === 'sidecar') await b.client.expect(200, 'PATCH', `/Users/${sidecarIds[from + k]}`, body);
      else await deactivateLikeSidecar(b.pool, b.token, floorUsers[from + k]!);
    });
    return ms;
  });
}

/**
 * How a list is asked for: the default order (creation) or sortBy=userName, with or without a
 * filter that matches most users. `filter.sql` is the same condition as the reference writes it.
 */
export interface PageVariant {
  name: string;
  order: 'created' | 'userName';
  filter?: { scim: string; sql: string; params: unknown[] };
}

/** The index the best plan walks for each order, and its ORDER BY (migration 7). */
const ORDER_PLAN = {
  created: { index: 'ix_mailcow_scim_users_created_scope', by: 'created_at, id' },
  userName: { index: 'ix_mailcow_scim_users_name_scope', by: 'user_name_sort, id' },
} as const;

function pagePath(v: PageVariant, startIndex: number): string {
  const sort = v.order === 'userName' ? '&sortBy=userName' : '';
  const filter = v.filter ? `&filter=${encodeURIComponent(v.filter.scim)}` : '';
  return `/Users?startIndex=${startIndex}&count=100${sort}${filter}`;
}

/** GET one page of 100 through the sidecar; checks its size and returns [ms, totalResults]. */
export async function timePage(b: BenchRun, v: PageVariant, startIndex: number): Promise<[number, number]> {
  const t = process.hrtime.bigint();
  const page = await b.client.expect(200, 'GET', pagePath(v, startIndex));
  const ms = msSince(t);
  const total = Number(page.body.totalResults);
  if (page.body.Resources.length !== Math.max(0, Math.min(100, total - startIndex + 1))) throw new Error(`list: page at ${startIndex} has ${page.body.Resources.length} users of ${total}`);
  return [ms, total];
}

/**
 * The best plan MariaDB offers for the same page (issue 14): COUNT(*) over the scope for
 * totalResults, then a deferred join, the page's 100 ids found by an index-only walk with
 * OFFSET over the covering index of the order, and only those rows joined.
 */
async function timeReferencePage(b: BenchRun, v: PageVariant, startIndex: number): Promise<number> {
  const plan = ORDER_PLAN[v.order];
  const where = `token_id = ? AND domain IN (?)${v.filter ? ` AND ${v.filter.sql}` : ''}`;
  const params = [b.token.id, b.token.policy.domains, ...(v.filter?.params ?? [])];
  const t = process.hrtime.bigint();
  await b.pool.query(`SELECT COUNT(*) AS n FROM mailcow_scim_users WHERE ${where}`, params);
  const [rows] = await b.pool.query<RowDataPacket[]>(
    `${USER_ROW_SQL} JOIN (SELECT id FROM mailcow_scim_users FORCE INDEX (${plan.index}) WHERE ${where} ORDER BY ${plan.by} LIMIT 100 OFFSET ?) p ON p.id = u.id`,
    [...params, startIndex - 1],
  );
  const ms = msSince(t);
  if (rows.length === 0) throw new Error(`reference page at ${startIndex} is empty`);
  return ms;
}

/**
 * Pages of 100 at offsets spread evenly over all `total` users (the default order), one at a
 * time, each followed by the best plan for the same page (timeReferencePage).
 */
export async function measureListPages(b: BenchRun, total: number, pages: number): Promise<LatencySamples> {
  const out: LatencySamples = { sidecar: [], raw: [] };
  const v: PageVariant = { name: 'default order', order: 'created' };
  for (let k = 0; k < pages; k++) {
    const startIndex = 1 + Math.floor((k * Math.max(0, total - 100)) / Math.max(1, pages - 1));
    out.sidecar.push((await timePage(b, v, startIndex))[0]);
    out.raw.push(await timeReferencePage(b, v, startIndex));
  }
  return out;
}

/** The first page and the last full page of 100 (startIndex total - 99), sidecar and best plan. */
export interface DepthSamples {
  total: number;
  first: number[];
  deep: number[];
  referenceFirst: number[];
  referenceDeep: number[];
}

/** `samples` rounds of: first page, deepest page, and the best plan of each, the order rotating. */
export async function measurePageDepths(b: BenchRun, v: PageVariant, samples: number): Promise<DepthSamples> {
  const [, total] = await timePage(b, v, 1);
  const deepStart = Math.max(1, total - 99);
  await timePage(b, v, deepStart);
  const out: DepthSamples = { total, first: [], deep: [], referenceFirst: [], referenceDeep: [] };
  const steps: (() => Promise<void>)[] = [
    async () => void out.first.push((await timePage(b, v, 1))[0]),
    async () => void out.deep.push((await timePage(b, v, deepStart))[0]),
    async () => void out.referenceFirst.push(await timeReferencePage(b, v, 1)),
    async () => void out.referenceDeep.push(await timeReferencePage(b, v, deepStart)),
  ];
  for (let i = 0; i < samples; i++) for (let j = 0; j < steps.length; j++) await steps[(i + j) % steps.length]!();
  return out;
}

/**
 * The same POSTs into the seeded domain of two sidecars, one at each size, in alternating
 * blocks at concurrency 8: what mailcow's per-domain limit check costs as the domain grows.
 */
export async function measureCreatesAtSizes(small: BenchRun, large: BenchRun, domain: string, count: number): Promise<{ smallMs: number; largeMs: number }> {
  const r = await alternate(count, 40, async (side, from, n) => {
    const b = side === 'floor' ? small : large;
    const { ms } = await runConcurrently(n, 8, async (k) => void (await b.client.expect(201, 'POST', '/Users', benchUserBody(domain, 5_000_000 + from + k))));
    return ms;
  });
  return { smallMs: r.floorMs, largeMs: r.sidecarMs };
}

/** What the mixed load did: its requests by kind and the wall time. */
export interface MixedLoad {
  ms: number;
  requests: Record<'create' | 'get' | 'list' | 'patch' | 'delete', number>;
}

/**
 * A mixed load at `concurrency`, as several IdPs and admins at once (issue 15 item 6): in
 * every 20 requests 5 creates, 5 reads by id, 3 list pages at random depths, 4 PATCHes and 3
 * DELETEs of users this load created (a read when none is left to delete).
 */
export async function measureMixedLoad(b: BenchRun, domain: string, existingIds: readonly string[], total: number, requests: number, concurrency: number): Promise<MixedLoad> {
  const created: string[] = [];
  const counts: MixedLoad['requests'] = { create: 0, get: 0, list: 0, patch: 0, delete: 0 };
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)]!;
  const patch = (i: number) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: `Mixed ${i}` }] });
  const { ms } = await runConcurrently(requests, concurrency, async (i) => {
    const slot = i % 20;
    if (slot < 5) {
      const reply = await b.client.expect(201, 'POST', '/Users', benchUserBody(domain, i));
      created.push(String(reply.body.id));
      counts.create++;
    } else if (slot < 10 || (slot >= 17 && created.length === 0)) {
      await b.client.expect(200, 'GET', `/Users/${pick(existingIds)}`);
      counts.get++;
    } else if (slot < 13) {
      await b.client.expect(200, 'GET', `/Users?startIndex=${1 + Math.floor(Math.random() * Math.max(1, total - 100))}&count=100`);
      counts.list++;
    } else if (slot < 17) {
      await b.client.expect(200, 'PATCH', `/Users/${pick(existingIds)}`, patch(i));
      counts.patch++;
    } else {
      const id = created.splice(Math.floor(Math.random() * created.length), 1)[0]!;
      await b.client.expect(204, 'DELETE', `/Users/${id}`);
      counts.delete++;
    }
  });
  return { ms, requests: counts };
}
