/**
 * The gRPC surface's error mapping: every catalogue code to its status and trailing metadata,
 * and through a real grpc-js server on a Unix socket (in-memory ports, no database) that what a
 * handler throws reaches the PHP bridge's side as that status.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenServiceClient, TokenServiceService } from '../../../server/src/gen/mailcow/scim/v1/token.js';
import { createLogger } from '../../../server/src/logging.js';
import { recognizeDriverError } from '../../../server/src/mailcow/sql-errors.js';
import { startRpcServer, type RpcServer } from '../../../server/src/rpc/server.js';
import { GRPC_STATUS_OF, toGrpcError } from '../../../server/src/rpc/status.js';
import { tokenHandlers } from '../../../server/src/rpc/token-handlers.js';
import { registerErrorRecognizer, ScimError, SCIM_ERROR_CATALOGUE, SCIM_ERROR_CODES } from '../../../server/src/scim/index.js';
import { TokenService } from '../../../server/src/tokens/index.js';
import { InMemoryTokenStore } from '../../helpers/in-memory-ports.js';

/** The status each code must have: spelled out here so a change to the mapping is a visible decision. */
const EXPECTED: Record<string, GrpcStatus> = {
  invalid_filter: GrpcStatus.INVALID_ARGUMENT,
  too_many: GrpcStatus.INVALID_ARGUMENT,
  mutability: GrpcStatus.INVALID_ARGUMENT,
  invalid_syntax: GrpcStatus.INVALID_ARGUMENT,
  invalid_path: GrpcStatus.INVALID_ARGUMENT,
  no_target: GrpcStatus.INVALID_ARGUMENT,
  invalid_value: GrpcStatus.INVALID_ARGUMENT,
  invalid_version: GrpcStatus.INVALID_ARGUMENT,
  invalid_cursor: GrpcStatus.INVALID_ARGUMENT,
  expired_cursor: GrpcStatus.INVALID_ARGUMENT,
  invalid_count: GrpcStatus.INVALID_ARGUMENT,
  malformed_request: GrpcStatus.INVALID_ARGUMENT,
  unauthorized: GrpcStatus.UNAUTHENTICATED,
  forbidden: GrpcStatus.PERMISSION_DENIED,
  sensitive: GrpcStatus.PERMISSION_DENIED,
  address_not_allowed: GrpcStatus.PERMISSION_DENIED,
  not_found: GrpcStatus.NOT_FOUND,
  no_endpoint: GrpcStatus.UNIMPLEMENTED,
  method_not_allowed: GrpcStatus.UNIMPLEMENTED,
  request_timeout: GrpcStatus.DEADLINE_EXCEEDED,
  uniqueness: GrpcStatus.ALREADY_EXISTS,
  conflict: GrpcStatus.ABORTED,
  precondition_failed: GrpcStatus.FAILED_PRECONDITION,
  payload_too_large: GrpcStatus.RESOURCE_EXHAUSTED,
  uri_too_long: GrpcStatus.INVALID_ARGUMENT,
  unsupported_media_type: GrpcStatus.INVALID_ARGUMENT,
  overloaded: GrpcStatus.RESOURCE_EXHAUSTED,
  headers_too_large: GrpcStatus.INVALID_ARGUMENT,
  internal: GrpcStatus.INTERNAL,
  not_implemented: GrpcStatus.UNIMPLEMENTED,
  unavailable: GrpcStatus.UNAVAILABLE,
  database_unreachable: GrpcStatus.UNAVAILABLE,
  writes_paused: GrpcStatus.FAILED_PRECONDITION,
  authsource_missing: GrpcStatus.FAILED_PRECONDITION,
  shutting_down: GrpcStatus.UNAVAILABLE,
};

describe('every catalogue code over gRPC', () => {
  it('the expectations cover the catalogue exactly', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...SCIM_ERROR_CODES].sort());
    expect(Object.keys(GRPC_STATUS_OF).sort()).toEqual([...SCIM_ERROR_CODES].sort());
  });

  it.each(SCIM_ERROR_CODES)('%s', (code) => {
    const entry: { status: number; scimType?: string } = SCIM_ERROR_CATALOGUE[code];
    const g = toGrpcError(new ScimError(code, `thrown as ${code}`, { retryAfter: 3 }));
    expect(g.code).toBe(EXPECTED[code]);
    expect(g.details).toBe(`thrown as ${code}`);
    expect(g.metadata?.get('scim-code')).toEqual([code]);
    expect(g.metadata?.get('scim-status')).toEqual([String(entry.status)]);
    expect(g.metadata?.get('scim-type')).toEqual(entry.scimType ? [entry.scimType] : []);
    expect(g.metadata?.get('retry-after')).toEqual(['3']);
  });
});

/** A token store whose database is down: every read fails as mysql2 fails, wrapped by a caller. */
class UnreachableTokenStore extends InMemoryTokenStore {
  override async list(): Promise<never> {
    const driver = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:3306'), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect', fatal: true });
    throw new Error('listing tokens failed', { cause: driver });
  }
}

describe('through a grpc-js server on a Unix socket', () => {
  let dir: string;
  let server: RpcServer;
  let client: TokenServiceClient;
  let down: TokenServiceClient;
  let downServer: RpcServer;

  beforeAll(async () => {
    registerErrorRecognizer(recognizeDriverError);
    dir = await mkdtemp(join(tmpdir(), 'mcs-rpc-'));
    const logger = createLogger({ level: 'silent' });
    const make = (store: InMemoryTokenStore) => new TokenService({ store, now: () => new Date().toISOString(), validateRuleFilter: () => undefined });
    server = await startRpcServer(join(dir, 'rpc.sock'), 0o600, [{ definition: TokenServiceService, implementation: tokenHandlers(make(new InMemoryTokenStore()), logger) as never }]);
    downServer = await startRpcServer(join(dir, 'down.sock'), 0o600, [{ definition: TokenServiceService, implementation: tokenHandlers(make(new UnreachableTokenStore()), logger) as never }]);
    client = new TokenServiceClient(`unix://${join(dir, 'rpc.sock')}`, credentials.createInsecure());
    down = new TokenServiceClient(`unix://${join(dir, 'down.sock')}`, credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    down?.close();
    await server?.close(1000);
    await downServer?.close(1000);
    await rm(dir, { recursive: true, force: true });
  });

  function fail(fn: (cb: (e: ServiceError | null) => void) => unknown): Promise<ServiceError> {
    return new Promise((resolve, reject) => fn((e) => (e ? resolve(e) : reject(new Error('the call succeeded')))));
  }

  it('an unknown token is NOT_FOUND with scim-code not_found', async () => {
    const e = await fail((cb) => client.getToken({ id: 'c0ffee00-0000-4000-8000-000000000000' }, new Metadata(), cb));
    expect(e.code).toBe(GrpcStatus.NOT_FOUND);
    expect(e.metadata.get('scim-code')).toEqual(['not_found']);
    expect(e.metadata.get('scim-status')).toEqual(['404']);
  });

  it('a nameless token is INVALID_ARGUMENT with scim-type invalidValue', async () => {
    const e = await fail((cb) => client.createToken({ name: ' ', policy: undefined }, new Metadata(), cb));
    expect(e.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(e.metadata.get('scim-type')).toEqual(['invalidValue']);
  });

  it('a database outage is UNAVAILABLE with retry-after, as it is 503 over HTTP', async () => {
    const e = await fail((cb) => down.listTokens({ includeRevoked: false }, new Metadata(), cb));
    expect(e.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(e.metadata.get('scim-code')).toEqual(['database_unreachable']);
    expect(e.metadata.get('retry-after')).toEqual(['5']);
    expect(e.details).not.toContain('10.0.0.5');
  });
});
