/** StatusService and the standard grpc.health.v1 Health service. */
import { status as GrpcStatus, type ServerWritableStream } from '@grpc/grpc-js';
import type { HealthServer, HealthCheckRequest, HealthCheckResponse } from '../gen/grpc/health/v1/health.js';
import { HealthCheckResponse_ServingStatus as Serving } from '../gen/grpc/health/v1/health.js';
import { VersionMatch, type StatusServiceServer } from '../gen/mailcow/scim/v1/status.js';
import type { Logger } from '../logging.js';
import type { DatabaseState } from '../mailcow/database-state.js';
import type { VersionSkew } from '../version-skew.js';
import { bridgeVersionOf } from './bridge-versions.js';
import { unary } from './unary.js';

export interface StatusSource {
  version: string;
  startedAt: number;
  state(fresh?: boolean): Promise<DatabaseState>;
  /**
   * This sidecar against `caller`, the calling bridge's version, or, for a caller that is not
   * the bridge (doctor, the CLI), against the last PHP bridge that called.
   */
  versions(caller?: string): VersionSkew;
}

const MATCH: Record<VersionSkew['match'], VersionMatch> = {
  same: VersionMatch.VERSION_MATCH_SAME,
  'bridge-older': VersionMatch.VERSION_MATCH_BRIDGE_OLDER,
  'bridge-newer': VersionMatch.VERSION_MATCH_BRIDGE_NEWER,
  'bridge-unversioned': VersionMatch.VERSION_MATCH_BRIDGE_UNVERSIONED,
  'no-bridge-seen': VersionMatch.VERSION_MATCH_NO_BRIDGE_SEEN,
};

/** Service names the health service knows ("" is the whole server). */
const HEALTH_SERVICES = ['', 'mailcow.scim.v1.StatusService', 'mailcow.scim.v1.TokenService'];

export function statusHandlers(source: StatusSource, logger: Logger): StatusServiceServer {
  return {
    getStatus: unary(logger, 'GetStatus', async (_req, _log, metadata) => {
      // The caller's own version, read from its own call: the last one seen may already be
      // another bridge's by the time the database has answered.
      const caller = bridgeVersionOf(metadata);
      const s = await source.state(true);
      const v = source.versions(caller);
      return {
        version: source.version,
        databaseReachable: s.reachable,
        uptimeSeconds: Math.floor((Date.now() - source.startedAt) / 1000),
        schema: {
          pluginSchemaVersion: s.pluginSchemaVersion,
          pluginSchemaTarget: s.pluginSchemaTarget,
          mailcowDbSchema: s.mailcowDbSchema,
          authsourceHasScim: s.authsourceHasScim,
          writesAllowed: s.writesAllowed,
          problem: s.problem,
          pluginSchemaAhead: s.pluginSchemaAhead,
          pluginSchemaWriter: s.pluginSchemaWriter,
        },
        versions: { sidecarVersion: v.sidecar, bridgeVersion: v.bridge, match: MATCH[v.match], skew: v.skew, problem: v.problem, fix: v.fix },
      };
    }),
  };
}

/**
 * SERVING when the process runs and the database answers: the socket is up, but a sidecar
 * that cannot reach MariaDB can do nothing useful, and Docker should see that.
 */
export function healthHandlers(source: StatusSource, extraServices: string[] = []): HealthServer {
  const known = new Set([...HEALTH_SERVICES, ...extraServices]);
  const check = async (service: string): Promise<Serving> => {
    if (!known.has(service)) return Serving.SERVICE_UNKNOWN;
    const s = await source.state();
    return s.reachable ? Serving.SERVING : Serving.NOT_SERVING;
  };
  return {
    check: (call, callback) => {
      check(call.request.service).then(
        (status) =>
          status === Serving.SERVICE_UNKNOWN
            ? callback({ code: GrpcStatus.NOT_FOUND, details: `unknown service "${call.request.service}"` } as never, null)
            : callback(null, { status }),
        (e: Error) => callback({ code: GrpcStatus.INTERNAL, details: e.message } as never, null),
      );
    },
    watch: (call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse>) => {
      let last: Serving | undefined;
      const tick = () =>
        check(call.request.service).then((status) => {
          if (status !== last) {
            last = status;
            call.write({ status });
          }
        }, () => undefined);
      void tick();
      const timer = setInterval(tick, 5_000);
      call.on('cancelled', () => clearInterval(timer));
      call.on('close', () => clearInterval(timer));
    },
  };
}
