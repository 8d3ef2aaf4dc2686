/** TokenService over gRPC: proto messages <-> tokens/ use cases. */
import type { Logger } from '../logging.js';
import {
  DeactivateMode,
  DeleteMode,
  QuotaSource,
  type Token,
  type TokenPolicy as ProtoPolicy,
  type TokenServiceServer,
} from '../gen/mailcow/scim/v1/token.js';
import type { TokenPolicy, TokenRecord, TokenService } from '../tokens/index.js';
import { unary } from './unary.js';

const QUOTA_SOURCES: Record<TokenPolicy['quotaSource'], QuotaSource> = {
  form: QuotaSource.QUOTA_SOURCE_FORM,
  domain: QuotaSource.QUOTA_SOURCE_DOMAIN,
  template: QuotaSource.QUOTA_SOURCE_TEMPLATE,
};

function policyToProto(p: TokenPolicy): ProtoPolicy {
  return {
    domains: p.domains,
    defaultDomain: p.defaultDomain ?? '',
    defaultTemplate: p.defaultTemplate ?? '',
    templateRules: p.templateRules.map((r) => ({ filter: r.filter, template: r.template })),
    onDeactivate: p.onDeactivate === 0 ? DeactivateMode.DEACTIVATE_MODE_INACTIVE : DeactivateMode.DEACTIVATE_MODE_DISALLOW_LOGIN,
    onDelete: p.onDelete === 'delete' ? DeleteMode.DELETE_MODE_DELETE : DeleteMode.DELETE_MODE_DEACTIVATE,
    aliasSync: p.aliasSync,
    ipAllowList: p.ipAllowList,
    groupAddressFromName: p.groupAddressFromName,
    groupSenderAcl: p.groupSenderAcl,
    quotaSource: QUOTA_SOURCES[p.quotaSource],
    eventRetentionDays: p.eventRetentionDays,
  };
}

/** A proto policy as the input buildPolicy() validates; unspecified enums take the defaults. */
function policyFromProto(p: ProtoPolicy | undefined): Record<string, unknown> {
  if (!p) return {};
  return {
    domains: p.domains,
    defaultDomain: p.defaultDomain || null,
    defaultTemplate: p.defaultTemplate || null,
    templateRules: p.templateRules.map((r) => ({ filter: r.filter, template: r.template })),
    onDeactivate: p.onDeactivate === DeactivateMode.DEACTIVATE_MODE_INACTIVE ? 0 : 2,
    onDelete: p.onDelete === DeleteMode.DELETE_MODE_DELETE ? 'delete' : 'deactivate',
    aliasSync: p.aliasSync,
    ipAllowList: p.ipAllowList,
    groupAddressFromName: p.groupAddressFromName,
    groupSenderAcl: p.groupSenderAcl,
    quotaSource: p.quotaSource === QuotaSource.QUOTA_SOURCE_TEMPLATE ? 'template' : p.quotaSource === QuotaSource.QUOTA_SOURCE_DOMAIN ? 'domain' : 'form',
    ...(p.eventRetentionDays ? { eventRetentionDays: p.eventRetentionDays } : {}),
  };
}

function tokenToProto(t: TokenRecord): Token {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    active: t.active && !t.revokedAt,
    policy: policyToProto(t.policy),
    createdAt: t.createdAt,
    lastUsedAt: t.lastUsedAt ?? '',
    lastUsedIp: t.lastUsedIp ?? '',
    revokedAt: t.revokedAt ?? '',
  };
}

export function tokenHandlers(service: TokenService, logger: Logger): TokenServiceServer {
  return {
    createToken: unary(logger, 'CreateToken', async (req) => {
      const issued = await service.create(req.name, policyFromProto(req.policy));
      return { token: tokenToProto(issued.token), secret: issued.secret };
    }),
    listTokens: unary(logger, 'ListTokens', async (req) => ({
      tokens: (await service.list(req.includeRevoked)).map(tokenToProto),
    })),
    getToken: unary(logger, 'GetToken', async (req) => ({ token: tokenToProto(await service.get(req.id)) })),
    updateToken: unary(logger, 'UpdateToken', async (req) => ({
      token: tokenToProto(
        await service.update(req.id, {
          name: req.name,
          active: req.active,
          policy: req.policy ? policyFromProto(req.policy) : undefined,
          replacePolicy: true,
        }),
      ),
    })),
    rotateToken: unary(logger, 'RotateToken', async (req) => {
      const issued = await service.rotate(req.id);
      return { token: tokenToProto(issued.token), secret: issued.secret };
    }),
    revokeToken: unary(logger, 'RevokeToken', async (req) => ({ token: tokenToProto(await service.revoke(req.id)) })),
  };
}
