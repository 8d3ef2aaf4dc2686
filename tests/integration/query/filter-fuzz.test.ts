/**
 * Random and mutated filters (the unit fuzzer's generator, another seed) against MariaDB through
 * the HTTP API: never a 5xx, only results or 400 invalidFilter, and every answer agrees with
 * `evaluateFilter` on the resources as GET returns them, for Users and Groups.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateFilter } from '../../../server/src/scim/filter/index.js';
import { parseListParams } from '../../../server/src/scim/list-params.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE, type ResourceTypeDef } from '../../../server/src/scim/schema/index.js';
import { ScimError } from '../../../server/src/scim/scim-error.js';
import { makeFilterFuzzer } from '../../unit/scim/fixtures/filter-fuzz.js';
import { SEARCH, createPopulation, type Population } from './population.js';

const RUNS = 5_000;
let pop: Population;
let users: Record<string, unknown>[];
let groups: Record<string, unknown>[];

beforeAll(async () => {
  pop = await createPopulation();
  users = await pop.resources();
  groups = (await pop.api.get('/Groups?count=500')).body.Resources;
});
afterAll(async () => {
  await pop?.t.stop();
});

function inMemory(filter: string, rt: ResourceTypeDef, resources: Record<string, unknown>[]): string {
  try {
    const p = parseListParams({ filter }, rt, 500);
    return JSON.stringify(resources.filter((r) => !p.filter || evaluateFilter(p.filter, r)).map((r) => String(r.id)).sort());
  } catch (e) {
    if (e instanceof ScimError) return `${e.status} ${e.scimType}`;
    throw e;
  }
}

describe('filter fuzz against MariaDB', () => {
  it(`${RUNS.toLocaleString('en')} random and mutated filters: results or 400 invalidFilter, as in memory`, { timeout: 300_000 }, async () => {
    const { candidate } = makeFilterFuzzer(0x0ddba11);
    const failures: string[] = [];
    const counts = { results: 0, refused: 0, refusedInSqlOnly: 0 };
    const batch = 16;
    for (let i = 0; i < RUNS; i += batch) {
      await Promise.all(
        Array.from({ length: Math.min(batch, RUNS - i) }, async (_, j) => {
          const n = i + j;
          const filter = candidate(n);
          const [endpoint, rt, resources] = n % 4 === 0 ? (['/Groups', GROUP_RESOURCE_TYPE, groups] as const) : (['/Users', USER_RESOURCE_TYPE, users] as const);
          let query: string | undefined;
          try {
            query = n % 3 === 0 ? undefined : encodeURIComponent(filter);
          } catch {
            // A lone surrogate has no URL form: it goes in a .search body.
          }
          const r = query === undefined
            ? await pop.api.post(`${endpoint}/.search`, { schemas: [SEARCH], filter, count: 500 })
            : await pop.api.get(`${endpoint}?count=500&filter=${query}`);
          const memory = inMemory(filter, rt, resources);
          if (r.status >= 500 || (r.status !== 200 && r.status !== 400)) {
            failures.push(`${endpoint} ${JSON.stringify(filter)} → ${r.status} ${r.text}`);
            return;
          }
          if (r.status === 400) {
            if (r.body.scimType !== 'invalidFilter' || !r.body.detail) failures.push(`${endpoint} ${JSON.stringify(filter)} → 400 ${r.text}`);
            else if (memory === '400 invalidFilter') counts.refused++;
            // Derived sub-attributes this server does not keep (members.display…) are refused by SQL only.
            else if (/not supported/.test(r.body.detail)) counts.refusedInSqlOnly++;
            else failures.push(`${endpoint} ${JSON.stringify(filter)} → SQL ${r.body.detail}, memory ${memory}`);
            return;
          }
          const sql = JSON.stringify((r.body.Resources as { id: string }[]).map((x) => x.id).sort());
          if (sql !== memory) failures.push(`${endpoint} ${JSON.stringify(filter)} → SQL ${sql}, memory ${memory}`);
          counts.results++;
        }),
      );
    }
    expect(failures.slice(0, 20)).toEqual([]);
    expect(counts.results).toBeGreaterThan(RUNS / 20);
    expect(counts.refused).toBeGreaterThan(RUNS / 3);
    console.info(`filter fuzz against MariaDB: ${JSON.stringify(counts)}`);
  });
});
