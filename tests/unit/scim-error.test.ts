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
