/**
 * The one place errors become gRPC statuses. Every catalogue code has its status here (the
 * table is total, so a new code cannot be forgotten); the code, the SCIM status, the scimType
 * and Retry-After ride in trailing metadata so the PHP bridge can say exactly what happened.
 */
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { ScimError, type ScimErrorCode } from '../scim/index.js';

export const GRPC_STATUS_OF: Readonly<Record<ScimErrorCode, GrpcStatus>> = {
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
  // "Try again": the caller's retry will work once the outage is over.
  unavailable: GrpcStatus.UNAVAILABLE,
  database_unreachable: GrpcStatus.UNAVAILABLE,
  shutting_down: GrpcStatus.UNAVAILABLE,
  // An admin has to act first (doctor --repair): retrying alone does not help, so not UNAVAILABLE.
  writes_paused: GrpcStatus.FAILED_PRECONDITION,
  authsource_missing: GrpcStatus.FAILED_PRECONDITION,
};

export function grpcCodeOf(error: ScimError): GrpcStatus {
  return GRPC_STATUS_OF[error.code];
}

/** The trailing metadata of a failed call. */
function grpcMetadataOf(error: ScimError): Metadata {
  const metadata = new Metadata();
  metadata.set('scim-code', error.code);
  metadata.set('scim-status', String(error.status));
  if (error.scimType) metadata.set('scim-type', error.scimType);
  if (error.retryAfter !== undefined) metadata.set('retry-after', String(error.retryAfter));
  return metadata;
}

/** Any thrown value (through the error boundary, ScimError.from) as a grpc-js ServiceError. */
export function toGrpcError(reason: unknown): Partial<ServiceError> {
  const error = ScimError.from(reason);
  return { code: grpcCodeOf(error), details: error.detail, metadata: grpcMetadataOf(error) };
}
