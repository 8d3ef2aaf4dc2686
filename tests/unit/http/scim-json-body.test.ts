/** The request-body decoder every SCIM route uses: what it refuses (400 invalidSyntax) and what it lets through. */
import { describe, expect, it } from 'vitest';
import { decodeScimJsonBody, MAX_JSON_DEPTH } from '../../../server/src/http/scim-json-body.js';
import { ScimError } from '../../../server/src/scim/scim-error.js';

const decode = (body: string | Buffer) => decodeScimJsonBody(typeof body === 'string' ? Buffer.from(body) : body);

function refusal(body: string | Buffer): { status: number; scimType?: string; detail: string } {
  try {
    decode(body);
  } catch (e) {
    if (e instanceof ScimError) return { status: e.status, scimType: e.scimType, detail: e.detail };
    throw e;
  }
  throw new Error('accepted');
}

describe('decodeScimJsonBody', () => {
  it('decodes JSON, ignores a leading byte order mark, reads an empty body as none', () => {
    expect(decode('{"userName":"a","emails":[{"value":"a@x"}]}')).toEqual({ userName: 'a', emails: [{ value: 'a@x' }] });
    expect(decode(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]))).toEqual({ a: 1 });
    expect(decode('')).toBeUndefined();
    expect(decode(' \n')).toBeUndefined();
    expect(decode('"x"')).toBe('x');
  });

  it('refuses bytes that are not UTF-8 instead of replacing them', () => {
    for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80]]) {
      const body = Buffer.concat([Buffer.from('{"userName":"a'), Buffer.from(bad), Buffer.from('"}')]);
      expect(refusal(body)).toMatchObject({ status: 400, scimType: 'invalidSyntax', detail: expect.stringMatching(/UTF-8/) });
    }
  });

  it('refuses text that is not JSON, naming the position but none of the content', () => {
    const r = refusal('{"password":"hunter2",}');
    expect(r).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
    expect(r.detail).toMatch(/not valid JSON/);
    expect(r.detail).not.toContain('hunter2');
  });

  it(`refuses nesting deeper than ${MAX_JSON_DEPTH} levels, and allows ${MAX_JSON_DEPTH}`, () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    expect(() => decode(deep(MAX_JSON_DEPTH))).not.toThrow();
    expect(refusal(deep(MAX_JSON_DEPTH + 1))).toMatchObject({ scimType: 'invalidSyntax', detail: expect.stringMatching(/levels deep/) });
    expect(refusal(`{"a":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_001)}`)).toMatchObject({ scimType: 'invalidSyntax' });
  });

  it('refuses a member named twice in one object, also when one spelling is escaped', () => {
    expect(refusal('{"userName":"a","userName":"b"}')).toMatchObject({ scimType: 'invalidSyntax', detail: expect.stringMatching(/"userName" appears twice/) });
    expect(refusal('{"emails":[{"value":"a","\\u0076alue":"b"}]}')).toMatchObject({ detail: expect.stringMatching(/"value" appears twice/) });
    // The same name in different objects, in arrays and inside strings is fine.
    expect(decode('{"value":1,"x":{"value":2},"y":[{"value":3},{"value":4}],"z":"\\"value\\":5,{[","w":{}}')).toBeTruthy();
  });

  it('refuses the member name __proto__ at any depth, and keeps constructor as an ordinary name', () => {
    expect(refusal('{"__proto__":{"polluted":true}}')).toMatchObject({ scimType: 'invalidSyntax', detail: expect.stringMatching(/__proto__/) });
    expect(refusal('{"Operations":[{"value":{"\\u005f_proto__":1}}]}')).toMatchObject({ scimType: 'invalidSyntax' });
    const r = decode('{"constructor":{"prototype":{"polluted":true}}}') as Record<string, unknown>;
    expect(Object.keys(r)).toEqual(['constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
