/**
 * ETags (RFC 7644 §3.14, RFC 9110 §13): `meta.version` is a weak ETag sent as the ETag header of
 * every single-resource answer (POST, GET, PUT, PATCH) and changing on every change. On GET a
 * matching If-None-Match is 304 and a failed If-Match 412; on PUT, PATCH and DELETE a failed
 * If-Match and a matching If-None-Match are 412 and nothing changes. For Users and Groups alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { CORE, GROUP, PATCH_OP } from './population.js';

let t: TestSidecar;
let api: ReturnType<typeof scimClient>;

beforeAll(async () => {
  t = await startTestSidecar();
  const token = (await t.sidecar.tokens.create('etags', { domains: ['example.org'], defaultDomain: 'example.org' })).secret;
  api = scimClient(t.baseUrl, token);
});
afterAll(async () => {
  await t?.stop();
});

const KINDS = [
  { endpoint: '/Users', body: (n: number) => ({ schemas: [CORE], userName: `etag${n}`, displayName: `E ${n}` }), rename: 'displayName' },
  { endpoint: '/Groups', body: (n: number) => ({ schemas: [GROUP], displayName: `Group ${n}` }), rename: 'displayName' },
] as const;

let n = 0;

describe.each(KINDS)('$endpoint', ({ endpoint, body, rename }) => {
  const create = async () => {
    const r = await api.post(endpoint, body(++n));
    expect(r.status, r.text).toBe(201);
    return { id: r.body.id as string, etag: r.headers.etag as string, body: r.body };
  };
  const patchBody = (value: string) => ({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: rename, value }] });

  it('every single-resource answer carries the ETag, equal to meta.version, new on every change', async () => {
    const c = await create();
    expect(c.etag).toMatch(/^W\/"\d+"$/);
    expect(c.body.meta.version).toBe(c.etag);
    const got = await api.get(`${endpoint}/${c.id}`);
    expect(got.headers.etag).toBe(c.etag);
    const put = await api.put(`${endpoint}/${c.id}`, { ...body(n), [rename]: 'Put' });
    expect(put.status, put.text).toBe(200);
    expect(put.headers.etag).not.toBe(c.etag);
    expect(put.body.meta.version).toBe(put.headers.etag);
    const patched = await api.patch(`${endpoint}/${c.id}`, patchBody('Patched'));
    expect(patched.status, patched.text).toBe(200);
    expect(new Set([c.etag, put.headers.etag, patched.headers.etag]).size).toBe(3);
    expect((await api.get(`${endpoint}/${c.id}`)).headers.etag).toBe(patched.headers.etag);
  });

  it('GET: If-None-Match matching is 304 (with the ETag, no body); If-Match failing is 412', async () => {
    const c = await create();
    const get = (headers: Record<string, string>) => api.get(`${endpoint}/${c.id}`, headers);
    for (const inm of [c.etag, '*', `W/"999", ${c.etag}`, c.etag.replace(/^W\//, '')]) {
      const r = await get({ 'if-none-match': inm });
      expect(r.status, inm).toBe(304);
      expect(r.headers.etag).toBe(c.etag);
      expect(r.text).toBe('');
    }
    expect((await get({ 'if-none-match': 'W/"999"' })).status).toBe(200);
    expect((await get({ 'if-match': c.etag })).status).toBe(200);
    expect((await get({ 'if-match': '*' })).status).toBe(200);
    const failed = await get({ 'if-match': 'W/"999"' });
    expect(failed.status).toBe(412);
    expect(failed.body.detail).toMatch(/version/);
  });

  it('PUT and PATCH: 412 on a stale If-Match or a matching If-None-Match, and nothing changes', async () => {
    const c = await create();
    const put = (headers: Record<string, string>) => api.put(`${endpoint}/${c.id}`, { ...body(n), [rename]: 'Changed' }, headers);
    const patch = (headers: Record<string, string>) => api.patch(`${endpoint}/${c.id}`, patchBody('Changed'), headers);
    for (const send of [put, patch]) {
      const refused: Record<string, string>[] = [{ 'if-match': 'W/"999"' }, { 'if-none-match': c.etag }, { 'if-none-match': '*' }, { 'if-match': c.etag, 'if-none-match': c.etag }];
      for (const headers of refused) {
        const r = await send(headers);
        expect(r.status, JSON.stringify(headers)).toBe(412);
      }
    }
    const now = await api.get(`${endpoint}/${c.id}`);
    expect(now.headers.etag).toBe(c.etag);
    expect(now.body[rename]).toBe(c.body[rename]);
    const ok = await put({ 'if-match': c.etag, 'if-none-match': 'W/"999"' });
    expect(ok.status, ok.text).toBe(200);
    const again = await patch({ 'if-match': ok.headers.etag as string });
    expect(again.status, again.text).toBe(200);
    expect((await patch({ 'if-match': '*' })).status).toBe(200);
  });

  it('DELETE: 412 on a stale If-Match or If-None-Match: *, then 204 with the current one', async () => {
    const c = await create();
    const refused: Record<string, string>[] = [{ 'if-match': 'W/"999"' }, { 'if-none-match': '*' }, { 'if-none-match': c.etag }];
    for (const headers of refused) {
      expect((await api.delete(`${endpoint}/${c.id}`, headers)).status, JSON.stringify(headers)).toBe(412);
    }
    expect((await api.get(`${endpoint}/${c.id}`)).status).toBe(200);
    expect((await api.delete(`${endpoint}/${c.id}`, { 'if-match': c.etag })).status).toBe(204);
    expect((await api.get(`${endpoint}/${c.id}`)).status).toBe(404);
    expect((await api.delete(`${endpoint}/${c.id}`, { 'if-match': c.etag })).status).toBe(404);
  });
});

it('ServiceProviderConfig says ETags are supported', async () => {
  expect((await scimClient(t.baseUrl).get('/ServiceProviderConfig')).body.etag).toEqual({ supported: true });
});
