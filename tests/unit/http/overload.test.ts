/**
 * Bounded work in flight: past the per-token or the overall bound a request is refused at once
 * with 429, Retry-After and a SCIM body (no scimType), and the slots come back when the
 * requests finish. In-process (fastify inject, in-memory ports).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InFlightLimiter } from '../../../server/src/http/in-flight.js';
import { buildInProcessApp, type InProcessApp } from '../../helpers/in-process-app.js';

let t: InProcessApp;
let app: FastifyInstance;
let limiter: InFlightLimiter;
let gate: { open: () => void; wait: Promise<void> };
const refusedScopes: string[] = [];

function newGate() {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { open, wait };
}

beforeAll(async () => {
  gate = newGate();
  limiter = new InFlightLimiter({ maxInFlight: 3, maxInFlightPerToken: 2, retryAfterSeconds: 2 }, (scope) => refusedScopes.push(scope));
  t = await buildInProcessApp({
    inFlight: limiter,
    extraRoutes: [
      (scope) =>
        scope.get('/__hold', async (_req, reply) => {
          await gate.wait;
          return reply.code(200).send('{}');
        }),
    ],
  });
  app = t.app;
});
afterAll(async () => {
  gate.open();
  await app?.close();
});

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('bounded work in flight', () => {
  it('429 past the per-token bound, then past the overall bound; slots come back', async () => {
    const second = await t.tokens.create('second', { domains: ['example.org'] });
    const other = { authorization: `Bearer ${second.secret}` };

    const held = [app.inject({ method: 'GET', url: '/scim/v2/__hold', headers: t.auth }), app.inject({ method: 'GET', url: '/scim/v2/__hold', headers: t.auth })];
    await until(() => limiter.inFlight === 2);
    expect(limiter.inFlight).toBe(2);

    const perToken = await app.inject({ method: 'GET', url: '/scim/v2/Users', headers: t.auth });
    expect(perToken.statusCode).toBe(429);
    expect(perToken.headers['retry-after']).toBe('2');
    expect(perToken.headers['content-type']).toBe('application/scim+json; charset=utf-8');
    const body = JSON.parse(perToken.body);
    expect(body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '429' });
    expect(body.scimType).toBeUndefined();
    expect(body.detail).toMatch(/this token already has 2 SCIM requests in progress/i);

    // Another token still gets through, up to the overall bound.
    held.push(app.inject({ method: 'GET', url: '/scim/v2/__hold', headers: other }));
    await until(() => limiter.inFlight === 3);
    const overall = await app.inject({ method: 'GET', url: '/scim/v2/Users', headers: other });
    expect(overall.statusCode).toBe(429);
    expect(JSON.parse(overall.body).detail).toMatch(/already working on 3 SCIM requests/);
    // The overall bound is taken before the token is checked: a flood of guesses is bounded too.
    expect((await app.inject({ method: 'GET', url: '/scim/v2/Users', headers: { authorization: 'Bearer mcs_nope' } })).statusCode).toBe(429);
    // Discovery needs no database and no slot.
    expect((await app.inject({ method: 'GET', url: '/scim/v2/ServiceProviderConfig' })).statusCode).toBe(200);

    gate.open();
    const answers = await Promise.all(held);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200]);
    await until(() => limiter.inFlight === 0);
    expect(limiter.inFlight).toBe(0);
    expect((await app.inject({ method: 'GET', url: '/scim/v2/Users', headers: t.auth })).statusCode).toBe(200);
    expect(refusedScopes).toEqual(['token', 'overall', 'overall']);
    expect(limiter.refused('token')).toBe(1);
    expect(limiter.refused('overall')).toBe(2);
  });

  it('a refused request (401, 404) frees its slot as well', async () => {
    for (let i = 0; i < 10; i++) {
      expect((await app.inject({ method: 'GET', url: '/scim/v2/Users', headers: { authorization: 'Bearer mcs_nope' } })).statusCode).toBe(401);
      expect((await app.inject({ method: 'GET', url: '/scim/v2/Users/00000000-0000-4000-8000-000000000000', headers: t.auth })).statusCode).toBe(404);
    }
    await until(() => limiter.inFlight === 0);
    expect(limiter.inFlight).toBe(0);
  });
});
