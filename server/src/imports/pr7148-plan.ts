/**
 * The dry run of an import from mailcow PR 7148 (`mailcow-scim import pr7148`): which of the
 * branch's tokens become ours, with what policy, and which of its externalId → mailbox links
 * become SCIM users, so that the IdP's next sync finds every user instead of creating a duplicate
 * or getting a 409. Pure: the facts about our side come in as data.
 */
import { isValidCidr, normalizeDomain } from '../tokens/index.js';
import type { Pr7148Map, Pr7148Source, Pr7148Token } from './pr7148-source.js';

export interface TokenImportEntry {
  sourceId: number;
  description: string;
  action: 'import' | 'skip' | 'refuse';
  reason?: string;
  /** Our token's name (the description, made unique if another live token has it). */
  name: string;
  /** Set when this hash is already one of our tokens. */
  existingTokenId?: string;
  /** The policy the token gets (input of buildPolicy). */
  policy: { domains: string[]; defaultTemplate: string | null; ipAllowList: string[] };
  active: boolean;
  hash: string;
  created: string | null;
  /** Things that change meaning or cannot be carried over. */
  conflicts: string[];
  notes: string[];
}

export interface LinkImportEntry {
  mailbox: string;
  sourceTokenId: number | null;
  /** The branch token the link goes with (scim_maps.token_id, or the one token of its domain). */
  viaToken: number | null;
  externalId: string | null;
  action: 'link' | 'skip' | 'refuse';
  reason?: string;
  /** The SCIM id the user gets: the branch's scim_id when it can be kept, else null (a new one). */
  keptId: string | null;
  /** How the IdP will find the user after the import, in words. */
  matching: string;
  notes: string[];
}

export interface ImportPlan {
  layout: Pr7148Source['layout'];
  tokens: TokenImportEntry[];
  links: LinkImportEntry[];
}

export interface ImportFacts {
  /** Our mailboxes that the branch's maps name, by username (lower case). */
  mailboxes: Map<string, { domain: string; authsource: string | null; active: number; kind: string }>;
  /** Our tokens by the hex of their SHA-256. */
  tokensByHash: Map<string, { id: string; name: string }>;
  /** Lower-cased names of our live tokens. */
  liveTokenNames: Set<string>;
  /** Domains mailcow has. */
  domains: Set<string>;
  /** Mailbox templates mailcow has. */
  templates: Set<string>;
  /** Our SCIM users by mailbox: who owns it already. */
  links: Map<string, { userId: string; tokenId: string }>;
  /** Our SCIM user ids in use. */
  takenUserIds: Set<string>;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function tokenName(t: Pr7148Token, taken: Set<string>): string {
  const base = t.description.trim().slice(0, 200) || `PR 7148 token ${t.id}`;
  const name = taken.has(base.toLowerCase()) ? `${base} (pr7148 #${t.id})` : base;
  taken.add(name.toLowerCase());
  return name;
}

function planToken(t: Pr7148Token, source: Pr7148Source, facts: ImportFacts, names: Set<string>): TokenImportEntry {
  const hash = t.tokenHash.trim().toLowerCase();
  const existing = facts.tokensByHash.get(hash);
  const entry: TokenImportEntry = {
    sourceId: t.id,
    description: t.description,
    action: 'import',
    name: existing?.name ?? '',
    policy: { domains: [], defaultTemplate: null, ipAllowList: [] },
    active: t.active,
    hash,
    created: t.created,
    conflicts: [],
    notes: [],
  };
  if (!/^[0-9a-f]{64}$/.test(hash)) return { ...entry, action: 'refuse', reason: 'its token_hash is not a hex SHA-256' };
  if (existing) return { ...entry, action: 'skip', reason: `already imported as token "${existing.name}" (${existing.id})`, existingTokenId: existing.id };
  entry.name = tokenName(t, names);
  if (entry.name !== (t.description.trim() || entry.name)) entry.notes.push(`named "${entry.name}": another token is called "${t.description.trim()}"`);

  if (t.domainRestriction) {
    const d = normalizeDomain(t.domainRestriction);
    if (!facts.domains.has(d)) return { ...entry, action: 'refuse', reason: `its domain ${d} is not a mailcow domain` };
    entry.policy.domains = [d];
  } else {
    // The branch's NULL means "every domain"; ours lists domains: those its mailboxes are in.
    const own = source.maps.filter((m) => m.tokenId === t.id).map((m) => facts.mailboxes.get(m.username.toLowerCase())?.domain).filter((d): d is string => !!d);
    entry.policy.domains = [...new Set(own)].sort();
    entry.notes.push(
      entry.policy.domains.length
        ? `managed every domain in PR 7148; here it manages the domains of its mailboxes: ${entry.policy.domains.join(', ')} (add more with mailcow-scim token update "${entry.name}" --domain D …)`
        : `managed every domain in PR 7148 and has no mailboxes: it manages no domain until you add one (mailcow-scim token update "${entry.name}" --domain D)`,
    );
  }

  if (t.defaultTemplate) {
    if (facts.templates.has(t.defaultTemplate)) entry.policy.defaultTemplate = t.defaultTemplate;
    else entry.conflicts.push(`its default template "${t.defaultTemplate}" is not a mailcow mailbox template: new mailboxes get mailcow's first template`);
  }
  if (t.mappers.length) {
    const pairs = t.mappers.map((m, i) => `"${m}" → ${t.templates[i] ?? '?'}`).join(', ');
    entry.conflicts.push(
      `its template mappers (${pairs}) are not carried over: they match the IdP's mailcow_template attribute, which this sidecar's User schema does not keep. ` +
        'Send the template name as urn:ietf:params:scim:schemas:extension:mailcow:2.0:User:template from the IdP, or add template rules (--template-rule) over attributes it sends',
    );
  }

  if (!t.skipIpCheck && t.allowFrom.length) {
    const valid = t.allowFrom.filter((c) => isValidCidr(c));
    const invalid = t.allowFrom.filter((c) => !isValidCidr(c));
    // Dropping every entry would allow any address: refuse rather than widen access.
    if (!valid.length) return { ...entry, action: 'refuse', reason: `its IP allow-list (${invalid.join(', ')}) has no address or CIDR this sidecar can read; importing it would allow every address` };
    entry.policy.ipAllowList = valid;
    if (invalid.length) entry.conflicts.push(`allow-list entries left out (not an address or CIDR): ${invalid.join(', ')}`);
  } else if (t.skipIpCheck && t.allowFrom.length) {
    entry.notes.push('its allow-list was switched off (skip_ip_check): any address, as before');
  }
  if (t.allowClaim === false) {
    entry.notes.push("allow_claim was off: here a create for an unowned 'scim' mailbox always claims it (the mailboxes linked below are owned, so this concerns only others)");
  }
  if (!t.active) entry.notes.push('inactive in PR 7148: imported disabled (mailcow-scim token update … --active true)');
  entry.notes.push("the IdP's bearer token keeps working: the same SHA-256 is stored");
  return entry;
}

function planLink(m: Pr7148Map, tokens: TokenImportEntry[], facts: ImportFacts, seen: Set<string>, usedIds: Set<string>): LinkImportEntry {
  const mailbox = m.username.trim().toLowerCase();
  const base: LinkImportEntry = { mailbox, sourceTokenId: m.tokenId, viaToken: null, externalId: m.externalId, action: 'link', keptId: null, matching: '', notes: [] };
  const refuse = (reason: string): LinkImportEntry => ({ ...base, action: 'refuse', reason });
  if (seen.has(mailbox)) return refuse('mapped twice in scim_maps: the first row is imported');
  seen.add(mailbox);
  const row = facts.mailboxes.get(mailbox);
  if (!row) return refuse(`no mailbox ${mailbox} in mailcow`);
  if (row.kind !== '') return refuse(`a mailcow resource (${row.kind}), not a person's mailbox`);
  if (row.authsource !== 'scim') return refuse(`its authsource is ${row.authsource ?? 'mailcow'}, not scim: not a PR 7148 mailbox any more (adopt it if it should be)`);

  const candidates =
    m.tokenId !== null ? tokens.filter((t) => t.sourceId === m.tokenId) : tokens.filter((t) => t.action !== 'refuse' && t.policy.domains.includes(row.domain));
  if (m.tokenId !== null && !candidates.length) return refuse(`its token #${m.tokenId} is not in scim_tokens`);
  if (m.tokenId === null && candidates.length !== 1) {
    return refuse(`scim_maps names no token, and ${candidates.length ? `${candidates.length} tokens manage ${row.domain}` : `no token manages ${row.domain}`}`);
  }
  const token = candidates[0]!;
  base.viaToken = token.sourceId;
  if (token.action === 'refuse') return refuse(`its token #${token.sourceId} is not imported (${token.reason})`);
  if (token.action === 'import' && !token.policy.domains.includes(row.domain)) return refuse(`its token #${token.sourceId} is restricted to ${token.policy.domains.join(', ')}`);

  const link = facts.links.get(mailbox);
  if (link && token.existingTokenId && link.tokenId === token.existingTokenId) return { ...base, action: 'skip', reason: `already linked (SCIM user ${link.userId})`, keptId: link.userId, matching: '' };
  if (link) return refuse(`already provisioned by another token here (SCIM user ${link.userId})`);

  const scimId = m.scimId?.trim().toLowerCase() ?? null;
  if (scimId && UUID_RE.test(scimId) && !facts.takenUserIds.has(scimId) && !usedIds.has(scimId)) {
    usedIds.add(scimId);
    base.keptId = scimId;
    base.matching = `keeps its SCIM id ${scimId}: the IdP's GET, PATCH, PUT and DELETE reach it as before`;
  } else {
    base.matching = scimId
      ? `its SCIM id ${scimId} cannot be kept (${UUID_RE.test(scimId) ? 'already used here' : 'not a UUID'}): it gets a new one; the IdP's request with the old id answers 404, and it finds the user again by userName eq "${mailbox}"${m.externalId ? ' or externalId' : ''}`
      : `had no SCIM id of its own (the branch used the address): it gets a new one; the IdP's request with the address answers 404, and it finds the user again by userName eq "${mailbox}"${m.externalId ? ' or externalId' : ''}`;
  }
  if (row.active === 0) base.notes.push('inactive (active=0, how PR 7148 deactivates): kept as it is; mail is refused until the IdP activates the user');
  return base;
}

export function planPr7148Import(source: Pr7148Source, facts: ImportFacts): ImportPlan {
  const names = new Set(facts.liveTokenNames);
  const tokens = source.tokens.map((t) => planToken(t, source, facts, names));
  const seen = new Set<string>();
  const usedIds = new Set<string>();
  const links = source.maps.map((m) => planLink(m, tokens, facts, seen, usedIds));
  return { layout: source.layout, tokens, links };
}

export interface ImportSummary {
  tokens: Record<'import' | 'skip' | 'refuse', number>;
  links: Record<'link' | 'skip' | 'refuse', number>;
  /** Links whose SCIM id is kept (the IdP's stored id works). */
  idsKept: number;
}

export function summarizeImport(plan: ImportPlan): ImportSummary {
  const s: ImportSummary = { tokens: { import: 0, skip: 0, refuse: 0 }, links: { link: 0, skip: 0, refuse: 0 }, idsKept: 0 };
  for (const t of plan.tokens) s.tokens[t.action]++;
  for (const l of plan.links) {
    s.links[l.action]++;
    if (l.action === 'link' && l.keptId) s.idsKept++;
  }
  return s;
}
