/**
 * The generated service definitions main.ts hands to the gRPC server, so that rpc/ stays the only
 * importer of generated code (docs/architecture.md §9).
 */
export { HealthService } from '../gen/grpc/health/v1/health.js';
export { AdminServiceService } from '../gen/mailcow/scim/v1/admin.js';
export { LoginServiceService } from '../gen/mailcow/scim/v1/login.js';
export { StatusServiceService } from '../gen/mailcow/scim/v1/status.js';
export { TokenServiceService } from '../gen/mailcow/scim/v1/token.js';
