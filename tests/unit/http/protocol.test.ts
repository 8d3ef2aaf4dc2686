/**
 * The HTTP surface's protocol edges, in-process (fastify inject, in-memory ports): every error
 * code's answer, errors raised before routing, OPTIONS / 405 / 501 / 404, content types, ETags,
 * bearer refusals. The SQL behaviour behind the same routes is tested against MariaDB elsewhere.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recognizeDriverError } from '../../../server/src/mailcow/sql-errors.js';
import { registerErrorRecognizer, ScimError, SCIM_ERROR_CATALOGUE, SCIM_ERROR_CODES, type ScimErrorCode } from '../../../server/src/scim/index.js';
import { buildInProcessApp, type InProcessApp } from '../../helpers/in-process-app.js';

const SCIM_JSON = 'application/scim+json; charset=utf-8';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

let t: InProcessApp;
let app: FastifyInstance;

beforeAll(async () => {
  registerErrorRecognizer(recognizeDriverError);
  t = await buildInProcessApp({
    extraPublicRoutes: [
      (scope) => {
        scope.get<{ Params: { code: ScimErrorCode } }>('/__throw/:code', async (req) => {
          throw new ScimError(req.params.code, `thrown as ${req.params.code}`, { retryAfter: 7 });
        });
        scope.get('/__outage', async () => {
          const driver = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:3306'), { code: 'ECONNREFUSED', errno: -111, fatal: true });
          throw new Error('reading the user failed', { cause: new Error('pool', { cause: driver }) });
        });
        scope.get('/__bug', async () => {
          throw new TypeError("Cannot read properties of undefined (reading 'secret=hunter2')");
        });
      },
    ],
  });
  app = t.app;
});
afterAll(async () => {
  await app?.close();
});

function expectScimError(res: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, scimType?: string) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toBe(SCIM_JSON);
  const body = JSON.parse(res.body);
  expect(body.schemas).toEqual([ERROR_SCHEMA]);
  expect(body.status).toBe(String(status));
  expect(body.scimType).toBe(scimType);
  expect(typeof body.detail).toBe('string');
  return body as { detail: string };
}

describe('every catalogue code over HTTP', () => {
  it.each(SCIM_ERROR_CODES)('%s', async (code) => {
    const res = await app.inject({ method: 'GET', url: `/scim/v2/__throw/${code}` });
    const entry: { status: number; scimType?: string } = SCIM_ERROR_CATALOGUE[code];
    const body = expectScimError(res, entry.status, entry.scimType);
    expect(body.detail).toBe(`thrown as ${code}`);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.headers['www-authenticate']).toBe(code === 'unauthorized' ? 'Bearer realm="mailcow-scim"' : undefined);
  });

  it('a database outage deep in a cause chain is 503 with Retry-After, the driver message kept out', async () => {
    const res = await app.inject({ method: 'GET', url: '/scim/v2/__outage' });
    const body = expectScimError(res, 503);
    expect(res.headers['retry-after']).toBe('5');
    expect(body.detail).not.toContain('10.0.0.5');
  });

  it('a bug is 500 with a fixed detail that never carries the cause', async () => {
    const res = await app.inject({ method: 'GET', url: '/scim/v2/__bug' });
    const body = expectScimError(res, 500);
    expect(body.detail).toBe('Internal server error.');
    expect(res.body).not.toContain('hunter2');
  });
});

describe('errors raised before any route', () => {
  it('a malformed percent-encoding is 400 with a SCIM body', async () => {
    const res = await app.inject({ method: 'GET', url: '/scim/v2/Users/%E0%A4%A', headers: t.auth });
    expectScimError(res, 400, 'invalidSyntax');
  });

  it('a path segment over the router limit is 414 with a SCIM body', async () => {
    const res = await app.inject({ method: 'GET', url: `/scim/v2/Users/${'a'.repeat(150)}`, headers: t.auth });
    expectScimError(res, 414);
  });

  it('invalid JSON is 400 invalidSyntax', async () => {
    const res = await app.inject({ method: 'POST', url: '/scim/v2/Users', headers: { ...t.auth, 'content-type': 'application/scim+json' }, payload: '{"userName":' });
    expectScimError(res, 400, 'invalidSyntax');
  });

  it('another media type is 415', async () => {
    const res = await app.inject({ method: 'POST', url: '/scim/v2/Users', headers: { ...t.auth, 'content-type': 'text/plain' }, payload: 'hello' });
    expectScimError(res, 415);
  });

  it('a body over the limit is 413', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/scim/v2/Users',
      headers: { ...t.auth, 'content-type': 'application/scim+json' },
      payload: JSON.stringify({ userName: 'x'.repeat(70 * 1024) }),
    });
    expectScimError(res, 413);
  });

  it('an unknown path is 404 with a SCIM body, inside and outside /scim/v2', async () => {
    expectScimError(await app.inject({ method: 'GET', url: '/scim/v2/Nothing' }), 404);
    expectScimError(await app.inject({ method: 'GET', url: '/elsewhere' }), 404);
    expectScimError(await app.inject({ method: 'OPTIONS', url: '/scim/v2/Nothing' }), 404);
  });
});

describe('small protocol answers', () => {
  it.each([
    ['/scim/v2/Users', ['GET', 'HEAD', 'OPTIONS', 'POST']],
    ['/scim/v2/Users/3f6d1c70-0000-4000-8000-000000000001', ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'PUT']],
    ['/scim/v2/Groups/', ['GET', 'HEAD', 'OPTIONS', 'POST']],
    ['/scim/v2/ServiceProviderConfig', ['GET', 'HEAD', 'OPTIONS']],
    ['/scim/v2/Bulk', ['OPTIONS', 'POST']],
    ['/scim/v2/.search', ['OPTIONS', 'POST']],
  ])('OPTIONS %s is 204 with Allow, without a token', async (url, methods) => {
    const res = await app.inject({ method: 'OPTIONS', url });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(String(res.headers.allow).split(', ').sort()).toEqual(methods);
  });

  it.each([
    ['DELETE', '/scim/v2/Users'],
    ['PUT', '/scim/v2/ServiceProviderConfig'],
    ['POST', '/scim/v2/Users/3f6d1c70-0000-4000-8000-000000000001'],
    ['GET', '/scim/v2/Bulk'],
  ])('%s %s is 405 with Allow and a SCIM body', async (method, url) => {
    const res = await app.inject({ method: method as 'GET', url, headers: t.auth });
    expectScimError(res, 405);
    expect(String(res.headers.allow)).toContain('OPTIONS');
    expect(String(res.headers.allow)).not.toContain(method);
  });

  it.each(['GET', 'POST', 'PATCH', 'DELETE'])('%s /Me is 501 (RFC 7644 §3.11)', async (method) => {
    const res = await app.inject({ method: method as 'GET', url: '/scim/v2/Me', headers: t.auth });
    expectScimError(res, 501);
    expectScimError(await app.inject({ method: method as 'GET', url: '/scim/v2/Me/anything', headers: t.auth }), 501);
  });
});

describe('bearer refusals', () => {
  it('no token is 401 with WWW-Authenticate, and is not reported as a guess', async () => {
    const before = t.refusals.length;
    const res = await app.inject({ method: 'GET', url: '/scim/v2/Users' });
    expectScimError(res, 401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="mailcow-scim"');
    expect(t.refusals.length).toBe(before);
  });

  it('a wrong token is 401 and reported with the client address, never the token', async () => {
    const before = t.refusals.length;
    const res = await app.inject({ method: 'GET', url: '/scim/v2/Users', headers: { authorization: 'Bearer mcs_wrongwrongwrongwrongwrongwrong', 'x-real-ip': '203.0.113.9' }, remoteAddress: '127.0.0.1' });
    expectScimError(res, 401);
    expect(t.refusals.slice(before)).toEqual([{ reason: 'invalid_token', clientIp: '203.0.113.9' }]);
    expect(JSON.stringify(t.refusals)).not.toContain('wrongwrong');
  });

  it('a token used from outside its allow-list is 403 and reported with the token id', async () => {
    await t.tokens.update(t.token.id, { policy: { ipAllowList: ['198.51.100.0/24'] } });
    try {
      const before = t.refusals.length;
      const res = await app.inject({ method: 'GET', url: '/scim/v2/Users', headers: { ...t.auth, 'x-real-ip': '203.0.113.10' }, remoteAddress: '127.0.0.1' });
      expectScimError(res, 403);
      expect(t.refusals.slice(before)).toEqual([{ reason: 'address_not_allowed', clientIp: '203.0.113.10', tokenId: t.token.id }]);
    } finally {
      await t.tokens.update(t.token.id, { policy: { ipAllowList: [] } });
    }
  });
});

describe('resources: content types, ETags, Location', () => {
  it('create, read, conditional read and stale write', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/scim/v2/Users',
      headers: { ...t.auth, 'content-type': 'application/scim+json' },
      payload: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'etag.person@example.org' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers['content-type']).toBe(SCIM_JSON);
    const user = JSON.parse(created.body);
    expect(created.headers.location).toBe(`http://localhost:80/scim/v2/Users/${user.id}`);
    expect(created.headers.etag).toBe(user.meta.version);

    const read = await app.inject({ method: 'GET', url: `/scim/v2/Users/${user.id}`, headers: t.auth });
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe(user.meta.version);

    const notModified = await app.inject({ method: 'GET', url: `/scim/v2/Users/${user.id}`, headers: { ...t.auth, 'if-none-match': String(read.headers.etag) } });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.body).toBe('');

    const patched = await app.inject({
      method: 'PATCH',
      url: `/scim/v2/Users/${user.id}`,
      headers: { ...t.auth, 'content-type': 'application/json', 'if-match': String(read.headers.etag) },
      payload: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: 'Etag Person' }] },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.headers.etag).not.toBe(read.headers.etag);

    const stale = await app.inject({
      method: 'PUT',
      url: `/scim/v2/Users/${user.id}`,
      headers: { ...t.auth, 'content-type': 'application/scim+json', 'if-match': String(read.headers.etag) },
      payload: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'etag.person@example.org' },
    });
    expectScimError(stale, 412);

    const dup = await app.inject({
      method: 'POST',
      url: '/scim/v2/Users',
      headers: { ...t.auth, 'content-type': 'application/scim+json' },
      payload: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ETAG.person@example.org' },
    });
    expectScimError(dup, 409, 'uniqueness');

    expect((await app.inject({ method: 'DELETE', url: `/scim/v2/Users/${user.id}`, headers: t.auth })).statusCode).toBe(204);
    expectScimError(await app.inject({ method: 'GET', url: `/scim/v2/Users/${user.id}`, headers: t.auth }), 404);
  });

  it('a list is a ListResponse in application/scim+json; a bad filter is 400 invalidFilter', async () => {
    const res = await app.inject({ method: 'GET', url: '/scim/v2/Users?filter=userName%20eq%20%22nobody%22', headers: t.auth });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(SCIM_JSON);
    expect(JSON.parse(res.body)).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0 });
    expectScimError(await app.inject({ method: 'GET', url: '/scim/v2/Users?filter=userName%20eq', headers: t.auth }), 400, 'invalidFilter');
  });
});
