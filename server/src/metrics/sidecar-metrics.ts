/**
 * The sidecar's metrics and health. Request metrics come from the HTTP app's onResponse hook;
 * database, ENUM and pool state are read at scrape time. Nothing here carries personal data:
 * label values are operation names and status codes only (docs/architecture.md §2).
 */
import type { EventTableStats } from '../audit/index.js';
import type { DatabaseState } from '../mailcow/database-state.js';
import type { OutboxBacklog, OutboxKind } from '../outbox/index.js';
import type { VersionSkew } from '../version-skew.js';
import { scimOperationOf } from './operation.js';
import { readPoolUsage } from './pool-usage.js';
import { Counter, Gauge, Histogram, Registry } from './registry.js';

/** More (method, status, route) combinations than the routes can give; past it the cache starts over. */
const HTTP_SERIES_LIMIT = 1_000;

/** Latency buckets in seconds: a discovery GET takes ms, a large /Bulk tens of seconds. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

export interface SidecarMetricsDeps {
  version: string;
  /** The mysql2 pool (read by shape, see pool-usage.ts). */
  pool: unknown;
  /** The write guard's state (cached a few seconds); `fresh` forces a re-read. */
  state(fresh?: boolean): Promise<DatabaseState>;
  /** This sidecar against the last PHP bridge that called. */
  versions?(): VersionSkew;
  /** Size and age of mailcow_scim_events, read at scrape time. */
  eventStats?: () => Promise<EventTableStats>;
  /** Post-commit work not yet done (docs/architecture.md §8.1), read at scrape time and by /healthz. */
  outboxBacklog?: () => Promise<OutboxBacklog>;
  startedAt?: number;
  /** SCIM requests being worked on now, and the bounds (http/in-flight.ts). */
  inFlight?: { inFlight: number; limits: { maxInFlight: number; maxInFlightPerToken: number } };
}

/** What the HTTP app reports per request (fastify's request has these fields). */
interface ObservedRequest {
  method: string;
  routeOptions?: { url?: string };
}

interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  version: string;
  /** Present once a PHP bridge called: a skew does not make the sidecar unhealthy, but is shown. */
  bridge?: Pick<VersionSkew, 'bridge' | 'match' | 'skew' | 'problem' | 'fix'>;
  uptimeSeconds: number;
  database: Omit<DatabaseState, 'problem'>;
  /** Post-commit work not yet done: it does not make the sidecar unhealthy (the worker retries it), but is shown. */
  outbox?: OutboxBacklog;
  problem?: string;
}

export interface SidecarMetrics {
  registry: Registry;
  /** The buildHttpApp onResponse hook. */
  observeHttp(req: ObservedRequest, statusCode: number, ms: number): void;
  /** A request refused with 429 because a bound on the work in flight was reached. */
  observeOverload(scope: 'overall' | 'token'): void;
  /** A refused bearer credential reported to mailcow's netfilter: published, or the publish failed. */
  observeNetfilter(outcome: 'published' | 'failed'): void;
  /** The retention job deleted this many audit events. */
  observePruned(deleted: number): void;
  /** One attempt of post-commit work failed (it is retried). */
  observeOutboxFailure(kind: OutboxKind): void;
  /** Re-reads database state and renders /metrics. */
  render(): Promise<string>;
  health(): Promise<HealthReport>;
}

function outcomeOf(status: number): 'success' | 'rejected' | 'failed' {
  return status < 400 ? 'success' : status < 500 ? 'rejected' : 'failed';
}

export function createSidecarMetrics(deps: SidecarMetricsDeps): SidecarMetrics {
  const startedAt = deps.startedAt ?? Date.now();
  const registry = new Registry();
  let lastState: DatabaseState | undefined;
  let lastEvents: EventTableStats | undefined;

  const requests = registry.register(new Counter('mailcow_scim_http_requests_total', 'SCIM HTTP requests by operation, method and status code.'));
  const latency = registry.register(
    new Histogram('mailcow_scim_http_request_duration_seconds', 'SCIM HTTP request latency by operation, in seconds.', LATENCY_BUCKETS),
  );
  const provisioning = registry.register(
    new Counter(
      'mailcow_scim_provisioning_operations_total',
      'Provisioning changes (User/Group create, replace, patch, delete) by outcome: success, rejected (4xx), failed (5xx).',
    ),
  );
  const overload = registry.register(
    new Counter('mailcow_scim_http_overload_refusals_total', 'Requests answered 429 because a bound on the work in flight was reached, by scope (overall, token).'),
  );
  const netfilter = registry.register(
    new Counter('mailcow_scim_netfilter_reports_total', "Refused bearer credentials reported on mailcow's F2B_CHANNEL, by outcome (published, failed)."),
  );
  // The series each request updates, by method, status and route pattern (a closed set: the
  // router's patterns, Node's methods, HTTP statuses), so a request builds no label key.
  const httpSeries = new Map<string, { request: () => void; latency: (seconds: number) => void; change: (() => void) | undefined }>();
  const inFlight = deps.inFlight;
  if (inFlight) {
    registry.register(new Gauge('mailcow_scim_http_requests_in_flight', 'SCIM requests behind the bearer check being worked on now.', () => [{ value: inFlight.inFlight }]));
    registry.register(
      new Gauge('mailcow_scim_http_in_flight_limit', 'Bounds on SCIM requests in flight (SCIM_MAX_IN_FLIGHT, SCIM_MAX_IN_FLIGHT_PER_TOKEN), by scope.', () => [
        { labels: { scope: 'overall' }, value: inFlight.limits.maxInFlight },
        { labels: { scope: 'token' }, value: inFlight.limits.maxInFlightPerToken },
      ]),
    );
  }
  registry.register(
    new Gauge('mailcow_scim_db_pool_connections', 'MariaDB pool connections by state (in_use, idle).', () => {
      const u = readPoolUsage(deps.pool);
      return [
        { labels: { state: 'in_use' }, value: u.inUse },
        { labels: { state: 'idle' }, value: u.idle },
      ];
    }),
  );
  registry.register(new Gauge('mailcow_scim_db_pool_connection_limit', 'Most connections the MariaDB pool opens.', () => [{ value: readPoolUsage(deps.pool).limit }]));
  registry.register(new Gauge('mailcow_scim_db_pool_queued_requests', 'Queries waiting for a free pool connection.', () => [{ value: readPoolUsage(deps.pool).queued }]));
  registry.register(new Gauge('mailcow_scim_database_up', '1 when MariaDB answers.', () => [{ value: lastState?.reachable ? 1 : 0 }]));
  registry.register(
    new Gauge('mailcow_scim_authsource_enum_ok', "1 when mailbox.authsource accepts 'scim' (else SCIM writes are refused).", () => [
      { value: lastState?.authsourceHasScim ? 1 : 0 },
    ]),
  );
  registry.register(new Gauge('mailcow_scim_writes_allowed', '1 when the sidecar accepts SCIM writes.', () => [{ value: lastState?.writesAllowed ? 1 : 0 }]));
  const pruned = registry.register(new Counter('mailcow_scim_events_pruned_total', 'Audit events deleted by the retention job (each token keeps its eventRetentionDays).'));
  pruned.inc({}, 0);
  if (deps.eventStats) {
    registry.register(new Gauge('mailcow_scim_events_rows', "Rows in mailcow_scim_events (InnoDB's estimate).", () => (lastEvents ? [{ value: lastEvents.rowsEstimate }] : [])));
    registry.register(new Gauge('mailcow_scim_events_bytes', 'Data and index size of mailcow_scim_events, in bytes.', () => (lastEvents ? [{ value: lastEvents.bytes }] : [])));
    registry.register(
      new Gauge('mailcow_scim_events_oldest_timestamp_seconds', 'Time of the oldest audit event since the Unix epoch, in seconds (absent when there is none).', () =>
        lastEvents?.oldestAt ? [{ value: Math.floor(Date.parse(lastEvents.oldestAt) / 1000) }] : [],
      ),
    );
  }
  const outboxFailures = registry.register(
    new Counter('mailcow_scim_outbox_failures_total', 'Failed attempts of post-commit work (SOGo view rows, Redis keys, memcached flushes), by kind; each is retried.'),
  );
  let lastOutbox: OutboxBacklog | undefined;
  if (deps.outboxBacklog) {
    registry.register(new Gauge('mailcow_scim_outbox_backlog', 'Outbox rows not yet done (post-commit work waiting for its first attempt or a retry).', () => (lastOutbox ? [{ value: lastOutbox.pending }] : [])));
    registry.register(new Gauge('mailcow_scim_outbox_failing', 'Outbox rows whose last attempt failed.', () => (lastOutbox ? [{ value: lastOutbox.failing }] : [])));
    registry.register(
      new Gauge('mailcow_scim_outbox_oldest_age_seconds', 'Age of the oldest outbox row, in seconds (0 when there is none).', () => (lastOutbox ? [{ value: lastOutbox.oldestAgeSeconds ?? 0 }] : [])),
    );
  }
  registry.register(new Gauge('mailcow_scim_info', 'Build information.', () => [{ labels: { version: deps.version }, value: 1 }]));
  // The bridge's version is request data, but from php-fpm only, checked against a version
  // pattern, and one series: the last one seen.
  registry.register(
    new Gauge('mailcow_scim_bridge_info', 'The PHP bridge that last called: its version ("" when it sent none) and how it compares with this sidecar.', () => {
      const v = deps.versions?.();
      return v && v.match !== 'no-bridge-seen' ? [{ labels: { bridge_version: v.bridge, sidecar_version: deps.version, match: v.match }, value: 1 }] : [];
    }),
  );
  registry.register(
    new Gauge('mailcow_scim_version_skew', '1 while the PHP bridge in mailcow and this sidecar are different versions (re-run install from the sidecar image).', () => [
      { value: deps.versions?.().skew ? 1 : 0 },
    ]),
  );
  registry.register(new Gauge('process_start_time_seconds', 'Start time of the process since the Unix epoch, in seconds.', () => [{ value: Math.floor(startedAt / 1000) }]));
  registry.register(new Gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', () => [{ value: process.memoryUsage().rss }]));
  registry.register(new Gauge('nodejs_heap_used_bytes', 'V8 heap in use, in bytes.', () => [{ value: process.memoryUsage().heapUsed }]));
  registry.register(
    new Gauge('process_cpu_seconds_total', 'User and system CPU time spent, in seconds.', () => {
      const c = process.cpuUsage();
      return [{ value: (c.user + c.system) / 1e6 }];
    }),
  );

  const readState = async (fresh = false): Promise<DatabaseState> => {
    lastState = await deps.state(fresh);
    return lastState;
  };

  return {
    registry,
    observeHttp(req, statusCode, ms) {
      const key = `${req.method} ${statusCode} ${req.routeOptions?.url ?? ''}`;
      let series = httpSeries.get(key);
      if (!series) {
        const op = scimOperationOf(req.method, req.routeOptions?.url);
        series = {
          request: requests.bound({ operation: op.operation, method: req.method.toUpperCase(), status: String(statusCode) }),
          latency: latency.bound({ operation: op.operation }),
          change: op.resource && op.change ? provisioning.bound({ resource: op.resource, action: op.change, outcome: outcomeOf(statusCode) }) : undefined,
        };
        if (httpSeries.size >= HTTP_SERIES_LIMIT) httpSeries.clear();
        httpSeries.set(key, series);
      }
      series.request();
      series.latency(ms / 1000);
      series.change?.();
    },
    observeOverload(scope) {
      overload.inc({ scope });
    },
    observeNetfilter(outcome) {
      netfilter.inc({ outcome });
    },
    observePruned(deleted) {
      pruned.inc({}, deleted);
    },
    observeOutboxFailure(kind) {
      outboxFailures.inc({ kind });
    },
    async render() {
      await readState().catch(() => undefined);
      if (deps.eventStats) lastEvents = await deps.eventStats().catch(() => lastEvents);
      if (deps.outboxBacklog) lastOutbox = await deps.outboxBacklog().catch(() => undefined);
      return registry.render();
    },
    async health() {
      const s = await readState(true);
      const { problem, ...database } = s;
      const v = deps.versions?.();
      const outbox = s.reachable && deps.outboxBacklog ? await deps.outboxBacklog().catch(() => undefined) : undefined;
      return {
        status: !s.reachable ? 'down' : s.writesAllowed ? 'ok' : 'degraded',
        version: deps.version,
        ...(v && v.match !== 'no-bridge-seen' ? { bridge: { bridge: v.bridge, match: v.match, skew: v.skew, problem: v.problem, fix: v.fix } } : {}),
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        database,
        ...(outbox ? { outbox } : {}),
        ...(problem ? { problem } : {}),
      };
    },
  };
}
