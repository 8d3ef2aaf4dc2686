/**
 * `mailcow-scim import pr7148`: carries mailcow PR 7148's SCIM provider over (its tokens with
 * their hashes, domain restrictions and default templates, and its externalId → mailbox links),
 * so that the IdP's next sync with its existing bearer token matches every user. A dry run first;
 * the import itself is idempotent (a token whose hash is ours, a mailbox already linked, are
 * skipped), each token and each link its own transaction.
 */
import { randomUUID } from 'node:crypto';
import { ScimError } from '../scim/index.js';
import type { TokenRecord, TokenService } from '../tokens/index.js';
import { planPr7148Import, summarizeImport, type ImportFacts, type ImportPlan, type ImportSummary, type LinkImportEntry, type TokenImportEntry } from './pr7148-plan.js';
import type { Pr7148Source } from './pr7148-source.js';

export interface Pr7148ImportDeps {
  readSource(): Promise<Pr7148Source>;
  readFacts(source: Pr7148Source): Promise<ImportFacts>;
  tokens: TokenService;
  link(l: { mailbox: string; token: TokenRecord; userId: string; externalId: string | null }): Promise<'linked' | 'unchanged'>;
}

type ImportOutcome = 'imported' | 'linked' | 'unchanged' | 'skipped' | 'refused' | 'failed';

export interface ImportStep {
  kind: 'token' | 'link';
  /** The token's description (and #id), or the mailbox. */
  subject: string;
  outcome: ImportOutcome;
  detail: string;
}

export interface ImportReport {
  plan: ImportPlan;
  summary: ImportSummary;
  steps: ImportStep[];
  counts: Record<ImportOutcome, number>;
}

export class Pr7148Importer {
  constructor(private readonly deps: Pr7148ImportDeps) {}

  /** The dry run. Reads only. */
  async plan(): Promise<{ plan: ImportPlan; summary: ImportSummary }> {
    const source = await this.deps.readSource();
    const plan = planPr7148Import(source, await this.deps.readFacts(source));
    return { plan, summary: summarizeImport(plan) };
  }

  /** Plans again (the database may have changed since the dry run) and carries it out. */
  async run(onStep?: (s: ImportStep) => void): Promise<ImportReport> {
    const { plan, summary } = await this.plan();
    const steps: ImportStep[] = [];
    const counts: Record<ImportOutcome, number> = { imported: 0, linked: 0, unchanged: 0, skipped: 0, refused: 0, failed: 0 };
    const step = (s: ImportStep) => {
      steps.push(s);
      counts[s.outcome]++;
      onStep?.(s);
    };
    const ours = new Map<number, TokenRecord>();
    for (const t of plan.tokens) {
      const subject = `#${t.sourceId} "${t.description}"`;
      if (t.action === 'refuse') {
        step({ kind: 'token', subject, outcome: 'refused', detail: t.reason ?? '' });
        continue;
      }
      if (t.action === 'skip') {
        const existing = await this.deps.tokens.findByStoredHash(Buffer.from(t.hash, 'hex'));
        if (existing) ours.set(t.sourceId, existing);
        step({ kind: 'token', subject, outcome: 'skipped', detail: t.reason ?? '' });
        continue;
      }
      try {
        const r = await this.importToken(t);
        ours.set(t.sourceId, r.token);
        step({ kind: 'token', subject, outcome: r.created ? 'imported' : 'unchanged', detail: `token "${r.token.name}" (${r.token.id})` });
      } catch (e) {
        if (!(e instanceof ScimError) || e.status >= 500) throw e;
        step({ kind: 'token', subject, outcome: 'failed', detail: e.detail });
      }
    }
    for (const l of plan.links) await this.runLink(l, ours, step);
    return { plan, summary, steps, counts };
  }

  private importToken(t: TokenImportEntry) {
    return this.deps.tokens.importExisting(t.name, t.policy, {
      hash: Buffer.from(t.hash, 'hex'),
      prefix: `pr7148#${t.sourceId}`,
      active: t.active,
      ...(t.created ? { createdAt: t.created } : {}),
    });
  }

  private async runLink(l: LinkImportEntry, ours: Map<number, TokenRecord>, step: (s: ImportStep) => void): Promise<void> {
    if (l.action !== 'link') {
      step({ kind: 'link', subject: l.mailbox, outcome: l.action === 'skip' ? 'skipped' : 'refused', detail: l.reason ?? '' });
      return;
    }
    const token = l.viaToken === null ? undefined : ours.get(l.viaToken);
    if (!token) {
      step({ kind: 'link', subject: l.mailbox, outcome: 'failed', detail: 'its token was not imported' });
      return;
    }
    try {
      const r = await this.deps.link({ mailbox: l.mailbox, token, userId: l.keptId ?? randomUUID(), externalId: l.externalId });
      step({ kind: 'link', subject: l.mailbox, outcome: r === 'linked' ? 'linked' : 'unchanged', detail: r === 'linked' ? l.matching : 'already linked' });
    } catch (e) {
      if (!(e instanceof ScimError) || e.status >= 500) throw e;
      step({ kind: 'link', subject: l.mailbox, outcome: 'failed', detail: e.detail });
    }
  }
}
