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
 * Pages of 100 at offsets spread evenly over all `total` users, one at a time, each followed by
 * the raw SELECT of the same page: the sidecar's scope (the token and its domains) and order, the
 * page's ids found first, no count.
 */
export async function measureListPages(b: BenchRun, total: number, pages: number): Promise<LatencySamples> {
  const out: LatencySamples = { sidecar: [], raw: [] };
  for (let k = 0; k < pages; k++) {
    const startIndex = 1 + Math.floor((k * Math.max(0, total - 100)) / Math.max(1, pages - 1));
    let t = process.hrtime.bigint();
    const page = await b.client.expect(200, 'GET', `/Users?startIndex=${startIndex}&count=100`);
    out.sidecar.push(msSince(t));
    if (page.body.Resources.length !== Math.min(100, total - startIndex + 1)) throw new Error(`list: page at ${startIndex} has ${page.body.Resources.length} users`);
    t = process.hrtime.bigint();
    await b.pool.query(
      `${USER_ROW_SQL} JOIN (SELECT id FROM mailcow_scim_users WHERE token_id = ? AND domain IN (?) ORDER BY created_at DESC, id DESC LIMIT 100 OFFSET ?) p ON p.id = u.id`,
      [b.token.id, b.token.policy.domains, startIndex - 1],
    );
    out.raw.push(msSince(t));
  }
  return out;
}
