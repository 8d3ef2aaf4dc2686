/**
 * Bulk adoption (issue 13, "moving a whole mailcow over"): plan, then hand over, many existing
 * mailboxes to one token. Both walk the selection in address order, a page at a time, so the
 * CLI, the admin page (AdminService PlanAdoption / Adopt) and a re-run after an interruption see
 * the same mailboxes in the same order. Each mailbox is its own transaction and every step is
 * idempotent: a mailbox already handed over plans as "skip", so running the same adoption again
 * resumes where it stopped.
 */
import { ScimError } from '../scim/index.js';
import { describeLoginSetup, type IdentityProviderSettings } from '../login-routing/index.js';
import type { TokenRecord } from '../tokens/index.js';
import { compileMailboxFilter } from './mailbox-filter.js';
import { addToSummary, emptySummary, planMailbox, type AdoptionEntry, type AdoptionSummary } from './plan.js';
import type { AdoptionCandidate, AdoptionStore } from './ports.js';
import { normalizeSelection, type AdoptionSelection } from './selection.js';

export interface AdoptionServiceDeps {
  store: AdoptionStore;
  /** mailcow's identity provider settings, which decide every adopted mailbox's login route. */
  identityProvider(): Promise<IdentityProviderSettings>;
}

export interface PageRequest {
  /** Mailboxes per page (1 to MAX_PAGE_SIZE; default DEFAULT_PAGE_SIZE). */
  pageSize?: number;
  /** The nextPageToken of the previous page ('' or absent: from the start). */
  pageToken?: string;
}

export interface PlanPage {
  entries: AdoptionEntry[];
  summary: AdoptionSummary;
  /** '' when this was the last page. */
  nextPageToken: string;
}

export type AdoptionResultOutcome = 'adopted' | 'unchanged' | 'skipped' | 'refused' | 'failed';

export interface AdoptionResult {
  address: string;
  outcome: AdoptionResultOutcome;
  /** Why it was unchanged, skipped, refused or failed. */
  detail: string;
  /** The plan the step followed (what changed, the login route, conflicts). */
  entry: AdoptionEntry;
}

export interface ExecutePage {
  results: AdoptionResult[];
  counts: Record<AdoptionResultOutcome, number>;
  nextPageToken: string;
  /** The signal stopped the page early (the mailboxes in `results` were done). */
  stopped: boolean;
}

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 500;
/** With a filter that rarely matches, one page reads at most this many store pages before it returns. */
const MAX_SCANS_PER_PAGE = 20;

function encodeToken(after: string): string {
  return after ? Buffer.from(JSON.stringify({ v: 1, after }), 'utf8').toString('base64url') : '';
}

function decodeToken(token: string | undefined): string {
  if (!token) return '';
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: number; after?: unknown };
    if (parsed.v === 1 && typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through to the error below
  }
  throw ScimError.invalidValue('page_token is not one this service issued; start again without it.');
}

function pageSizeOf(req: PageRequest): number {
  const size = req.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) throw ScimError.invalidValue(`page size must be from 1 to ${MAX_PAGE_SIZE}`);
  return size || DEFAULT_PAGE_SIZE;
}

export class AdoptionService {
  constructor(private readonly deps: AdoptionServiceDeps) {}

  /** Checks the selection against the token (and the filter's syntax) before anything is read. */
  select(input: Partial<AdoptionSelection>, token: TokenRecord): AdoptionSelection {
    if (!token.active || token.revokedAt) throw ScimError.invalidValue(`Token "${token.name}" is disabled or revoked.`);
    const selection = normalizeSelection(input, token);
    compileMailboxFilter(selection.filter);
    return selection;
  }

  /** How SCIM mailboxes sign in under mailcow's current identity provider, in one sentence. */
  async loginSummary(): Promise<string> {
    return describeLoginSetup(await this.deps.identityProvider(), 0).summary;
  }

  /** One page of the dry run. Writes nothing. */
  async planPage(selection: AdoptionSelection, token: TokenRecord, req: PageRequest = {}): Promise<PlanPage> {
    const { entries, nextAfter } = await this.entries(selection, token, pageSizeOf(req), decodeToken(req.pageToken));
    return { entries, summary: entries.reduce(addToSummary, emptySummary()), nextPageToken: encodeToken(nextAfter) };
  }

  /**
   * Hands over the page's mailboxes that plan as "adopt", one transaction each, and reports every
   * mailbox of the page. A mailbox the store refuses (changed since the plan) is reported and the
   * page goes on; a database failure stops it (run it again: what was done plans as "skip").
   * With `signal` aborted it stops before the next mailbox.
   */
  async executePage(
    selection: AdoptionSelection,
    token: TokenRecord,
    req: PageRequest = {},
    onResult?: (r: AdoptionResult) => void,
    signal?: AbortSignal,
  ): Promise<ExecutePage> {
    const { entries, nextAfter } = await this.entries(selection, token, pageSizeOf(req), decodeToken(req.pageToken));
    const results: AdoptionResult[] = [];
    const counts: Record<AdoptionResultOutcome, number> = { adopted: 0, unchanged: 0, skipped: 0, refused: 0, failed: 0 };
    for (const entry of entries) {
      // Stopped (Ctrl-C): finish nothing half-way; the next page starts after the last mailbox done.
      if (signal?.aborted) return { results, counts, nextPageToken: req.pageToken ?? '', stopped: true, ...(results.length ? { nextPageToken: encodeToken(results.at(-1)!.address) } : {}) };
      let result: AdoptionResult;
      if (entry.action === 'skip') result = { address: entry.address, outcome: 'skipped', detail: entry.reason ?? '', entry };
      else if (entry.action === 'refuse') result = { address: entry.address, outcome: 'refused', detail: entry.reason ?? '', entry };
      else {
        try {
          const done = await this.deps.store.adopt(entry.address, token, { moveFromOtherToken: movesOwned(selection) });
          result =
            done.outcome === 'adopted'
              ? { address: entry.address, outcome: 'adopted', detail: entry.changes.join('; '), entry }
              : { address: entry.address, outcome: 'unchanged', detail: done.reason, entry };
        } catch (e) {
          if (!(e instanceof ScimError) || e.status >= 500) throw e;
          result = { address: entry.address, outcome: 'failed', detail: e.detail, entry };
        }
      }
      counts[result.outcome]++;
      results.push(result);
      onResult?.(result);
    }
    return { results, counts, nextPageToken: encodeToken(nextAfter), stopped: false };
  }

  private async entries(selection: AdoptionSelection, token: TokenRecord, size: number, after: string): Promise<{ entries: AdoptionEntry[]; nextAfter: string }> {
    const matches = compileMailboxFilter(selection.filter);
    const idp = await this.deps.identityProvider();
    const ctx = { token, idp, moveFromOtherTokens: movesOwned(selection) };
    const entries: AdoptionEntry[] = [];
    let cursor = after;
    for (let scan = 0; scan < MAX_SCANS_PER_PAGE && entries.length < size; scan++) {
      const want = size - entries.length;
      const batch = await this.read(selection, cursor, want);
      for (const c of batch) if (matches(c)) entries.push(planMailbox(c, ctx));
      if (batch.length < want) return { entries, nextAfter: '' };
      cursor = batch[batch.length - 1]!.address;
    }
    return { entries, nextAfter: cursor };
  }

  /**
   * Named addresses that do not exist are entries too ("refuse: no such mailbox"), so a typo in a
   * --from file is reported rather than silently dropped.
   */
  private async read(selection: AdoptionSelection, after: string, limit: number): Promise<AdoptionCandidate[]> {
    if (!selection.addresses.length) return this.deps.store.listDomains(selection.domains, after, limit);
    const wanted = selection.addresses.filter((a) => a > after).slice(0, limit);
    const found = new Map((await this.deps.store.listAddresses(wanted)).map((c) => [c.address, c]));
    return wanted.map((a) => found.get(a) ?? missingMailbox(a));
  }
}

/** Naming a mailbox is the intent to move it; a domain or filter selection moves only with the flag. */
function movesOwned(selection: AdoptionSelection): boolean {
  return selection.moveFromOtherTokens || selection.addresses.length > 0;
}

/** A named address with no mailbox: planned as a refusal. */
function missingMailbox(address: string): AdoptionCandidate {
  return { missing: true, address, domain: address.split('@')[1] ?? '', name: '', kind: '', active: 0, domainActive: 0, authsource: null, attributes: {}, quotaBytes: 0, tags: [], link: null, aliases: [] };
}
