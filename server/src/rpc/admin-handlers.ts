/** AdminService over gRPC: what the admin page shows besides tokens and status. */
import type { AdminServiceServer, AuditEvent } from '../gen/mailcow/scim/v1/admin.js';
import type { Logger } from '../logging.js';
import { describeLoginSetup, type IdentityProviderSettings } from '../login-routing/index.js';
import { ScimError } from '../scim/index.js';
import { unary } from './unary.js';
import { adopt, planAdoption, type AdoptionRpcDeps } from './adoption-handlers.js';
import type { StoredAuditEvent as AuditEventRecord } from '../audit/index.js';
import type { GroupService, StoredGroup } from '../groups/index.js';
import type { TokenService } from '../tokens/index.js';
import type { ScimGroup } from '../gen/mailcow/scim/v1/admin.js';


/** The reads behind AdminService (mailcow/admin-catalog.ts `createAdminReads`). */
export interface AdminReads {
  identityProvider(): Promise<IdentityProviderSettings>;
  countScimMailboxes(): Promise<number>;
  listEvents(q: { limit: number; beforeId: number; tokenId: string | null }): Promise<AuditEventRecord[]>;
  listMailboxTemplates(): Promise<{ id: number; name: string }[]>;
  listDomains(): Promise<{ name: string; active: boolean }[]>;
}

const DEFAULT_EVENT_PAGE = 50;
const MAX_EVENT_PAGE = 500;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function eventToProto(e: AuditEventRecord): AuditEvent {
  return {
    id: e.id,
    at: e.at,
    tokenId: e.tokenId ?? '',
    requestId: e.requestId ?? '',
    operation: e.operation,
    resourceType: e.resourceType ?? '',
    resourceId: e.resourceId ?? '',
    mailbox: e.mailbox ?? '',
    outcome: e.outcome,
    status: e.status ?? 0,
    detail: e.detail ?? '',
    clientIp: e.clientIp ?? '',
  };
}

/** What the read-only Groups view reads through: the Groups use case, as the token's caller. */
export interface GroupViewDeps {
  groups: GroupService;
  tokens: TokenService;
}

const DEFAULT_GROUP_PAGE = 50;

function groupToProto(g: StoredGroup): ScimGroup {
  return {
    id: g.id,
    displayName: g.displayName,
    externalId: g.externalId ?? '',
    address: g.address ?? '',
    addressSource: g.addressSource ?? '',
    aliasActive: g.aliasActive,
    members: (g.members ?? []).map((m) => ({ id: m.value, display: m.display })),
    lastModified: g.lastModified,
  };
}

export function adminHandlers(reads: AdminReads, logger: Logger, adoption: AdoptionRpcDeps, groupView: GroupViewDeps): AdminServiceServer {
  return {
    getLoginSetup: unary(logger, 'GetLoginSetup', async () => {
      const [idp, scimMailboxes] = await Promise.all([reads.identityProvider(), reads.countScimMailboxes()]);
      const setup = describeLoginSetup(idp, scimMailboxes);
      return {
        identityProvider: setup.identityProvider,
        identityProviderComplete: setup.complete,
        passwordLogin: setup.passwordLogin,
        ssoLogin: setup.ssoLogin,
        loginProvisioning: idp.kind !== null && idp.loginProvisioning,
        importUsers: idp.importUsers,
        periodicSync: idp.periodicSync,
        scimMailboxes,
        summary: setup.summary,
        warnings: setup.warnings,
      };
    }),
    listEvents: unary(logger, 'ListEvents', async (req) => {
      if (req.limit < 0 || req.limit > MAX_EVENT_PAGE) throw ScimError.invalidValue(`limit must be from 1 to ${MAX_EVENT_PAGE} (0 = ${DEFAULT_EVENT_PAGE})`);
      if (req.beforeId < 0) throw ScimError.invalidValue('before_id must not be negative');
      if (req.tokenId && !UUID_RE.test(req.tokenId)) throw ScimError.invalidValue('token_id must be a token id (UUID)');
      const limit = req.limit || DEFAULT_EVENT_PAGE;
      // One more than asked tells whether another page exists.
      const rows = await reads.listEvents({ limit: limit + 1, beforeId: req.beforeId, tokenId: req.tokenId || null });
      const page = rows.slice(0, limit);
      return { events: page.map(eventToProto), nextBeforeId: rows.length > limit ? page[page.length - 1]!.id : 0 };
    }),
    listMailboxTemplates: unary(logger, 'ListMailboxTemplates', async () => ({ templates: await reads.listMailboxTemplates() })),
    listDomains: unary(logger, 'ListDomains', async () => ({ domains: await reads.listDomains() })),
    planAdoption: unary(logger, 'PlanAdoption', (req) => planAdoption(adoption, req)),
    adopt: unary(logger, 'Adopt', (req) => adopt(adoption, req)),
    listGroups: unary(logger, 'ListGroups', async (req) => {
      if (!req.tokenId) throw ScimError.invalidValue('token_id is required');
      if (req.startIndex < 0 || req.count < 0) throw ScimError.invalidValue('start_index and count must not be negative');
      // A revoked token's groups stay in mailcow: the view shows them as they are.
      const token = await groupView.tokens.get(req.tokenId);
      const startIndex = req.startIndex || 1;
      const page = await groupView.groups.list(
        { token, requestId: 'admin-page', clientIp: null },
        { startIndex, count: req.count || DEFAULT_GROUP_PAGE, sortBy: 'displayName' },
      );
      const next = startIndex + page.items.length;
      return { groups: page.items.map(groupToProto), totalResults: page.total, nextStartIndex: page.items.length > 0 && next <= page.total ? next : 0 };
    }),
  };
}
