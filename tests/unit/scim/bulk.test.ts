import { describe, expect, it } from 'vitest';
import { parseBulkRequest, runBulk, type BulkCall } from '../../../server/src/scim/bulk.js';
import { ScimError } from '../../../server/src/scim/scim-error.js';

/** RFC 7644 §3.7: the protocol part of /Bulk against an in-memory executor. */
const REQ = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

function executor() {
  const calls: BulkCall[] = [];
  let n = 0;
  const exec = async (call: BulkCall) => {
    calls.push(call);
    const data = call.data as Record<string, unknown> | undefined;
    if (data?.fail) throw ScimError.invalidValue(String(data.fail));
    if (data?.crash) throw new Error('boom');
    const id = call.id ?? `id${++n}`;
    return { status: call.method === 'POST' ? 201 : call.method === 'DELETE' ? 204 : 200, id, location: `/${call.endpoint}/${id}`, version: 'W/"1"' };
  };
  return { calls, exec };
}

const parse = (Operations: unknown[], extra: Record<string, unknown> = {}) => parseBulkRequest({ schemas: [REQ], ...extra, Operations }, 100);

describe('parseBulkRequest', () => {
  it('refuses what is not a BulkRequest, too many operations (413) and duplicate bulkIds', () => {
    expect(() => parseBulkRequest([], 10)).toThrow(expect.objectContaining({ scimType: 'invalidSyntax' }));
    expect(() => parseBulkRequest({ Operations: [] }, 10)).toThrow(expect.objectContaining({ scimType: 'invalidSyntax' }));
    expect(() => parseBulkRequest({ schemas: [REQ], Operations: [{}, {}, {}] }, 2)).toThrow(expect.objectContaining({ status: 413 }));
    expect(() => parse([{ method: 'POST', bulkId: 'a' }, { method: 'POST', bulkId: 'a' }])).toThrow(/more than one/);
    expect(() => parse([], { failOnErrors: 1.5 })).toThrow(expect.objectContaining({ scimType: 'invalidValue' }));
  });

  it('reads member names in any case and failOnErrors as a number or a numeric string', () => {
    const r = parseBulkRequest({ Schemas: [REQ.toUpperCase()], FailOnErrors: '2', operations: [{ Method: 'post', Path: '/Users', BulkId: 'x', Data: { a: 1 } }] }, 10);
    expect(r).toEqual({ failOnErrors: 2, operations: [{ method: 'POST', path: '/Users', bulkId: 'x', data: { a: 1 } }] });
  });
});

describe('runBulk', () => {
  it('substitutes bulkIds in data and path, also for forward references', async () => {
    const { calls, exec } = executor();
    const r = await runBulk(
      parse([
        { method: 'POST', path: '/Groups', bulkId: 'g', data: { members: [{ value: 'bulkId:u' }] } },
        { method: 'PATCH', path: '/Groups/bulkId:g', data: { Operations: [{ value: [{ value: 'bulkId:u' }] }] } },
        { method: 'POST', path: '/Users', bulkId: 'u', data: { userName: 'x' } },
      ]),
      exec,
    );
    expect(calls.map((c) => [c.method, c.endpoint, c.id])).toEqual([['POST', 'Users', undefined], ['POST', 'Groups', undefined], ['PATCH', 'Groups', 'id2']]);
    expect(calls[1]!.data).toEqual({ members: [{ value: 'id1' }] });
    expect(calls[2]!.data).toEqual({ Operations: [{ value: [{ value: 'id1' }] }] });
    // Answers in request order.
    expect(r.Operations.map((o) => [o.bulkId, o.status, o.location])).toEqual([['g', '201', '/Groups/id2'], [undefined, '200', '/Groups/id2'], ['u', '201', '/Users/id1']]);
  });

  it('cycles are 409, undeclared references 400, references to a failed POST 409; the rest runs', async () => {
    const { calls, exec } = executor();
    const r = await runBulk(
      parse([
        { method: 'POST', path: '/Groups', bulkId: 'a', data: { m: 'bulkId:b' } },
        { method: 'POST', path: '/Groups', bulkId: 'b', data: { m: 'bulkId:a' } },
        { method: 'POST', path: '/Users', bulkId: 'c', data: { m: 'bulkId:zz' } },
        { method: 'POST', path: '/Users', bulkId: 'd', data: { fail: 'no' } },
        { method: 'POST', path: '/Users', bulkId: 'e', data: { m: 'bulkId:d' } },
        { method: 'DELETE', path: '/Users/42' },
      ]),
      exec,
    );
    expect(r.Operations.map((o) => o.status)).toEqual(['409', '409', '400', '400', '409', '204']);
    expect(calls.map((c) => c.method)).toEqual(['POST', 'DELETE']);
    expect(r.Operations[3]!.response).toMatchObject({ scimType: 'invalidValue', detail: 'no', status: '400' });
  });

  it('failOnErrors stops after that many errors; a thrown non-SCIM error is a 500 with a generic detail', async () => {
    const { calls, exec } = executor();
    const r = await runBulk(
      parse(
        [
          { method: 'POST', path: '/Users', data: { crash: true } },
          { method: 'PUT', path: '/Users' },
          { method: 'POST', path: '/Users', data: {} },
        ],
        { failOnErrors: 2 },
      ),
      exec,
    );
    expect(r.Operations.map((o) => o.status)).toEqual(['500', '400']);
    expect(r.Operations[0]!.response).toMatchObject({ detail: 'Internal server error.' });
    expect(calls).toHaveLength(1);
  });

  it('checks method, path and data per operation', async () => {
    const { exec } = executor();
    const r = await runBulk(
      parse([
        { method: 'GET', path: '/Users' },
        { method: 'POST', path: '/Users/1', data: {} },
        { method: 'PATCH', path: '/Users/1' },
        { method: 'DELETE', path: '/Widgets/1' },
        { method: 'DELETE', path: '/Users/%E0%A4%A' },
        { method: 'DELETE', path: 'users/7/' },
      ]),
      exec,
    );
    expect(r.Operations.map((o) => o.status)).toEqual(['400', '400', '400', '400', '400', '204']);
    expect(r.Operations[5]!.location).toBe('/Users/7');
  });
});
