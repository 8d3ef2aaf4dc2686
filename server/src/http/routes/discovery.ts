/** Discovery endpoints (RFC 7644 §4): readable without a token, they expose no personal data. */
import type { FastifyInstance } from 'fastify';
import { buildServiceProviderConfig, type ServiceProviderFeatures } from '../../scim/index.js';
import { SCIM_CONTENT_TYPE } from '../error-response.js';

export function discoveryRoutes(features: ServiceProviderFeatures) {
  return (app: FastifyInstance) => {
    const serviceProviderConfig = async (req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) =>
      reply
        .header('content-type', SCIM_CONTENT_TYPE)
        .send(JSON.stringify(buildServiceProviderConfig(features, `${req.scimBaseUrl()}/ServiceProviderConfig`)));
    app.get('/ServiceProviderConfig', serviceProviderConfig);
    // Microsoft's SCIM test collection asks for /serviceConfiguration (conformance README).
    app.get('/serviceConfiguration', serviceProviderConfig);
  };
}
