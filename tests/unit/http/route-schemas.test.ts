/**
 * The app loads no schema compiler (server/src/http/app.ts): a route that declares a fastify
 * schema would otherwise go unchecked, so building the app with one fails at start-up, naming
 * the route, for a body schema and for a response schema alike.
 */
import { expect, it } from 'vitest';
import { buildInProcessApp } from '../../helpers/in-process-app.js';

it('a route with a body schema fails the start, naming the route', async () => {
  const built = buildInProcessApp({
    extraRoutes: [(scope) => scope.post('/__schema', { schema: { body: { type: 'object' } } }, async () => ({}))],
  });
  await expect(built).rejects.toThrow(/route POST \/scim\/v2\/__schema declares a fastify schema/);
});

it('a route with a response schema fails the start too', async () => {
  const built = buildInProcessApp({
    extraPublicRoutes: [(scope) => scope.get('/__schema', { schema: { response: { 200: { type: 'object' } } } }, async () => ({}))],
  });
  await expect(built).rejects.toThrow(/route GET \/scim\/v2\/__schema declares a fastify schema/);
});

it('the routes of the app start without a schema compiler', async () => {
  const t = await buildInProcessApp();
  const r = await t.app.inject({ method: 'GET', url: '/scim/v2/ServiceProviderConfig' });
  expect(r.statusCode).toBe(200);
  await t.app.close();
});
