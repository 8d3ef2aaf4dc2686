/** LoginService over gRPC: proto messages <-> login-routing decisions (docs/architecture.md §6). */
import {
  LoginDenyReason as ProtoDenyReason,
  LoginFlow as ProtoFlow,
  LoginRoute as ProtoRoute,
  type LoginServiceServer,
  type RouteLoginResponse,
} from '../gen/mailcow/scim/v1/login.js';
import type { Logger } from '../logging.js';
import { decideLogin, type LoginDecision, type LoginDenyReason, type LoginFactsSource, type LoginRoute } from '../login-routing/index.js';
import { unary } from './unary.js';

const ROUTES: Record<LoginRoute, ProtoRoute> = {
  ldap: ProtoRoute.LOGIN_ROUTE_LDAP,
  'keycloak-password': ProtoRoute.LOGIN_ROUTE_KEYCLOAK_PASSWORD,
  'sso-only': ProtoRoute.LOGIN_ROUTE_SSO_ONLY,
  sso: ProtoRoute.LOGIN_ROUTE_SSO,
  deny: ProtoRoute.LOGIN_ROUTE_DENY,
};

const DENY_REASONS: Record<LoginDenyReason, ProtoDenyReason> = {
  'no-identity-provider': ProtoDenyReason.LOGIN_DENY_REASON_NO_IDENTITY_PROVIDER,
  'identity-provider-incomplete': ProtoDenyReason.LOGIN_DENY_REASON_IDENTITY_PROVIDER_INCOMPLETE,
  'unknown-mailbox': ProtoDenyReason.LOGIN_DENY_REASON_UNKNOWN_MAILBOX,
  'not-scim': ProtoDenyReason.LOGIN_DENY_REASON_NOT_SCIM,
  'mailbox-inactive': ProtoDenyReason.LOGIN_DENY_REASON_MAILBOX_INACTIVE,
  'login-disabled': ProtoDenyReason.LOGIN_DENY_REASON_LOGIN_DISABLED,
  'domain-inactive': ProtoDenyReason.LOGIN_DENY_REASON_DOMAIN_INACTIVE,
  'service-disabled': ProtoDenyReason.LOGIN_DENY_REASON_SERVICE_DISABLED,
  'no-sso': ProtoDenyReason.LOGIN_DENY_REASON_NO_SSO,
  'sso-required': ProtoDenyReason.LOGIN_DENY_REASON_SSO_REQUIRED,
};

function decisionToProto(d: LoginDecision): RouteLoginResponse {
  return {
    route: ROUTES[d.route],
    denyReason: d.denyReason ? DENY_REASONS[d.denyReason] : ProtoDenyReason.LOGIN_DENY_REASON_UNSPECIFIED,
    userMessage: d.userMessage,
    logMessage: d.logMessage,
    identityProvider: d.identityProvider,
    mailbox: d.mailbox ?? '',
  };
}

export function loginHandlers(source: LoginFactsSource, logger: Logger): LoginServiceServer {
  return {
    routeLogin: unary(logger, 'RouteLogin', async (req, log) => {
      const decision = await decideLogin(source, {
        username: req.username,
        service: req.service,
        flow: req.flow === ProtoFlow.LOGIN_FLOW_SSO ? 'sso' : 'password',
      });
      // A login decision is worth a line: it is what an admin looks for when a user cannot sign in.
      log.info({ route: decision.route, reason: decision.denyReason, mailbox: decision.mailbox }, decision.logMessage);
      return decisionToProto(decision);
    }),
  };
}
