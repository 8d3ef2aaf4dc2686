import { status as GrpcStatus } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { toScimError } from '../../server/src/http/error-response.js';
import { grpcCodeOf, toGrpcError } from '../../server/src/rpc/status.js';
import { ScimError, toScimErrorBody, type ScimType } from '../../server/src/scim/index.js';

const TABLE: [ScimError, number, ScimType | undefined, GrpcStatus][] = [
  [ScimError.invalidFilter('f'), 400, 'invalidFilter', GrpcStatus.INVALID_ARGUMENT],
  [ScimError.tooMany('t'), 400, 'tooMany', GrpcStatus.INVALID_ARGUMENT],
  [ScimError.uniqueness('u'), 409, 'uniqueness', GrpcStatus.ALREADY_EXISTS],
  [ScimError.mutability('m'), 400, 'mutability', GrpcStatus.INVALID_ARGUMENT],
  [ScimError.invalidSyntax('s'), 400, 'invalidSyntax', GrpcStatus.INVALID_ARGUMENT],
  [ScimError.invalidPath('p'), 400, 'invalidPath', GrpcStatus.INVALID_ARGUMENT],
  [ScimError.noTarget('n'), 400, 'noTarget', GrpcStatus.INVALID_ARGUMENT],
  [ScimError.invalidValue('v'), 400, 'invalidValue', GrpcStatus.INVALID_ARGUMENT],
  [ScimError.invalidVers('v'), 400, 'invalidVers', GrpcStatus.INVALID_ARGUMENT],
  [ScimError.sensitive('s'), 403, 'sensitive', GrpcStatus.PERMISSION_DENIED],
  [ScimError.invalidCursor('c'), 400, 'invalidCursor', GrpcStatus.INVALID_ARGUMENT],
  [ScimError.expiredCursor('c'), 400, 'expiredCursor', GrpcStatus.INVALID_ARGUMENT],
  [ScimError.invalidCount('c'), 400, 'invalidCount', GrpcStatus.INVALID_ARGUMENT],
  [ScimError.unauthorized(), 401, undefined, GrpcStatus.UNAUTHENTICATED],
  [ScimError.forbidden('f'), 403, undefined, GrpcStatus.PERMISSION_DENIED],
  [ScimError.notFound('n'), 404, undefined, GrpcStatus.NOT_FOUND],
  [ScimError.conflict('c'), 409, undefined, GrpcStatus.ABORTED],
  [ScimError.preconditionFailed('p'), 412, undefined, GrpcStatus.FAILED_PRECONDITION],
  [ScimError.payloadTooLarge('p'), 413, undefined, GrpcStatus.RESOURCE_EXHAUSTED],
  [ScimError.notImplemented('n'), 501, undefined, GrpcStatus.UNIMPLEMENTED],
  [ScimError.unavailable('u'), 503, undefined, GrpcStatus.UNAVAILABLE],
  [ScimError.from(new Error('boom')), 500, undefined, GrpcStatus.INTERNAL],
];

describe('ScimError catalogue: status, HTTP body and gRPC code', () => {
  it.each(TABLE)('%s', (error, status, scimType, grpc) => {
    expect(error.status).toBe(status);
    expect(error.scimType).toBe(scimType);
    const body = toScimErrorBody(error);
    expect(body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    expect(body.status).toBe(String(status));
    expect('scimType' in body).toBe(scimType !== undefined);
    expect(grpcCodeOf(error)).toBe(grpc);
    const g = toGrpcError(error);
    expect(g.code).toBe(grpc);
    expect(g.metadata?.get('scim-type')).toEqual(scimType ? [scimType] : []);
  });

  it('never sends the cause of a 500', () => {
    const e = ScimError.from(new Error('password=hunter2 leaked in a driver error'));
    expect(JSON.stringify(toScimErrorBody(e))).not.toContain('hunter2');
    expect(toGrpcError(e).details).not.toContain('hunter2');
  });

  it("maps fastify's transport errors to SCIM errors", () => {
    expect(toScimError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }).status).toBe(413);
    expect(toScimError({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }).status).toBe(415);
    expect(toScimError({ code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 }).scimType).toBe('invalidSyntax');
    expect(toScimError(new Error('x')).status).toBe(500);
  });
});

describe('ScimError.from: the error boundary', () => {
  it('finds a ScimError or a recognised error anywhere in the cause chain', () => {
    const inner = ScimError.notFound('gone');
    expect(ScimError.from(new Error('outer', { cause: new Error('middle', { cause: inner }) }))).toBe(inner);
    const recognize = (e: unknown) => ((e as { code?: string }).code === 'X_DOWN' ? ScimError.unavailable('down') : undefined);
    const found = ScimError.from(new Error('outer', { cause: Object.assign(new Error('x'), { code: 'X_DOWN' }) }), recognize);
    expect([found.code, found.status]).toEqual(['unavailable', 503]);
  });

  it('survives a cause cycle and anything that is not an Error', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    a.cause = a;
    expect(ScimError.from(a).code).toBe('internal');
    for (const v of [undefined, null, 42, 'text', { cause: 'x' }]) expect(ScimError.from(v).code).toBe('internal');
  });

  it('a bare status picks its generic code; withDetail keeps code and Retry-After', () => {
    expect(new ScimError(400, 'x', { scimType: 'invalidPath' }).code).toBe('invalid_path');
    expect(new ScimError(503, 'x').code).toBe('unavailable');
    const e = new ScimError('database_unreachable', 'down', { retryAfter: 5 }).withDetail('Operations[0]: down');
    expect([e.code, e.status, e.retryAfter, e.detail]).toEqual(['database_unreachable', 503, 5, 'Operations[0]: down']);
  });
});
