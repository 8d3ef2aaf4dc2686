/**
 * Composition root: config in, a running sidecar out. Wires the pool, the core use cases,
 * both servers and shutdown; nothing else constructs these.
 */
import type { DatabasePool as Pool } from './mailcow/queryable.js';
import type { Config } from './config.js';
import type { Logger } from './logging.js';
import { buildHttpApp } from './http/app.js';
import { listenHttp } from './http/listen.js';
import { InFlightLimiter } from './http/in-flight.js';
import { createNetfilterReporter } from './mailcow/netfilter.js';
import { discoveryRoutes } from './http/routes/discovery.js';
import { userRoutes, userSearchTarget, type Projector } from './http/routes/users.js';
import { rootSearchRoutes } from './http/routes/search.js';
import { groupRoutes, groupSearchTarget } from './http/routes/groups.js';
import { bulkRoutes } from './http/routes/bulk.js';
import { ensureScimAuthsource } from './mailcow/authsource.js';
import { cursorKeySource } from './mailcow/cursor-key.js';
import { readDatabaseState, WriteGuard } from './mailcow/database-state.js';
import { nowIso } from './mailcow/db-time.js';
import { migrate } from './mailcow/migrations.js';
import { assertMailcowDatabase } from './mailcow/mailcow-prerequisites.js';
import { createPool } from './mailcow/pool.js';
import { createTokenStore } from './mailcow/token-store.js';
import { AdminServiceService, HealthService, LoginServiceService, StatusServiceService, TokenServiceService } from './rpc/services.js';
import { createLoginFactsSource } from './mailcow/login-facts.js';
import { createAdminReads } from './mailcow/admin-catalog.js';
import { createAdoptionStore } from './mailcow/adopt.js';
import { AdoptionService } from './adoption/index.js';
import { loginHandlers } from './rpc/login-handlers.js';
import { adminHandlers } from './rpc/admin-handlers.js';
import { BridgeVersions } from './rpc/bridge-versions.js';
import { startRpcServer, type RpcServer } from './rpc/server.js';
import { healthHandlers, statusHandlers } from './rpc/status-handlers.js';
import { tokenHandlers } from './rpc/token-handlers.js';
import { TokenService } from './tokens/index.js';
import { applyPatch, normalizePatchRequest } from './scim/patch/index.js';
import { parseAttributeList, projectResource } from './scim/projection/index.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE, type ResourceTypeDef } from './scim/schema/index.js';
import { UserService, validateUserRuleFilter, type Caller } from './users/index.js';
import type { ScimError } from './scim/index.js';
import { MailcowUserStore } from './mailcow/user-store.js';
import { GroupService } from './groups/index.js';
import { MailcowGroupStore } from './mailcow/group-store.js';
import { MailcowSideEffects } from './mailcow/side-effects.js';
import { createOutboxStore } from './mailcow/outbox-store.js';
import { OutboxWorker } from './outbox/index.js';
import { recordEvent } from './mailcow/events.js';
import { VERSION } from './version.js';
import { describeVersionSkew } from './version-skew.js';
import { createSidecarMetrics, startMetricsServer, type MetricsServer } from './metrics/index.js';
import { pruneAuditEvents, startEventRetention } from './audit/index.js';
import { createEventPruneStore, readEventTableStats } from './mailcow/event-retention.js';
import { DEFAULT_EVENT_RETENTION_DAYS } from './tokens/index.js';

export interface Sidecar {
  pool: Pool;
  tokens: TokenService;
  /** The outbox worker: post-commit work, and what a crash or an outage left of it. */
  outbox: OutboxWorker;
  /** Prunes old audit events now (the background job does it every SCIM_EVENT_PRUNE_INTERVAL_MS). */
  pruneEvents(): Promise<unknown>;
  /** The TCP port bound, when SCIM_HTTP_PORT was set (0 picks a free one). */
  httpPort?: number;
  /** The loopback port of /metrics and /healthz, when SCIM_METRICS_PORT was set. */
  metricsPort?: number;
  stop(): Promise<void>;
}

/** Applies our migrations and, when configured, adds 'scim' to mailbox.authsource. */
export async function prepareDatabase(pool: Pool, config: Pick<Config, 'ensureAuthsource'>, logger: Logger): Promise<void> {
  await assertMailcowDatabase(pool);
  const result = await migrate(pool, nowIso);
  if (result.applied.length) logger.info({ applied: result.applied }, 'plugin schema migrated');
  if (result.ahead) logger.error({ schemaVersion: result.from }, (await readDatabaseState(pool)).problem);
  if (config.ensureAuthsource && (await ensureScimAuthsource(pool))) {
    logger.warn("added 'scim' to mailbox.authsource (it was missing: new install or a mailcow schema update)");
  }
}

function projectorFor(rt: ResourceTypeDef): Projector {
  return (resource, attributes, excludedAttributes) =>
    projectResource(resource, rt, { attributes: parseAttributeList(attributes), excludedAttributes: parseAttributeList(excludedAttributes) });
}

export async function startSidecar(config: Config, logger: Logger): Promise<Sidecar> {
  const startedAt = Date.now();
  const pool = createPool(config.mariadbUrl);
  try {
    await prepareDatabase(pool, config, logger);
  } catch (e) {
    // Start anyway: health reports the problem and writes are refused until it is fixed.
    logger.error({ err: e }, 'database preparation failed; the sidecar starts but refuses writes until it succeeds');
  }
  const guard = new WriteGuard(pool);
  const tokens = new TokenService({ store: createTokenStore(pool), now: nowIso, validateRuleFilter: validateUserRuleFilter });
  const effects = new MailcowSideEffects(pool, { redisUrl: config.redisUrl, memcachedUrl: config.memcachedUrl, skipSogo: config.skipSogo }, logger);
  const recordFailure = (resourceType: 'User' | 'Group') => (caller: Caller, operation: string, resourceId: string | null, error: ScimError) =>
    recordEvent(pool, {
      tokenId: caller.token.id,
      requestId: caller.requestId,
      clientIp: caller.clientIp,
      operation,
      resourceType,
      resourceId,
      mailbox: null,
      outcome: 'failure',
      status: error.status,
      detail: error.detail,
    });
  const cursorKey = cursorKeySource(pool);
  const outbox = new OutboxWorker(createOutboxStore(pool), effects, { intervalMs: config.outboxIntervalMs, leaseMs: config.outboxLeaseMs, onFailure: (kind) => metrics.observeOutboxFailure(kind) }, logger);
  // Creates run READ COMMITTED on connections of their own (docs/performance.md).
  const readCommittedPool = createPool(config.mariadbUrl, { connectionLimit: 8, maxIdle: 2, readCommitted: true, multipleStatements: true });
  const changes = { pool, readCommittedPool, guard, effects, outbox, mailcowUiLog: config.mailcowUiLog };
  const users = new UserService({
    store: new MailcowUserStore(changes),
    maxPageSize: config.maxPageSize,
    applyPatch: (resource, body) => applyPatch(resource, normalizePatchRequest(body), USER_RESOURCE_TYPE),
    recordFailure: recordFailure('User'),
    cursorKey,
  });
  const groups = new GroupService({
    store: new MailcowGroupStore(changes),
    members: users,
    maxPageSize: config.maxPageSize,
    applyPatch: (resource, body) => applyPatch(resource, normalizePatchRequest(body), GROUP_RESOURCE_TYPE),
    recordFailure: recordFailure('Group'),
    cursorKey,
  });
  const bridges = new BridgeVersions((bridgeVersion) => {
    const skew = describeVersionSkew(VERSION, bridgeVersion, config.image);
    if (skew.skew) logger.warn({ bridgeVersion, fix: skew.fix }, skew.problem);
    else logger.info({ bridgeVersion }, 'the PHP bridge and the sidecar are the same version');
  });
  const versions = (caller?: string) => describeVersionSkew(VERSION, caller ?? bridges.last(), config.image);
  const statusSource = { version: VERSION, startedAt, state: (fresh?: boolean) => guard.state(fresh), versions };
  const inFlight = new InFlightLimiter({ maxInFlight: config.maxInFlight, maxInFlightPerToken: config.maxInFlightPerToken, retryAfterSeconds: 2 }, (scope) => metrics.observeOverload(scope));
  const metrics = createSidecarMetrics({ version: VERSION, pool, state: statusSource.state, versions, startedAt, inFlight, eventStats: () => readEventTableStats(pool), outboxBacklog: () => outbox.backlog() });
  const netfilter = config.redisUrl && config.netfilter ? createNetfilterReporter(config.redisUrl, logger, metrics.observeNetfilter) : undefined;
  const retention = startEventRetention({
    intervalMs: config.eventPruneIntervalMs,
    logger,
    onPruned: metrics.observePruned,
    prune: () =>
      pruneAuditEvents({
        store: createEventPruneStore(pool),
        tokens: async () => (await tokens.list(true)).map((t) => ({ id: t.id, retentionDays: t.policy.eventRetentionDays })),
        defaultDays: DEFAULT_EVENT_RETENTION_DAYS,
      }),
  });

  const app = await buildHttpApp({
    settings: { maxBodyBytes: config.maxBodyBytes, trustedProxies: config.trustedProxies, publicBaseUrl: config.publicBaseUrl },
    logger,
    tokens,
    onResponse: metrics.observeHttp,
    inFlight,
    onAuthRefused: netfilter?.report,
    publicRoutes: [
      discoveryRoutes({
        maxPageSize: config.maxPageSize,
        maxBulkOperations: config.maxBulkOperations,
        maxBodyBytes: config.maxBodyBytes,
        patch: true,
        bulk: true,
        filter: true,
        sort: true,
        etag: true,
        cursor: true,
      }),
    ],
    routes: [
      userRoutes(users, projectorFor(USER_RESOURCE_TYPE)),
      groupRoutes(groups, projectorFor(GROUP_RESOURCE_TYPE)),
      // POST /.search covers every resource type, in /ResourceTypes order.
      rootSearchRoutes([userSearchTarget(users, projectorFor(USER_RESOURCE_TYPE)), groupSearchTarget(groups, projectorFor(GROUP_RESOURCE_TYPE))], config.maxPageSize),
      bulkRoutes({ users, groups, maxOperations: config.maxBulkOperations }),
    ],
  });
  const http = await listenHttp(app, { socket: config.httpSocket, socketMode: config.socketMode, port: config.httpPort, host: config.httpHost });

  let rpc: RpcServer | undefined;
  if (config.rpcSocket) {
    rpc = await startRpcServer(config.rpcSocket, config.socketMode, [
      { definition: HealthService, implementation: healthHandlers(statusSource, ['mailcow.scim.v1.LoginService', 'mailcow.scim.v1.AdminService']) },
      { definition: StatusServiceService, implementation: statusHandlers(statusSource, logger) },
      { definition: TokenServiceService, implementation: tokenHandlers(tokens, logger) },
      { definition: LoginServiceService, implementation: loginHandlers(createLoginFactsSource(pool), logger) },
      {
        definition: AdminServiceService,
        implementation: adminHandlers(createAdminReads(pool), logger, {
          tokens,
          adoption: new AdoptionService({ store: createAdoptionStore(pool), identityProvider: createLoginFactsSource(pool).identityProvider }),
        }, { groups, tokens }),
      },
    ], [bridges.interceptor()]);
  }
  // What a crash or an outage left undone is done now, then every SCIM_OUTBOX_INTERVAL_MS.
  outbox.start();
  let metricsServer: MetricsServer | undefined;
  if (config.metricsPort !== undefined) metricsServer = await startMetricsServer(metrics, { port: config.metricsPort });
  logger.info(
    { httpSocket: config.httpSocket || undefined, httpPort: http.tcpPort, rpcSocket: config.rpcSocket || undefined, metricsPort: metricsServer?.port, version: VERSION },
    'mailcow-scim sidecar started',
  );

  let stopping: Promise<void> | undefined;
  return {
    pool,
    tokens,
    outbox,
    pruneEvents: () => retention.runNow(),
    httpPort: http.tcpPort,
    metricsPort: metricsServer?.port,
    stop() {
      stopping ??= (async () => {
        await Promise.all([http.close(), rpc?.close(config.shutdownGraceMs), metricsServer?.close(), retention.stop()]);
        await outbox.stop();
        effects.close();
        await netfilter?.close();
        await Promise.all([pool.end(), readCommittedPool.end()]);
        logger.info('mailcow-scim sidecar stopped');
      })();
      return stopping;
    },
  };
}
