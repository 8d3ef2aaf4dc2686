import type { handleUnaryCall, Metadata, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { Logger } from '../logging.js';
import { ScimError } from '../scim/index.js';
import { PolicyError } from '../tokens/index.js';
import { toGrpcError } from './status.js';

/** Trailing metadata key with a refused policy's problems as JSON (documented in token.proto). */
const POLICY_PROBLEMS_METADATA = 'scim-policy-problems-bin';

/** The gRPC error for `err`, with the field-level problems of a refused token policy added. */
function grpcErrorOf(err: ScimError): ReturnType<typeof toGrpcError> {
  const grpc = toGrpcError(err);
  if (err instanceof PolicyError) grpc.metadata?.set(POLICY_PROBLEMS_METADATA, Buffer.from(JSON.stringify(err.problems), 'utf8'));
  return grpc;
}

/**
 * Adapts an async handler to grpc-js: the result or the mapped error goes to the callback,
 * and each call logs under a child logger bound to its method. Failures the server caused are
 * logged as errors with their cause, an outage (503 family) as a warning, a caller's mistake as info.
 * `fn` also gets the call's own metadata (what this caller sent, not what the last caller did).
 */
export function unary<Req, Res>(logger: Logger, method: string, fn: (req: Req, log: Logger, metadata: Metadata) => Promise<Res>): handleUnaryCall<Req, Res> {
  const log = logger.child({ surface: 'rpc', method });
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    const started = performance.now();
    fn(call.request, log, call.metadata).then(
      (res) => {
        log.debug({ ms: Math.round(performance.now() - started) }, 'rpc ok');
        callback(null, res);
      },
      (e: unknown) => {
        const err = ScimError.from(e);
        if (err.status >= 500 && err.status !== 503) log.error({ err: err.cause ?? err, code: err.code }, 'rpc failed');
        else if (err.status === 503) log.warn({ code: err.code, detail: err.detail, cause: err.cause instanceof Error ? err.cause.message : undefined }, 'rpc unavailable');
        else log.info({ code: err.code, status: err.status, scimType: err.scimType, detail: err.detail }, 'rpc refused');
        callback(grpcErrorOf(err) as never, null);
      },
    );
  };
}
