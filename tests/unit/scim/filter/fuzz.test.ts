import { describe, expect, it } from 'vitest';
import { checkFilter, evaluateFilter, parseFilter } from '../../../../server/src/scim/filter/index.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../../../server/src/scim/schema/index.js';
import { ScimError } from '../../../../server/src/scim/scim-error.js';
import { FilterCompiler } from '../../../../server/src/mailcow/filter-sql.js';
import { groupFilterMapping } from '../../../../server/src/mailcow/group-query.js';
import { USER_GROUPS_SIDE_TABLE } from '../../../../server/src/mailcow/group-members.js';
import { userFilterMapping } from '../../../../server/src/mailcow/user-query.js';
import type { Caller } from '../../../../server/src/users/index.js';
import { makeFilterFuzzer } from '../fixtures/filter-fuzz.js';
import { bjensen, tourGuides } from '../fixtures/resources.js';

/**
 * Robustness: random and mutated filter strings through parse + check + evaluate + compile to
 * SQL must either work or fail with a 400 invalidFilter ScimError, never anything else
 * (docs/architecture.md §8: every bad input is a 4xx, never a 500). Deterministic: a seeded PRNG
 * (mulberry32). Every compiled filter carries its values as placeholders only: one parameter per
 * `?`. tests/integration/query/filter-fuzz.test.ts sends a share of them to MariaDB.
 */

const { candidate } = makeFilterFuzzer();
const caller = { token: { id: 't-1', policy: { domains: ['example.org'] } }, requestId: 'fuzz', clientIp: null, baseUrl: 'https://mail.example.org/scim/v2' } as unknown as Caller;
const users = new FilterCompiler(userFilterMapping(caller, USER_GROUPS_SIDE_TABLE));
const groups = new FilterCompiler(groupFilterMapping(caller));

describe('filter fuzz', () => {
  it('answers 100,000 random and mutated filters with a result (and SQL) or a 400 invalidFilter', () => {
    const resources = [bjensen(), tourGuides(), {}, { UserName: 'X', Emails: 'oops', meta: null }];
    const failures: string[] = [];
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < 100_000; i++) {
      const text = candidate(i);
      const rt = i % 7 === 0 ? GROUP_RESOURCE_TYPE : USER_RESOURCE_TYPE;
      try {
        const checked = checkFilter(parseFilter(text), rt);
        for (const resource of resources) evaluateFilter(checked, resource);
        const sql = (rt === USER_RESOURCE_TYPE ? users : groups).compile(checked);
        const placeholders = sql.sql.split('?').length - 1;
        if (placeholders !== sql.params.length && failures.length < 10) failures.push(`${JSON.stringify(text)} → ${placeholders} placeholders, ${sql.params.length} params`);
        accepted++;
      } catch (e) {
        if (e instanceof ScimError && e.status === 400 && e.scimType === 'invalidFilter' && e.detail.length > 0) {
          rejected++;
        } else if (failures.length < 10) {
          failures.push(`${JSON.stringify(text)} → ${String(e)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    // The generator must reach the checker and the evaluator, not only the lexer.
    expect(accepted).toBeGreaterThan(5_000);
    expect(rejected).toBeGreaterThan(20_000);
  }, 30_000);
});
