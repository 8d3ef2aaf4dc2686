/**
 * docs/errors.md against the code: every catalogue code has exactly one row, and the row's HTTP
 * status, scimType and gRPC status are the ones the surfaces use (as fastify's errors.test.js
 * checks its errors against its docs).
 */
import { readFileSync } from 'node:fs';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { GRPC_STATUS_OF } from '../../server/src/rpc/status.js';
import { SCIM_ERROR_CATALOGUE, SCIM_ERROR_CODES, type ScimErrorCode } from '../../server/src/scim/index.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

interface Row {
  code: string;
  http: string;
  scimType: string;
  grpc: string;
}

const rows: Row[] = doc
  .split('\n')
  .filter((l) => /^\| `[a-z_]+` \|/.test(l))
  .map((l) => {
    const cells = l.split('|').slice(1, -1).map((c) => c.trim());
    return { code: cells[0]!.replace(/`/g, ''), http: cells[1]!, scimType: cells[2]!, grpc: cells[3]! };
  });

describe('docs/errors.md', () => {
  it('lists every code once, and no other', () => {
    expect(rows.map((r) => r.code).sort()).toEqual([...SCIM_ERROR_CODES].sort());
    expect(new Set(rows.map((r) => r.code)).size).toBe(rows.length);
  });

  it.each(SCIM_ERROR_CODES)('%s: HTTP status, scimType and gRPC status as documented', (code: ScimErrorCode) => {
    const row = rows.find((r) => r.code === code)!;
    const entry: { status: number; scimType?: string } = SCIM_ERROR_CATALOGUE[code];
    expect(row.http).toBe(String(entry.status));
    expect(row.scimType).toBe(entry.scimType ?? '');
    expect(row.grpc).toBe(GrpcStatus[GRPC_STATUS_OF[code]]);
  });
});
