import { describe, expect, it } from 'vitest';
import { applyPatch, normalizePatchRequest } from '../../../../server/src/scim/patch/index.js';
import { projectResource } from '../../../../server/src/scim/projection/index.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../../../server/src/scim/schema/index.js';
import { ScimError } from '../../../../server/src/scim/scim-error.js';
import { mulberry32 } from '../fixtures/random.js';
import { bjensen, ENTERPRISE, MAILCOW_USER, PATCH_OP, tourGuides } from '../fixtures/resources.js';

/**
 * Robustness: random PatchOp bodies either apply or fail with a 4xx ScimError, never a
 * TypeError; the input resource is never changed; the result can be projected. Seeded PRNG.
 */

const random = mulberry32(7644);
const int = (n: number): number => Math.floor(random() * n);
// An element may be undefined on purpose (an absent path): check the index, not the value.
const pick = <T>(items: readonly T[]): T => {
  const i = int(items.length);
  if (i >= items.length) throw new Error('pick from an empty list');
  return items[i] as T;
};

const PATHS = [
  undefined, '', 'userName', 'UserName', 'name', 'name.givenName', 'name.nope', 'emails', 'emails.value', 'emails.primary',
  'emails[type eq "work"]', 'emails[type eq "work"].value', 'emails[type eq "other"].Value', 'emails[primary eq true]',
  'emails[type co "w"].value', 'emails[type eq "work" or type eq "home"]', 'emails[type eq]', 'emails[foo eq 1]',
  'members', 'members[value eq "x"]', 'members[value eq "2819c223-7f76-453a-919d-413861904646"].display',
  'members.value', 'displayName', 'active', 'id', 'meta', 'meta.created', 'groups', 'groups[value eq "x"].display',
  'schemas', 'externalId', 'password', 'addresses[type eq "work"].streetAddress', 'x509Certificates',
  ENTERPRISE, `${ENTERPRISE}:manager`, `${ENTERPRISE}:manager.value`, `${ENTERPRISE}:department`, `${ENTERPRISE}:nope`,
  MAILCOW_USER, `${MAILCOW_USER}:quota`, `${MAILCOW_USER}:tags`, `${MAILCOW_USER}:tags[value eq "staff"]`,
  `${MAILCOW_USER}:protocolAccess.imap`, `${MAILCOW_USER}:usedBytes`, 'address', 'a.b.c', '[', 'emails[', 'emails]', 5,
];
const OPS = ['add', 'replace', 'remove', 'Add', 'REPLACE', 'Remove', 'move', 7];

function value(depth = 0): unknown {
  switch (int(depth > 2 ? 6 : 10)) {
    case 0: return null;
    case 1: return pick(['x', '', 'False', 'true', '42', '2011-05-13T04:42:34Z', 'a@b.c', 'staff']);
    case 2: return pick([0, 1, -1, 1.5, 1e21]);
    case 3: return random() < 0.5;
    case 4: return pick(['2819c223-7f76-453a-919d-413861904646', 'e9e30dba-f08f-4109-8486-d5c6a331660a']);
    case 5: return undefined;
    case 6:
    case 7: {
      const n = int(4);
      return Array.from({ length: n }, () => value(depth + 1));
    }
    default: {
      const out: Record<string, unknown> = {};
      for (let i = int(4); i > 0; i--) out[pick(['value', 'Value', 'type', 'primary', 'display', '$ref', 'givenName', 'active', 'userName', 'id', 'emails', 'name.familyName', ENTERPRISE, `${ENTERPRISE}:department`, 'meta', 'schemas', 'foo'])] = value(depth + 1);
      return out;
    }
  }
}

function operation(): unknown {
  const op: Record<string, unknown> = { op: pick(OPS) };
  const path = pick(PATHS);
  if (path !== undefined) op[pick(['path', 'Path'])] = path;
  if (random() < 0.85) op[pick(['value', 'Value'])] = value();
  return random() < 0.02 ? pick([null, 'op', []]) : op;
}

describe('PATCH fuzz', () => {
  it('answers 20,000 random PatchOp bodies with a resource or a 4xx ScimError', () => {
    const failures: string[] = [];
    let applied = 0;
    for (let i = 0; i < 20_000; i++) {
      const group = i % 3 === 0;
      const rt = group ? GROUP_RESOURCE_TYPE : USER_RESOURCE_TYPE;
      const resource = group ? tourGuides() : bjensen();
      const snapshot = structuredClone(resource);
      const body = { schemas: [PATCH_OP], Operations: Array.from({ length: 1 + int(3) }, operation) };
      try {
        const out = applyPatch(resource, normalizePatchRequest(body), rt);
        projectResource(out, rt, {});
        applied++;
      } catch (e) {
        if (!(e instanceof ScimError) || e.status < 400 || e.status >= 500) {
          if (failures.length < 10) failures.push(`${JSON.stringify(body)} → ${String(e)}`);
        }
      }
      if (JSON.stringify(resource) !== JSON.stringify(snapshot) && failures.length < 10) {
        failures.push(`mutated input: ${JSON.stringify(body)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(applied).toBeGreaterThan(1_000);
  }, 30_000);
});
