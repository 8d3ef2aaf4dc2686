/** Discovery endpoints (RFC 7644 §4): readable without a token, they expose no personal data. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { buildServiceProviderConfig, ScimError, type ServiceProviderFeatures } from '../../scim/index.js';
import { toListResponse } from '../../scim/list-params.js';
import { getSchemaDef, RESOURCE_TYPES, SCHEMA_DEFS, toResourceTypeResource, toSchemaResource } from '../../scim/schema/index.js';
import { sendResource } from './users.js';

type Query = Record<string, string | undefined>;

/** RFC 7644 §4: discovery endpoints do not filter; a filter gets 403. */
function refuseFilter(q: Query): void {
  if (q.filter) throw ScimError.forbidden('Discovery endpoints do not support filtering (RFC 7644 §4).');
}

export function discoveryRoutes(features: ServiceProviderFeatures) {
  return (app: FastifyInstance) => {
    const serviceProviderConfig = async (req: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply) => {
      refuseFilter(req.query);
      return sendResource(reply, 200, buildServiceProviderConfig(features, `${req.scimBaseUrl()}/ServiceProviderConfig`));
    };
    app.get('/ServiceProviderConfig', serviceProviderConfig);
    // Microsoft's SCIM test collection asks for /serviceConfiguration (conformance README).
    app.get('/serviceConfiguration', serviceProviderConfig);

    app.get<{ Querystring: Query }>('/Schemas', async (req, reply) => {
      refuseFilter(req.query);
      const all = SCHEMA_DEFS.map((s) => toSchemaResource(s, { baseUrl: req.scimBaseUrl() }));
      return sendResource(reply, 200, toListResponse(all.length, 1, all));
    });
    app.get<{ Params: { id: string } }>('/Schemas/:id', async (req, reply) => {
      const schema = getSchemaDef(req.params.id);
      if (!schema) throw ScimError.notFound(`No schema "${req.params.id}".`);
      return sendResource(reply, 200, toSchemaResource(schema, { baseUrl: req.scimBaseUrl() }));
    });
    app.get<{ Querystring: Query }>('/ResourceTypes', async (req, reply) => {
      refuseFilter(req.query);
      const all = RESOURCE_TYPES.map((rt) => toResourceTypeResource(rt, { baseUrl: req.scimBaseUrl() }));
      return sendResource(reply, 200, toListResponse(all.length, 1, all));
    });
    app.get<{ Params: { name: string } }>('/ResourceTypes/:name', async (req, reply) => {
      const rt = RESOURCE_TYPES.find((r) => r.name.toLowerCase() === req.params.name.toLowerCase());
      if (!rt) throw ScimError.notFound(`No resource type "${req.params.name}".`);
      return sendResource(reply, 200, toResourceTypeResource(rt, { baseUrl: req.scimBaseUrl() }));
    });
  };
}
