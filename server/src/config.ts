/**
 * The sidecar's configuration, read once from the environment and validated as a whole:
 * every problem is named in one error, so an operator fixes them in one round.
 * Nothing else in the server reads process.env.
 */
import { isIP } from 'node:net';
import { isValidCidr } from './tokens/ip-allow-list.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  /** mysql://user:pass@host:port/database */
  readonly mariadbUrl: string;
  /** Unix socket for the SCIM HTTP surface ("" disables it). */
  readonly httpSocket: string;
  /** Optional TCP port for local use; undefined when not set. */
  readonly httpPort?: number;
  readonly httpHost: string;
  /** Unix socket for gRPC ("" disables it). */
  readonly rpcSocket: string;
  /** File mode applied to both sockets after bind (grpc-js creates them 0755). */
  readonly socketMode: number;
  readonly metricsPort?: number;
  readonly redisUrl?: string;
  /** host:port of mailcow's memcached (SOGo's cache), flushed after mailbox changes. */
  readonly memcachedUrl?: string;
  readonly logLevel: LogLevel;
  /** CIDRs whose X-Real-IP header is trusted on TCP (the Unix socket is always nginx). */
  readonly trustedProxies: readonly string[];
  /** Largest accepted request body, bytes (413 above). */
  readonly maxBodyBytes: number;
  /** Largest page a list returns (advertised in ServiceProviderConfig.filter.maxResults). */
  readonly maxPageSize: number;
  /** Most operations in one /Bulk request. */
  readonly maxBulkOperations: number;
  /** Public base URL for meta.location, e.g. https://mail.example.org/scim/v2 (derived from the request when unset). */
  readonly publicBaseUrl?: string;
  /** Add 'scim' to mailbox.authsource when it is missing, at start and in `migrate`. */
  readonly ensureAuthsource: boolean;
  /** Also write a row into mailcow's `logs` table per change, so it shows in the UI log. */
  readonly mailcowUiLog: boolean;
  /** mailcow's SKIP_SOGO=y: no _sogo_static_view writes, no memcached flush. */
  readonly skipSogo: boolean;
  /** Milliseconds to let in-flight requests finish on SIGTERM before cutting them. */
  readonly shutdownGraceMs: number;
  /**
   * The image this sidecar runs (SCIM_IMAGE, set by the compose override), named in the fix for
   * a bridge/sidecar version skew; without it the fix asks Docker for the running image.
   */
  readonly image?: string;
  /** SCIM requests worked on at once, all tokens together (429 with Retry-After past it). */
  readonly maxInFlight: number;
  /** SCIM requests one token may have in progress at once (429 past it). */
  readonly maxInFlightPerToken: number;
  /** Publish refused bearer tokens on mailcow's F2B_CHANNEL (with REDIS_URL), so netfilter bans guessers. */
  readonly netfilter: boolean;
  /** How often old audit events are pruned (each token's eventRetentionDays); 0 turns it off. */
  readonly eventPruneIntervalMs: number;
  /** How often the outbox is swept for post-commit work left behind (docs/architecture.md §8.1); 0: only at start. */
  readonly outboxIntervalMs: number;
  /** How long an outbox row belongs to the process that took it (the writer, right after its commit, or a sweep). */
  readonly outboxLeaseMs: number;
}

export const CONFIG_DEFAULTS = {
  mariadbUrl: 'mysql://root@127.0.0.1:3306/mailcow',
  httpSocket: '/run/mailcow-scim/http.sock',
  httpHost: '127.0.0.1',
  rpcSocket: '/run/mailcow-scim/rpc.sock',
  socketMode: 0o660,
  logLevel: 'info' as LogLevel,
  trustedProxies: ['127.0.0.1/32', '::1/128'],
  maxBodyBytes: 1024 * 1024,
  maxPageSize: 500,
  maxBulkOperations: 1000,
  ensureAuthsource: true,
  mailcowUiLog: false,
  skipSogo: false,
  shutdownGraceMs: 10_000,
  maxInFlight: 128,
  maxInFlightPerToken: 32,
  netfilter: true,
  eventPruneIntervalMs: 3_600_000,
  outboxIntervalMs: 10_000,
  outboxLeaseMs: 30_000,
} as const;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads and validates the environment; throws one ConfigError listing every problem. */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const int = (name: string, min: number, max: number): number | undefined => {
    const v = str(name);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${v}")`);
      return undefined;
    }
    return Number(v);
  };
  const bool = (name: string): boolean | undefined => {
    const v = str(name);
    if (v === undefined) return undefined;
    if (/^(1|true|yes|y|on)$/i.test(v)) return true;
    if (/^(0|false|no|n|off)$/i.test(v)) return false;
    problems.push(`${name} must be a boolean (true/false, y/n, 1/0; got "${v}")`);
    return undefined;
  };
  // An explicitly empty socket variable disables that socket.
  const socket = (name: string, fallback: string): string => (env[name] === undefined ? fallback : env[name]!.trim());

  const mariadbUrl = str('MARIADB_URL') ?? CONFIG_DEFAULTS.mariadbUrl;
  try {
    const u = new URL(mariadbUrl);
    if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') problems.push(`MARIADB_URL must start with mysql:// (got "${u.protocol}//")`);
    if (u.pathname.replace(/^\//, '') === '') problems.push('MARIADB_URL must name a database: mysql://user:pass@host:port/database');
  } catch {
    problems.push('MARIADB_URL is not a URL (expected mysql://user:pass@host:port/database)');
  }

  const logLevel = (str('LOG_LEVEL') ?? CONFIG_DEFAULTS.logLevel).toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);

  const redisUrl = str('REDIS_URL');
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) problems.push('REDIS_URL must start with redis:// or rediss://');

  const memcachedUrl = str('MEMCACHED_URL')?.replace(/^memcached:\/\//, '');
  if (memcachedUrl && !/^[^:\s]+:\d{1,5}$/.test(memcachedUrl)) problems.push('MEMCACHED_URL must be host:port (e.g. memcached:11211)');

  const httpHost = str('SCIM_HTTP_HOST') ?? CONFIG_DEFAULTS.httpHost;
  if (isIP(httpHost) === 0 && httpHost !== 'localhost') problems.push(`SCIM_HTTP_HOST must be an IP address (got "${httpHost}")`);

  const trustedProxies = (str('SCIM_TRUSTED_PROXIES')?.split(',').map((s) => s.trim()).filter(Boolean)) ?? [...CONFIG_DEFAULTS.trustedProxies];
  for (const cidr of trustedProxies) if (!isValidCidr(cidr)) problems.push(`SCIM_TRUSTED_PROXIES: "${cidr}" is not an IP address or CIDR`);

  const socketModeText = str('SCIM_SOCKET_MODE');
  let socketMode: number = CONFIG_DEFAULTS.socketMode;
  if (socketModeText !== undefined) {
    if (!/^0?[0-7]{3}$/.test(socketModeText)) problems.push(`SCIM_SOCKET_MODE must be an octal file mode like 0660 (got "${socketModeText}")`);
    else socketMode = parseInt(socketModeText, 8);
  }

  const publicBaseUrl = str('SCIM_BASE_URL');
  if (publicBaseUrl && !/^https?:\/\/[^\s]+$/.test(publicBaseUrl)) problems.push('SCIM_BASE_URL must be an http(s) URL');

  const image = str('SCIM_IMAGE');
  // It is pasted into a shell command: a plain image reference only.
  if (image !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}$/.test(image)) problems.push(`SCIM_IMAGE must be an image reference like ghcr.io/owner/mailcow-scim:1.2.3 (got "${image}")`);

  const httpSocket = socket('SCIM_HTTP_SOCKET', CONFIG_DEFAULTS.httpSocket);
  const httpPort = int('SCIM_HTTP_PORT', 1, 65535);
  if (httpSocket === '' && httpPort === undefined && overrides.httpPort === undefined && overrides.httpSocket === undefined) {
    problems.push('SCIM_HTTP_SOCKET is empty and SCIM_HTTP_PORT is unset: the SCIM surface would listen nowhere');
  }

  const config: Config = {
    mariadbUrl,
    httpSocket,
    httpPort,
    httpHost,
    rpcSocket: socket('SCIM_RPC_SOCKET', CONFIG_DEFAULTS.rpcSocket),
    socketMode,
    metricsPort: int('SCIM_METRICS_PORT', 1, 65535),
    redisUrl,
    memcachedUrl,
    logLevel,
    trustedProxies,
    maxBodyBytes: int('SCIM_MAX_BODY_BYTES', 1024, 64 * 1024 * 1024) ?? CONFIG_DEFAULTS.maxBodyBytes,
    maxPageSize: int('SCIM_MAX_PAGE_SIZE', 1, 10_000) ?? CONFIG_DEFAULTS.maxPageSize,
    maxBulkOperations: int('SCIM_MAX_BULK_OPERATIONS', 1, 10_000) ?? CONFIG_DEFAULTS.maxBulkOperations,
    publicBaseUrl: publicBaseUrl?.replace(/\/+$/, ''),
    ensureAuthsource: bool('SCIM_ENSURE_AUTHSOURCE') ?? CONFIG_DEFAULTS.ensureAuthsource,
    mailcowUiLog: bool('SCIM_MAILCOW_UI_LOG') ?? CONFIG_DEFAULTS.mailcowUiLog,
    skipSogo: bool('SKIP_SOGO') ?? CONFIG_DEFAULTS.skipSogo,
    shutdownGraceMs: int('SCIM_SHUTDOWN_GRACE_MS', 0, 600_000) ?? CONFIG_DEFAULTS.shutdownGraceMs,
    ...(image !== undefined ? { image } : {}),
    maxInFlight: int('SCIM_MAX_IN_FLIGHT', 1, 100_000) ?? CONFIG_DEFAULTS.maxInFlight,
    maxInFlightPerToken: int('SCIM_MAX_IN_FLIGHT_PER_TOKEN', 1, 100_000) ?? CONFIG_DEFAULTS.maxInFlightPerToken,
    netfilter: bool('SCIM_NETFILTER') ?? CONFIG_DEFAULTS.netfilter,
    eventPruneIntervalMs: int('SCIM_EVENT_PRUNE_INTERVAL_MS', 0, 7 * 86_400_000) ?? CONFIG_DEFAULTS.eventPruneIntervalMs,
    outboxIntervalMs: int('SCIM_OUTBOX_INTERVAL_MS', 0, 86_400_000) ?? CONFIG_DEFAULTS.outboxIntervalMs,
    outboxLeaseMs: int('SCIM_OUTBOX_LEASE_MS', 100, 3_600_000) ?? CONFIG_DEFAULTS.outboxLeaseMs,
    ...overrides,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
