/**
 * The SCIM HTTP surface in-process, on in-memory ports: the same app, routes and use cases the
 * sidecar runs (main.ts), without a database, for fastify inject() tests of the protocol edges.
 */
import type { FastifyInstance } from 'fastify';
import { GroupService } from '../../server/src/groups/index.js';
import { buildHttpApp, type AuthRefusal, type HttpAppDeps, type RouteModule } from '../../server/src/http/app.js';
import { bulkRoutes } from '../../server/src/http/routes/bulk.js';
import { discoveryRoutes } from '../../server/src/http/routes/discovery.js';
import { groupRoutes, groupSearchTarget } from '../../server/src/http/routes/groups.js';
import { rootSearchRoutes } from '../../server/src/http/routes/search.js';
import { userRoutes, userSearchTarget, type Projector } from '../../server/src/http/routes/users.js';
import { createLogger, type Logger } from '../../server/src/logging.js';
import { applyPatch, normalizePatchRequest } from '../../server/src/scim/patch/index.js';
import { parseAttributeList, projectResource } from '../../server/src/scim/projection/index.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE, type ResourceTypeDef } from '../../server/src/scim/schema/index.js';
import { TokenService, type TokenRecord } from '../../server/src/tokens/index.js';
import { UserService, validateUserRuleFilter } from '../../server/src/users/index.js';
import { InMemoryStore, InMemoryTokenStore } from './in-memory-ports.js';

export interface InProcessApp {
  app: FastifyInstance;
  tokens: TokenService;
  /** What the changes wrote (rows, audit). */
  store: InMemoryStore;
  /** A token for example.org and its secret. */
  token: TokenRecord;
  secret: string;
  /** Every bearer refusal the surface reported. */
  refusals: AuthRefusal[];
  auth: Record<string, string>;
}

function projectorFor(rt: ResourceTypeDef): Projector {
  return (resource, attributes, excludedAttributes) =>
    projectResource(resource, rt, { attributes: parseAttributeList(attributes), excludedAttributes: parseAttributeList(excludedAttributes) });
}

export async function buildInProcessApp(
  options: { extraPublicRoutes?: RouteModule[]; extraRoutes?: RouteModule[]; inFlight?: HttpAppDeps['inFlight']; maxBodyBytes?: number; tokenPolicy?: Record<string, unknown>; logger?: Logger } = {},
): Promise<InProcessApp> {
  const tokenStore = new InMemoryTokenStore();
  const tokens = new TokenService({ store: tokenStore, now: () => new Date().toISOString(), validateRuleFilter: validateUserRuleFilter, cacheMs: 0 });
  const store = new InMemoryStore();
  const users = new UserService({ store: store.users, maxPageSize: 100, applyPatch: (r, b) => applyPatch(r, normalizePatchRequest(b), USER_RESOURCE_TYPE) });
  const groups = new GroupService({ store: store.groups, members: users, maxPageSize: 100, applyPatch: (r, b) => applyPatch(r, normalizePatchRequest(b), GROUP_RESOURCE_TYPE) });
  const refusals: AuthRefusal[] = [];
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  const app = await buildHttpApp({
    settings: { maxBodyBytes, trustedProxies: ['127.0.0.1/32'] },
    logger: options.logger ?? createLogger({ level: 'silent' }),
    tokens,
    inFlight: options.inFlight,
    onAuthRefused: (r) => refusals.push(r),
    publicRoutes: [
      discoveryRoutes({ maxPageSize: 100, maxBulkOperations: 10, maxBodyBytes, patch: true, bulk: true, filter: true, sort: true, etag: true, cursor: false }),
      ...(options.extraPublicRoutes ?? []),
    ],
    routes: [
      userRoutes(users, projectorFor(USER_RESOURCE_TYPE)),
      groupRoutes(groups, projectorFor(GROUP_RESOURCE_TYPE)),
      rootSearchRoutes([userSearchTarget(users, projectorFor(USER_RESOURCE_TYPE)), groupSearchTarget(groups, projectorFor(GROUP_RESOURCE_TYPE))], 100),
      bulkRoutes({ users, groups, maxOperations: 10 }),
      ...(options.extraRoutes ?? []),
    ],
  });
  await app.ready();
  const issued = await tokens.create('in-process', { domains: ['example.org'], defaultDomain: 'example.org', ...options.tokenPolicy });
  return {
    app,
    tokens,
    store,
    token: issued.token,
    secret: issued.secret,
    refusals,
    auth: { authorization: `Bearer ${issued.secret}` },
  };
}
