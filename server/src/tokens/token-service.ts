/**
 * Token use cases: issue, list, change, rotate, revoke, and authenticate a bearer secret.
 * Storage is a port (TokenStore) so this file knows no SQL; both the CLI and the gRPC
 * TokenService call these functions.
 */
import { randomUUID } from 'node:crypto';
import { ScimError } from '../scim/index.js';
import { filterErrorPosition, filterExcerpt } from '../scim/filter/index.js';
import { buildPolicy, type TokenPolicy } from './policy.js';
import { PolicyError, type PolicyProblem } from './policy-error.js';
import { hashSecret, issueSecret, isSameHash, looksLikeSecret } from './token-secret.js';

export interface TokenRecord {
  id: string;
  name: string;
  prefix: string;
  active: boolean;
  revokedAt: string | null;
  policy: TokenPolicy;
  createdAt: string;
  updatedAt: string;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
}

export interface TokenStore {
  insert(record: TokenRecord, hash: Buffer): Promise<void>;
  list(includeRevoked: boolean): Promise<TokenRecord[]>;
  get(id: string): Promise<TokenRecord | undefined>;
  findByHash(hash: Buffer): Promise<{ record: TokenRecord; hash: Buffer } | undefined>;
  update(id: string, changes: { name?: string; active?: boolean; policy?: TokenPolicy; revokedAt?: string; hash?: Buffer; prefix?: string; updatedAt: string }): Promise<void>;
  touch(id: string, at: string, ip: string | null): Promise<void>;
  /** Which of these domains do not exist in mailcow's `domain` table. */
  missingDomains(domains: string[]): Promise<string[]>;
  /** Which of these names are not mailcow mailbox templates. */
  missingTemplates(names: string[]): Promise<string[]>;
}

/**
 * Checks one template-rule filter the way user creates will apply it (users/ knows the User
 * schema and the parse options), throwing its invalidFilter error. Required: a token service
 * built without it once stored rules that then failed every POST /Users (issue 13).
 */
type RuleFilterValidator = (filter: string) => void;

export interface TokenServiceDeps {
  store: TokenStore;
  now: () => string;
  validateRuleFilter: RuleFilterValidator;
  /** last_used is written at most this often per token, so a sync of 10,000 users is not 10,000 extra writes. */
  touchIntervalMs?: number;
  /**
   * How long a token read for one request serves the next ones without reading it again
   * (default 1,000 ms; 0: read every time). A change made through this service (disable, revoke,
   * rotate, policy) applies at once; one made by another replica or the CLI within this time.
   */
  cacheMs?: number;
}

export interface IssuedToken {
  token: TokenRecord;
  /** The raw secret: shown once, never stored. */
  secret: string;
}

export interface TokenUpdate {
  name?: string;
  active?: boolean;
  /** Fields to change (merged over the stored policy), or the whole policy with replacePolicy. */
  policy?: Record<string, unknown>;
  replacePolicy?: boolean;
}

/** More tokens than any install has; past it the cache starts over. */
const CACHE_LIMIT = 1_000;

export class TokenService {
  private readonly lastTouch = new Map<string, number>();
  /** Token rows by the hex SHA-256 of their secret, with when they were read (cacheMs). */
  private readonly recent = new Map<string, { found: { record: TokenRecord; hash: Buffer }; at: number }>();

  constructor(private readonly deps: TokenServiceDeps) {}

  async create(name: string, policyInput: unknown): Promise<IssuedToken> {
    const cleanName = validateName(name);
    await this.assertNameFree(cleanName, null);
    const policy = await this.checkPolicy(buildPolicy(policyInput));
    const issued = issueSecret();
    const now = this.deps.now();
    const record: TokenRecord = {
      id: randomUUID(),
      name: cleanName,
      prefix: issued.prefix,
      active: true,
      revokedAt: null,
      policy,
      createdAt: now,
      updatedAt: now,
      lastUsedAt: null,
      lastUsedIp: null,
    };
    await this.deps.store.insert(record, issued.hash);
    return { token: record, secret: issued.secret };
  }

  /**
   * A token carried over from another SCIM provider with the SHA-256 it already stored, so the
   * IdP's existing bearer secret keeps working (mailcow PR 7148 stores plain SHA-256, as we do).
   * Checked like a new token (name, policy, rules); a token with this hash already is returned as
   * it is, so importing twice imports once.
   */
  async importExisting(
    name: string,
    policyInput: unknown,
    existing: { hash: Buffer; prefix: string; active: boolean; createdAt?: string },
  ): Promise<{ token: TokenRecord; created: boolean }> {
    if (existing.hash.length !== 32) throw ScimError.invalidValue('An imported token needs its 32-byte SHA-256.');
    const found = await this.deps.store.findByHash(existing.hash);
    if (found) return { token: found.record, created: false };
    const cleanName = validateName(name);
    await this.assertNameFree(cleanName, null);
    const policy = await this.checkPolicy(buildPolicy(policyInput));
    const now = this.deps.now();
    const record: TokenRecord = {
      id: randomUUID(),
      name: cleanName,
      prefix: existing.prefix.slice(0, 16),
      active: existing.active,
      revokedAt: null,
      policy,
      createdAt: existing.createdAt ?? now,
      updatedAt: now,
      lastUsedAt: null,
      lastUsedIp: null,
    };
    await this.deps.store.insert(record, existing.hash);
    return { token: record, created: true };
  }

  /** The token whose secret hashes to `hash`, if any (for imports that carry hashes). */
  async findByStoredHash(hash: Buffer): Promise<TokenRecord | undefined> {
    return (await this.deps.store.findByHash(hash))?.record;
  }

  list(includeRevoked = false): Promise<TokenRecord[]> {
    return this.deps.store.list(includeRevoked);
  }

  async get(id: string): Promise<TokenRecord> {
    const t = await this.deps.store.get(id);
    if (!t) throw ScimError.notFound(`No SCIM token with id "${id}".`);
    return t;
  }

  /**
   * The token an admin means by `ref`: its id, its name (case-insensitive; a live token before
   * revoked ones of the same name), or a unique prefix of its id (at least 4 characters, as
   * `token list` shows ids). Several matches are refused with every candidate listed.
   */
  async resolve(ref: string): Promise<TokenRecord> {
    const wanted = (ref ?? '').trim();
    if (!wanted) throw ScimError.invalidValue('Name a token by its name or id (see mailcow-scim token list).');
    const all = await this.deps.store.list(true);
    const byId = all.find((t) => t.id === wanted.toLowerCase());
    if (byId) return byId;
    const named = all.filter((t) => t.name.toLowerCase() === wanted.toLowerCase());
    const liveNamed = named.filter((t) => !t.revokedAt);
    if (liveNamed.length === 1) return liveNamed[0]!;
    if (liveNamed.length === 0 && named.length === 1) return named[0]!;
    if (named.length > 1) throw ambiguous(wanted, liveNamed.length ? liveNamed : named);
    if (/^[0-9a-f-]{4,}$/i.test(wanted)) {
      const prefixed = all.filter((t) => t.id.startsWith(wanted.toLowerCase()));
      if (prefixed.length === 1) return prefixed[0]!;
      if (prefixed.length > 1) throw ambiguous(wanted, prefixed);
    }
    throw ScimError.notFound(`No SCIM token named "${wanted}" or with an id starting with it (see mailcow-scim token list --all).`);
  }

  /**
   * Stored template rules that no longer pass the validator (written before rules were checked,
   * or by hand): each makes every POST /Users of its token fail, so doctor names them.
   */
  async invalidRules(): Promise<{ token: TokenRecord; problems: PolicyProblem[] }[]> {
    const out: { token: TokenRecord; problems: PolicyProblem[] }[] = [];
    for (const token of await this.deps.store.list(false)) {
      const problems = this.ruleProblems(token.policy);
      if (problems.length) out.push({ token, problems });
    }
    return out;
  }

  async update(id: string, change: TokenUpdate): Promise<TokenRecord> {
    const current = await this.get(id);
    if (current.revokedAt) throw ScimError.invalidValue(`Token "${current.name}" is revoked and cannot be changed.`);
    const updatedAt = this.deps.now();
    const changes: Parameters<TokenStore['update']>[1] = { updatedAt };
    if (change.name !== undefined) {
      changes.name = validateName(change.name);
      await this.assertNameFree(changes.name, id);
    }
    if (change.active !== undefined) changes.active = change.active;
    if (change.policy !== undefined) {
      changes.policy = await this.checkPolicy(buildPolicy(change.policy, change.replacePolicy ? undefined : current.policy));
    }
    await this.deps.store.update(id, changes);
    this.recent.clear();
    return this.get(id);
  }

  async rotate(id: string): Promise<IssuedToken> {
    const current = await this.get(id);
    if (current.revokedAt) throw ScimError.invalidValue(`Token "${current.name}" is revoked; create a new one.`);
    const issued = issueSecret();
    await this.deps.store.update(id, { hash: issued.hash, prefix: issued.prefix, updatedAt: this.deps.now() });
    this.recent.clear();
    return { token: await this.get(id), secret: issued.secret };
  }

  async revoke(id: string): Promise<TokenRecord> {
    const current = await this.get(id);
    if (current.revokedAt) return current;
    const now = this.deps.now();
    await this.deps.store.update(id, { active: false, revokedAt: now, updatedAt: now });
    this.recent.clear();
    return this.get(id);
  }

  /**
   * The token a bearer secret belongs to, if it is active and not revoked; otherwise a 401.
   * The lookup is by SHA-256 (unique index), then the digests are compared in constant time.
   * A token read less than cacheMs ago is not read again: that read was one of a request's
   * few statements (`npm run bench`); unknown secrets are never cached.
   */
  async authenticate(secret: string | undefined, clientIp: string | null): Promise<TokenRecord> {
    if (!secret || !looksLikeSecret(secret)) throw ScimError.unauthorized();
    const hash = hashSecret(secret);
    const found = await this.findByHash(hash);
    if (!found || !isSameHash(found.hash, hash)) throw ScimError.unauthorized();
    const { record } = found;
    if (!record.active || record.revokedAt) throw ScimError.unauthorized('Authorization failure: this SCIM token is disabled or revoked.');
    const interval = this.deps.touchIntervalMs ?? 60_000;
    const last = this.lastTouch.get(record.id) ?? 0;
    if (Date.now() - last >= interval) {
      this.lastTouch.set(record.id, Date.now());
      // Bookkeeping only: a failure here must not fail the request.
      await this.deps.store.touch(record.id, this.deps.now(), clientIp).catch(() => undefined);
    }
    return record;
  }

  private async findByHash(hash: Buffer): Promise<{ record: TokenRecord; hash: Buffer } | undefined> {
    const ttl = this.deps.cacheMs ?? 1_000;
    const key = hash.toString('hex');
    const hit = this.recent.get(key);
    if (hit && Date.now() - hit.at < ttl) return hit.found;
    const found = await this.deps.store.findByHash(hash);
    if (found && ttl > 0) {
      if (this.recent.size >= CACHE_LIMIT) this.recent.clear();
      this.recent.set(key, { found, at: Date.now() });
    } else this.recent.delete(key);
    return found;
  }

  private async checkPolicy(policy: TokenPolicy): Promise<TokenPolicy> {
    const problems: PolicyProblem[] = [];
    const missing = await this.deps.store.missingDomains(policy.domains);
    if (missing.length) problems.push({ field: 'domains', message: `domains not found in mailcow: ${missing.join(', ')}` });
    const missingTemplates = new Set(await this.deps.store.missingTemplates(policyTemplates(policy)));
    if (policy.defaultTemplate && missingTemplates.has(policy.defaultTemplate)) {
      problems.push({ field: 'defaultTemplate', message: `mailbox template not found in mailcow: ${policy.defaultTemplate}` });
    }
    policy.templateRules.forEach((rule, i) => {
      if (missingTemplates.has(rule.template)) problems.push({ field: `templateRules[${i}].template`, ruleIndex: i, message: `mailbox template not found in mailcow: ${rule.template}` });
    });
    problems.push(...this.ruleProblems(policy));
    if (problems.length) throw new PolicyError(problems);
    return policy;
  }

  private ruleProblems(policy: TokenPolicy): PolicyProblem[] {
    const problems: PolicyProblem[] = [];
    policy.templateRules.forEach((rule, i) => {
      try {
        this.deps.validateRuleFilter(rule.filter);
      } catch (e) {
        if (!(e instanceof ScimError)) throw e;
        const offset = filterErrorPosition(e);
        problems.push({
          field: `templateRules[${i}].filter`,
          ruleIndex: i,
          message: e.detail,
          ...(offset === undefined ? {} : { offset, excerpt: filterExcerpt(rule.filter, offset) }),
        });
      }
    });
    return problems;
  }

  /** Names are how admins tell tokens apart (and name them on the command line): one live token per name. */
  private async assertNameFree(name: string, exceptId: string | null): Promise<void> {
    const clash = (await this.deps.store.list(false)).find((t) => t.id !== exceptId && t.name.toLowerCase() === name.toLowerCase());
    if (clash) throw ScimError.uniqueness(`A token named "${clash.name}" exists already (${clash.id}); choose another name, or revoke that one first.`);
  }
}

function policyTemplates(policy: TokenPolicy): string[] {
  return [...new Set([policy.defaultTemplate, ...policy.templateRules.map((r) => r.template)].filter((t): t is string => !!t))];
}

/** A token reference that fits several tokens; the candidates go to the CLI's JSON output too. */
export class AmbiguousTokenError extends ScimError {
  constructor(
    readonly ref: string,
    readonly candidates: readonly { id: string; name: string; revoked: boolean }[],
  ) {
    const list = candidates.map((t) => `${t.id} "${t.name}"${t.revoked ? ' (revoked)' : ''}`).join(', ');
    super(400, `"${ref}" names ${candidates.length} tokens: ${list}. Give more of the id.`, { scimType: 'invalidValue' });
  }
}

function ambiguous(ref: string, candidates: TokenRecord[]): AmbiguousTokenError {
  return new AmbiguousTokenError(ref, candidates.map((t) => ({ id: t.id, name: t.name, revoked: !!t.revokedAt })));
}

function validateName(name: string): string {
  const n = (name ?? '').trim();
  if (!n) throw ScimError.invalidValue('A token needs a name (for example the IdP it is for).');
  if (n.length > 255) throw ScimError.invalidValue('A token name is at most 255 characters.');
  return n;
}
