/**
 * The SCIM HTTP surface (RFC 7644 §3) on fastify: media types, body limit, bearer auth with
 * the token's IP allow-list, the in-flight bounds, error bodies, the small protocol answers
 * (OPTIONS, 405, /Me) and the routes. It knows no SQL: routes call the core's use cases.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../logging.js';
import { ScimError } from '../scim/index.js';
import { isAllowedByList, type TokenService } from '../tokens/index.js';
import { AllowedMethods } from './allowed-methods.js';
import { resolveClientIp } from './client-ip.js';
import { answerClientError, sendScimError, toScimError } from './error-response.js';
import { InFlightLimiter, type InFlightLimits } from './in-flight.js';
import { lingerOnIncompleteBody } from './linger.js';
import { QueuedRequests } from './queued-requests.js';
import { decodeScimJsonBody } from './scim-json-body.js';
import './request-context.js';

const SCIM_BASE_PATH = '/scim/v2';

interface HttpSettings {
  maxBodyBytes: number;
  trustedProxies: readonly string[];
  publicBaseUrl?: string;
}

/** A group of SCIM routes; `authenticated` ones run after the bearer check. */
export type RouteModule = (app: FastifyInstance) => void;

/** A bearer credential refused: a secret no active token has, or a token used from an address its allow-list refuses. */
export interface AuthRefusal {
  reason: 'invalid_token' | 'address_not_allowed';
  /** The client's address as the allow-list saw it (nginx's X-Real-IP on the socket). */
  clientIp: string | null;
  /** With address_not_allowed: the token that was used. */
  tokenId?: string;
}

export interface HttpAppDeps {
  settings: HttpSettings;
  logger: Logger;
  tokens: TokenService;
  /** Discovery routes that need no token (RFC 7644 §4 lets a provider choose). */
  publicRoutes: RouteModule[];
  /** Routes behind the bearer token. */
  routes: RouteModule[];
  /** Bounds on the requests worked on at once (429 past them); unbounded without. */
  inFlight?: InFlightLimiter | InFlightLimits;
  /** Told of every refused bearer credential (mailcow's netfilter bans the address). Must not throw. */
  onAuthRefused?: (refusal: AuthRefusal) => void;
  /** Called once per request with its outcome, for metrics. */
  onResponse?: (req: FastifyRequest, statusCode: number, ms: number) => void;
}

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,64}$/;

function causeText(cause: unknown): string | undefined {
  return cause instanceof Error ? cause.message : cause === undefined ? undefined : String(cause);
}

function pathOf(req: FastifyRequest): string {
  return req.url.split('?')[0] ?? '/';
}

/** The schema compilers of an app whose routes have no schemas: a route with one fails at ready(). */
function refuseRouteSchemas(): (route: { method?: string; url?: string }) => never {
  return (route) => {
    throw new Error(`route ${route.method} ${route.url} declares a fastify schema; this app checks bodies itself (scim-json-body.ts) and loads no schema compiler`);
  };
}

export async function buildHttpApp(deps: HttpAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ surface: 'http' }) as unknown as FastifyBaseLogger,
    // One access line per request is written in onResponse, with our own fields.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.settings.maxBodyBytes,
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    // fastify's own 503 while closing is its JSON; ours is a SCIM body (the onRequest hook below).
    return503OnClosing: false,
    // Errors the router raises before any route (a malformed percent-encoding…) get our body too.
    frameworkErrors: (error, req, reply) => answerError(error, req, reply),
    clientErrorHandler: answerClientError,
    // No route declares a fastify schema: bodies are parsed and checked by scim-json-body.ts
    // and the SCIM core. fastify's default compilers would load ajv and fast-json-stringify
    // (113 modules) into the sidecar's heap for nothing; these refuse a schema at start-up
    // instead of leaving it unchecked (tests/integration/foundation/serve-modules.test.ts).
    schemaController: { compilersFactory: { buildValidator: refuseRouteSchemas, buildSerializer: refuseRouteSchemas } },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
    },
  });

  const answerError = (error: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const scim = toScimError(error);
    if (scim.status >= 500 && scim.status !== 503) req.log.error({ err: scim.cause ?? scim, code: scim.code, status: scim.status }, 'request failed');
    // An outage: what the driver said (host, port) is for the log only.
    else if (scim.status === 503) req.log.warn({ code: scim.code, detail: scim.detail, cause: causeText(scim.cause) }, 'request unavailable');
    else req.log.info({ code: scim.code, status: scim.status, scimType: scim.scimType, detail: scim.detail }, 'request refused');
    return sendScimError(reply, scim);
  };

  // SCIM clients send application/scim+json; many send application/json. Both are JSON, and
  // nothing else is a SCIM body (fastify's text/plain parser would hand a string to the use cases).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/scim+json'], { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, decodeScimJsonBody(body as Buffer));
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  app.decorateRequest('scimCaller', undefined);
  app.decorateRequest('clientIp', null);

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  const queued = new QueuedRequests();

  // The hooks every request runs take fastify's callback form where they do not wait on
  // anything: an async hook costs each request a promise and a turn of the microtask queue.
  app.addHook('onRequest', (req, reply, done) => {
    queued.track(req.raw, reply.raw);
    req.clientIp = resolveClientIp(req.raw, deps.settings.trustedProxies);
    reply.header('x-request-id', req.id);
    if (closing) {
      reply.header('connection', 'close');
      done(new ScimError('shutting_down', 'This server is shutting down; try again shortly.', { retryAfter: 1 }));
      return;
    }
    done();
  });

  // An answer given before the body has arrived (413, 415, 401…) must reach a client that is
  // still sending it: the connection is closed only after the rest is read (linger.ts).
  app.addHook('onSend', (req, reply, payload, done) => {
    // A request already in progress when close() began closes its connection (queued-requests.ts).
    if (closing && queued.isLastOnConnection(req.raw)) reply.header('connection', 'close');
    lingerOnIncompleteBody(req.raw);
    done(null, payload);
  });

  app.setErrorHandler((error, req, reply) => answerError(error, req, reply));

  const allowed = new AllowedMethods();
  app.addHook('onRoute', allowed.onRoute);

  app.setNotFoundHandler((req, reply) => {
    const methods = allowed.of(pathOf(req));
    if (methods.length === 0) return sendScimError(reply, new ScimError('no_endpoint', `No SCIM endpoint at ${req.method} ${pathOf(req)}.`));
    const allow = [...methods, 'OPTIONS'].join(', ');
    if (req.method === 'OPTIONS') return reply.code(204).header('allow', allow).send();
    reply.header('allow', allow);
    return sendScimError(reply, new ScimError('method_not_allowed', `${pathOf(req)} does not answer ${req.method}; it answers ${allow}.`));
  });

  app.addHook('onResponse', (req, reply, done) => {
    const ms = reply.elapsedTime;
    req.log.info({ method: req.method, url: pathOf(req), status: reply.statusCode, ms: Math.round(ms), ip: req.clientIp }, 'request');
    deps.onResponse?.(req, reply.statusCode, ms);
    done();
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

  const limiter = deps.inFlight === undefined || deps.inFlight instanceof InFlightLimiter ? deps.inFlight : new InFlightLimiter(deps.inFlight);
  const refused = (refusal: AuthRefusal) => {
    try {
      deps.onAuthRefused?.(refusal);
    } catch {
      // Reporting is best effort; the answer to the client does not depend on it.
    }
  };

  await app.register(
    async (scope) => {
      // RFC 7644 §3.11: a service provider without /Me answers 501.
      scope.all('/Me', async () => {
        throw ScimError.notImplemented('This server does not support /Me: a SCIM token stands for a provisioning client, not a user.');
      });
      scope.all('/Me/*', async () => {
        throw ScimError.notImplemented('This server does not support /Me: a SCIM token stands for a provisioning client, not a user.');
      });
      for (const mod of deps.publicRoutes) mod(scope);
      await scope.register(async (secured) => {
        secured.addHook('onRequest', async (req, reply) => {
          // The slot is freed when the answer is done or the connection is gone, whichever is first.
          if (limiter) reply.raw.once('close', limiter.enter());
          const header = req.headers.authorization;
          const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
          const token = await deps.tokens.authenticate(match?.[1], req.clientIp).catch((e: unknown) => {
            // A credential that was presented and refused is a guess; no header at all is not.
            if (header !== undefined && e instanceof ScimError && e.code === 'unauthorized') refused({ reason: 'invalid_token', clientIp: req.clientIp });
            throw e;
          });
          if (!isAllowedByList(req.clientIp ?? undefined, token.policy.ipAllowList)) {
            refused({ reason: 'address_not_allowed', clientIp: req.clientIp, tokenId: token.id });
            // 403 with no detail about the list itself: the caller learns nothing about it.
            throw new ScimError('address_not_allowed', `This SCIM token may not be used from ${req.clientIp ?? 'an unknown address'}.`);
          }
          if (limiter) reply.raw.once('close', limiter.enterToken(token.id));
          req.scimCaller = { token, clientIp: req.clientIp, requestId: String(req.id), baseUrl: baseUrlOf(req) };
          // fastify gave this request a child logger of its own (app.log's child, with reqId):
          // binding the token id onto it costs less than a second child per request (pino
          // rebuilds every level method of a child). Should the request's logger be the app's
          // own (a logger whose child() returns itself), a child keeps the binding off it.
          if (req.log === app.log) req.log = req.log.child({ tokenId: token.id });
          else (req.log as unknown as Logger).setBindings({ tokenId: token.id });
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
