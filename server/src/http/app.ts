/**
 * The SCIM HTTP surface (RFC 7644 §3) on fastify: media types, body limit, bearer auth with
 * the token's IP allow-list, error bodies, and the routes. It knows no SQL: routes call the
 * core's use cases.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from '../logging.js';
import { ScimError } from '../scim/index.js';
import { isAllowedByList, type TokenService } from '../tokens/index.js';
import { resolveClientIp } from './client-ip.js';
import { sendScimError, toScimError, SCIM_CONTENT_TYPE } from './error-response.js';
import { decodeScimJsonBody } from './scim-json-body.js';
import './request-context.js';

export const SCIM_BASE_PATH = '/scim/v2';

export interface HttpSettings {
  maxBodyBytes: number;
  trustedProxies: readonly string[];
  publicBaseUrl?: string;
}

/** A group of SCIM routes; `authenticated` ones run after the bearer check. */
export type RouteModule = (app: FastifyInstance) => void;

export interface HttpAppDeps {
  settings: HttpSettings;
  logger: Logger;
  tokens: TokenService;
  /** Discovery routes that need no token (RFC 7644 §4 lets a provider choose). */
  publicRoutes: RouteModule[];
  /** Routes behind the bearer token. */
  routes: RouteModule[];
  /** Turns adapter errors (an unreachable database…) into ScimErrors before the generic mapping. */
  translateError?: (error: unknown) => unknown;
  /** Called once per request with its outcome, for metrics. */
  onResponse?: (req: FastifyRequest, statusCode: number, ms: number) => void;
}

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,64}$/;

export async function buildHttpApp(deps: HttpAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ surface: 'http' }) as unknown as FastifyBaseLogger,
    // One access line per request is written in onResponse, with our own fields.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.settings.maxBodyBytes,
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    return503OnClosing: true,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
    },
  });

  // SCIM clients send application/scim+json; many send application/json. Both are JSON.
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser(['application/json', 'application/scim+json'], { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, decodeScimJsonBody(body as Buffer));
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  app.decorateRequest('scimCaller', undefined);
  app.decorateRequest('clientIp', null);

  app.addHook('onRequest', async (req, reply) => {
    req.clientIp = resolveClientIp(req.raw, deps.settings.trustedProxies);
    reply.header('x-request-id', req.id);
  });

  app.setErrorHandler((error, req, reply) => {
    const scim = toScimError(deps.translateError ? deps.translateError(error) : error);
    if (scim.status >= 500) req.log.error({ err: scim.cause ?? scim, status: scim.status }, 'request failed');
    else req.log.info({ status: scim.status, scimType: scim.scimType, detail: scim.detail }, 'request refused');
    return sendScimError(reply, scim);
  });

  app.setNotFoundHandler((req, reply) =>
    sendScimError(reply, ScimError.notFound(`No SCIM endpoint at ${req.method} ${req.url.split('?')[0]}.`)),
  );

  app.addHook('onResponse', async (req, reply) => {
    const ms = reply.elapsedTime;
    req.log.info({ method: req.method, url: req.url.split('?')[0], status: reply.statusCode, ms: Math.round(ms), ip: req.clientIp }, 'request');
    deps.onResponse?.(req, reply.statusCode, ms);
  });

  const baseUrlOf = (req: FastifyRequest): string => {
    if (deps.settings.publicBaseUrl) return deps.settings.publicBaseUrl;
    const proto = (req.headers['x-forwarded-proto'] as string | undefined)?.split(',')[0]?.trim() || 'http';
    const host = req.headers['x-forwarded-host'] ?? req.headers.host ?? 'localhost';
    return `${proto}://${host}${SCIM_BASE_PATH}`;
  };
  app.decorateRequest('scimBaseUrl', function (this: FastifyRequest) {
    return baseUrlOf(this);
  });

  await app.register(
    async (scope) => {
      for (const mod of deps.publicRoutes) mod(scope);
      await scope.register(async (secured) => {
        secured.addHook('onRequest', async (req) => {
          const header = req.headers.authorization;
          const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
          const token = await deps.tokens.authenticate(match?.[1], req.clientIp);
          if (!isAllowedByList(req.clientIp ?? undefined, token.policy.ipAllowList)) {
            // 403 with no detail about the list itself: the caller learns nothing about it.
            throw ScimError.forbidden(`This SCIM token may not be used from ${req.clientIp ?? 'an unknown address'}.`);
          }
          req.scimCaller = { token, clientIp: req.clientIp, requestId: String(req.id), baseUrl: baseUrlOf(req) };
          req.log = req.log.child({ tokenId: token.id });
        });
        for (const mod of deps.routes) mod(secured);
      });
    },
    { prefix: SCIM_BASE_PATH },
  );

  return app;
}

declare module 'fastify' {
  interface FastifyRequest {
    scimBaseUrl(): string;
  }
}

/** Sends a SCIM resource as application/scim+json with an optional ETag and Location. */
export function scimJson(status: number, body: unknown, headers: Record<string, string> = {}) {
  return { status, body, headers: { 'content-type': SCIM_CONTENT_TYPE, ...headers } };
}
