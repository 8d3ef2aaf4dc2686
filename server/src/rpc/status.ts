/**
 * The one place errors become gRPC statuses (style.md, "One error type, two mappings").
 * The scimType rides in trailing metadata as `scim-type` so the PHP bridge can show the
 * exact reason.
 */
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { ScimError } from '../scim/index.js';

export function grpcCodeOf(error: ScimError): GrpcStatus {
  switch (error.status) {
    case 400:
      return GrpcStatus.INVALID_ARGUMENT;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return GrpcStatus.PERMISSION_DENIED;
    case 404:
      return GrpcStatus.NOT_FOUND;
    case 409:
      return error.scimType === 'uniqueness' ? GrpcStatus.ALREADY_EXISTS : GrpcStatus.ABORTED;
    case 412:
      return GrpcStatus.FAILED_PRECONDITION;
    case 413:
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case 415:
      return GrpcStatus.INVALID_ARGUMENT;
    case 429:
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case 501:
      return GrpcStatus.UNIMPLEMENTED;
    case 503:
      return GrpcStatus.UNAVAILABLE;
    default:
      return GrpcStatus.INTERNAL;
  }
}

/** Any thrown value as a grpc-js ServiceError, with the detail and scim-type metadata. */
export function toGrpcError(reason: unknown): Partial<ServiceError> {
  const error = ScimError.from(reason);
  const metadata = new Metadata();
  if (error.scimType) metadata.set('scim-type', error.scimType);
  metadata.set('scim-status', String(error.status));
  return { code: grpcCodeOf(error), details: error.detail, metadata };
}
