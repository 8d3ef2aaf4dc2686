/** AdminService PlanAdoption / Adopt: proto messages <-> the adoption use case (bulk adoption for the admin page). */
import {
  AdoptionAction,
  AdoptionOutcome,
  type AdoptionEntry as ProtoEntry,
  type AdoptionSelection as ProtoSelection,
  type AdoptRequest,
  type AdoptResponse,
  type PlanAdoptionRequest,
  type PlanAdoptionResponse,
} from '../gen/mailcow/scim/v1/admin.js';
import type { AdoptionEntry, AdoptionResultOutcome, AdoptionService, AdoptionSelection } from '../adoption/index.js';
import { ScimError } from '../scim/index.js';
import type { TokenRecord, TokenService } from '../tokens/index.js';

export interface AdoptionRpcDeps {
  adoption: AdoptionService;
  tokens: TokenService;
}

const ACTIONS: Record<AdoptionEntry['action'], AdoptionAction> = {
  adopt: AdoptionAction.ADOPTION_ACTION_ADOPT,
  skip: AdoptionAction.ADOPTION_ACTION_SKIP,
  refuse: AdoptionAction.ADOPTION_ACTION_REFUSE,
};

const OUTCOMES: Record<AdoptionResultOutcome, AdoptionOutcome> = {
  adopted: AdoptionOutcome.ADOPTION_OUTCOME_ADOPTED,
  unchanged: AdoptionOutcome.ADOPTION_OUTCOME_UNCHANGED,
  skipped: AdoptionOutcome.ADOPTION_OUTCOME_SKIPPED,
  refused: AdoptionOutcome.ADOPTION_OUTCOME_REFUSED,
  failed: AdoptionOutcome.ADOPTION_OUTCOME_FAILED,
};

function entryToProto(e: AdoptionEntry): ProtoEntry {
  return {
    address: e.address,
    name: e.name,
    action: ACTIONS[e.action],
    reason: e.reason ?? '',
    authsource: e.authsource,
    changes: e.changes,
    login: e.login
      ? {
          passwordRoute: e.login.passwordRoute,
          ssoRoute: e.login.ssoRoute,
          before: e.login.before,
          after: e.login.after,
          losesPasswordLogin: e.login.losesPasswordLogin,
          onlyAppPasswords: e.login.onlyAppPasswords,
          inactive: e.login.inactive ?? '',
        }
      : undefined,
    conflicts: e.conflicts,
    notes: e.notes,
  };
}

async function selectionOf(deps: AdoptionRpcDeps, s: ProtoSelection | undefined): Promise<{ token: TokenRecord; selection: AdoptionSelection }> {
  if (!s?.tokenId) throw ScimError.invalidValue('selection.token_id is required');
  const token = await deps.tokens.get(s.tokenId);
  const selection = deps.adoption.select({ addresses: s.addresses, domains: s.domains, filter: s.filter, moveFromOtherTokens: s.moveFromOtherTokens }, token);
  return { token, selection };
}

export async function planAdoption(deps: AdoptionRpcDeps, req: PlanAdoptionRequest): Promise<PlanAdoptionResponse> {
  const { token, selection } = await selectionOf(deps, req.selection);
  const [page, loginSummary] = await Promise.all([deps.adoption.planPage(selection, token, { pageSize: req.pageSize, pageToken: req.pageToken }), deps.adoption.loginSummary()]);
  return { entries: page.entries.map(entryToProto), summary: page.summary, nextPageToken: page.nextPageToken, loginSummary };
}

export async function adopt(deps: AdoptionRpcDeps, req: AdoptRequest): Promise<AdoptResponse> {
  const { token, selection } = await selectionOf(deps, req.selection);
  const page = await deps.adoption.executePage(selection, token, { pageSize: req.pageSize, pageToken: req.pageToken });
  return {
    results: page.results.map((r) => ({ address: r.address, outcome: OUTCOMES[r.outcome], detail: r.detail, entry: entryToProto(r.entry) })),
    counts: page.counts,
    nextPageToken: page.nextPageToken,
  };
}
