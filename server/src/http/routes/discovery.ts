/**
 * Discovery endpoints (RFC 7644 §4): readable without a token, they expose no personal data.
 * §4 says list parameters (startIndex, count, sortBy, attributes…) "SHALL be ignored" here, so
 * every list is whole and in one order; a filter gets 403, so that no client takes a match for
 * granted.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { buildServiceProviderConfig, ScimError, type ServiceProviderFeatures } from '../../scim/index.js';
import { toListResponse } from '../../scim/list-params.js';
import {
  getPublishedSchemaDef,
  PUBLISHED_SCHEMA_DEFS,
  RESOURCE_TYPES,
  toResourceTypeResource,
  toSchemaResource,
} from '../../scim/schema/index.js';
import { sendResource } from './resource-reply.js';

type Query = Record<string, string | undefined>;

/** RFC 7644 §4: discovery endpoints do not filter; a filter gets 403. */
function refuseFilter(q: Query): void {
  if (q.filter !== undefined) throw ScimError.forbidden('Discovery endpoints do not support filtering (RFC 7644 §4).');
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
      const all = PUBLISHED_SCHEMA_DEFS.map((s) => toSchemaResource(s, { baseUrl: req.scimBaseUrl() }));
      return sendResource(reply, 200, toListResponse(all.length, 1, all));
    });
    app.get<{ Params: { id: string }; Querystring: Query }>('/Schemas/:id', async (req, reply) => {
      refuseFilter(req.query);
      const schema = getPublishedSchemaDef(req.params.id);
      if (!schema) throw ScimError.notFound(`No schema "${req.params.id}".`);
      return sendResource(reply, 200, toSchemaResource(schema, { baseUrl: req.scimBaseUrl() }));
    });
    app.get<{ Querystring: Query }>('/ResourceTypes', async (req, reply) => {
      refuseFilter(req.query);
      const all = RESOURCE_TYPES.map((rt) => toResourceTypeResource(rt, { baseUrl: req.scimBaseUrl() }));
      return sendResource(reply, 200, toListResponse(all.length, 1, all));
    });
    app.get<{ Params: { name: string }; Querystring: Query }>('/ResourceTypes/:name', async (req, reply) => {
      refuseFilter(req.query);
      const rt = RESOURCE_TYPES.find((r) => r.name.toLowerCase() === req.params.name.toLowerCase());
      if (!rt) throw ScimError.notFound(`No resource type "${req.params.name}".`);
      return sendResource(reply, 200, toResourceTypeResource(rt, { baseUrl: req.scimBaseUrl() }));
    });
  };
}
