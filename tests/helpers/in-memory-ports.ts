/**
 * In-memory implementations of the storage ports (the unit of work with its row stores, the
 * reads of Users and Groups, TokenStore) for the in-process protocol tests: no database, but
 * the ports' promises kept — one change at a time, all or nothing (a change works on a copy that
 * replaces the state only when it succeeds), rows scoped to the caller's token and domains,
 * uniqueness refused as the SQL stores refuse it, versions that move on every change, filters
 * evaluated by the core's own evaluator. What they do not offer (cursor paging, sorting) they
 * refuse loudly instead of answering something plausible. The use cases on top are the real ones.
 */
import type { AuditEvent } from '../../server/src/audit/index.js';
import type { GroupAliasTarget, GroupChange, GroupReadOptions, GroupReads, GroupRows, MemberGroup, NewGroup, StoredGroup } from '../../server/src/groups/index.js';
import type { DomainLimits, MailAddress, MailboxSnapshot, MailboxTemplate, MailboxUpdate, NewMailboxPlan } from '../../server/src/provisioning/index.js';
import { ScimError } from '../../server/src/scim/index.js';
import { evaluateFilter } from '../../server/src/scim/filter/index.js';
import type { TokenRecord, TokenStore } from '../../server/src/tokens/index.js';
import type { ChangeAudit, ChangeTx, UnitOfWork } from '../../server/src/unit-of-work/index.js';
import type {
  Caller,
  CreateFacts,
  DomainRows,
  ListQuery,
  ListResult,
  MailboxOwner,
  MailboxRows,
  MailcowSettings,
  NewUserRecord,
  StoredUser,
  UserAliasRows,
  UserReads,
  UserRecord,
  UserRows,
} from '../../server/src/users/index.js';

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function page<T>(all: T[], q: ListQuery): ListResult<T> {
  if (q.seek) throw new Error('in-memory store: cursor paging is not implemented');
  if (q.sortBy) throw new Error('in-memory store: sorting is not implemented');
  return { total: all.length, items: all.slice(q.startIndex - 1, q.startIndex - 1 + q.count) };
}

interface UserRow extends UserRecord {
  id: string;
  tokenId: string;
  mailbox: string;
  domain: string;
  version: number;
  created: string;
  lastModified: string;
}

type GroupRow = Omit<StoredGroup, 'members'> & { memberIds: string[] };

/** What the database holds: mailcow's rows and ours, as plain data (copied whole for a change). */
interface State {
  users: Map<string, UserRow>;
  mailboxes: Map<string, MailboxSnapshot>;
  /** Aliases the users own: address → user id (null once released) and the mailbox it delivers to. */
  aliases: Map<string, { userId: string | null; mailbox: string }>;
  groups: Map<string, GroupRow>;
  events: AuditEvent[];
}

function visibleTo(caller: Caller, u: UserRow | undefined): u is UserRow {
  return u !== undefined && u.tokenId === caller.token.id && caller.token.policy.domains.includes(u.domain);
}

function storedUser(state: State, u: UserRow): StoredUser {
  const m = state.mailboxes.get(u.mailbox)!;
  const groups = [...state.groups.values()].filter((g) => g.memberIds.includes(u.id)).map((g) => ({ id: g.id, display: g.displayName }));
  return structuredClone({
    id: u.id,
    tokenId: u.tokenId,
    userName: u.userName,
    externalId: u.externalId,
    resource: u.resource,
    version: u.version,
    created: u.created,
    lastModified: u.lastModified,
    appliedTemplate: u.appliedTemplate,
    mailbox: { address: u.mailbox, active: m.active, name: m.name, quotaBytes: m.quotaBytes, usedBytes: 0, messages: 0 },
    groups,
  });
}

function storedGroup(state: State, g: GroupRow, options: GroupReadOptions): StoredGroup {
  const { memberIds, ...rest } = structuredClone(g);
  if (!options.members) return rest;
  const members = memberIds.map((id) => {
    const u = state.users.get(id)!;
    return { value: u.id, display: typeof u.resource.displayName === 'string' ? u.resource.displayName : u.userName };
  });
  return { ...rest, members };
}

/** The rows of one change, on its own copy of the state. */
function inMemoryTx(state: State, caller: Caller, domains: ReadonlyMap<string, DomainLimits>, templates: ReadonlyMap<string, MailboxTemplate>): ChangeTx {
  const template = (name: string | null): MailboxTemplate | undefined => (name === null ? templates.values().next().value ?? { name: 'Default', attributes: {} } : templates.get(name));
  const usage = (domain: string) => {
    const inDomain = [...state.mailboxes.values()].filter((m) => m.domain === domain && m.kind === '');
    return { mailboxes: inDomain.length, quotaBytes: inDomain.reduce((n, m) => n + m.quotaBytes, 0) };
  };
  const ids = (list: readonly string[]) => new Set(list.filter((id) => visibleTo(caller, state.users.get(id))));
  const usersRows: UserRows = {
    async createFacts(want: { userName: string; address: MailAddress; template: string | null }): Promise<CreateFacts> {
      const taken = [...state.users.values()].find((u) => u.tokenId === caller.token.id && u.userName.toLowerCase() === want.userName.toLowerCase());
      const alias = state.aliases.get(want.address.address);
      return {
        domain: domains.get(want.address.domain),
        takenBy: taken?.id ?? null,
        address: { mailbox: state.mailboxes.has(want.address.address), aliasGoto: alias?.mailbox ?? null, spamAlias: false },
        template: template(want.template),
        idpAuthsource: null,
      };
    },
    async lock(id) {
      const u = state.users.get(id.toLowerCase());
      if (!visibleTo(caller, u)) throw ScimError.notFound(`No User with id "${id}".`);
      return storedUser(state, u);
    },
    async read(id) {
      const u = state.users.get(id.toLowerCase());
      return visibleTo(caller, u) ? storedUser(state, u) : undefined;
    },
    async userNameOwner(userName, exceptId) {
      return [...state.users.values()].find((u) => u.tokenId === caller.token.id && u.id !== exceptId && u.userName.toLowerCase() === userName.toLowerCase())?.id ?? null;
    },
    async mailboxOwner(mailbox): Promise<MailboxOwner | undefined> {
      const u = [...state.users.values()].find((x) => x.mailbox === mailbox);
      return u ? { id: u.id, tokenId: u.tokenId, tokenName: u.tokenId, userName: u.userName } : undefined;
    },
    async insert(user: NewUserRecord) {
      const at = now();
      const { mailbox, ...record } = structuredClone(user);
      state.users.set(user.id, { ...record, tokenId: caller.token.id, mailbox: mailbox.address, domain: mailbox.domain, version: 1, created: at, lastModified: at });
      return at;
    },
    async update(id, next) {
      const u = state.users.get(id)!;
      const at = now();
      state.users.set(id, { ...u, ...structuredClone(next), version: u.version + 1, lastModified: at });
      return at;
    },
    async delete(id) {
      state.users.delete(id);
      for (const g of state.groups.values()) g.memberIds = g.memberIds.filter((m) => m !== id);
    },
    visible: async (list) => ids(list),
    lockVisible: async (list) => ids(list),
    async lockRows() {},
    async touch(list) {
      for (const id of list) {
        const u = state.users.get(id);
        if (u) state.users.set(id, { ...u, version: u.version + 1, lastModified: now() });
      }
    },
  };
  const mailboxesRows: MailboxRows = {
    lock: async (address) => structuredClone(state.mailboxes.get(address)),
    async insert(m: NewMailboxPlan) {
      const address = m.address;
      state.mailboxes.set(address.address, {
        username: address.address,
        domain: address.domain,
        name: m.name,
        quotaBytes: m.quotaBytes,
        active: m.active,
        authsource: 'scim',
        scimManaged: true,
        kind: '',
        attributes: JSON.stringify(m.access),
      });
    },
    async setQuota(address, quotaBytes) {
      state.mailboxes.get(address)!.quotaBytes = quotaBytes;
    },
    async update(mailbox, u: MailboxUpdate) {
      const m = state.mailboxes.get(mailbox.username)!;
      if (u.edit?.name) m.name = u.edit.name;
      if (u.edit?.active !== undefined) m.active = u.edit.active;
      if (u.edit?.quotaBytes !== undefined) m.quotaBytes = u.edit.quotaBytes;
      if (u.edit?.attributes) m.attributes = JSON.stringify({ ...JSON.parse(m.attributes), ...u.edit.attributes });
      return { active: m.active, name: m.name, quotaBytes: m.quotaBytes };
    },
    async delete(address) {
      state.mailboxes.delete(address);
      for (const [a, alias] of state.aliases) if (alias.mailbox === address) state.aliases.delete(a);
    },
    // No SOGo here: nothing is derived from a mailbox.
    async publish() {},
  };
  const domainsRows: DomainRows = {
    lock: async (domain) => domains.get(domain),
    usage: async (domain) => usage(domain),
    async lockWithUsage(domain) {
      const d = domains.get(domain);
      return d && { domain: d, usage: await usage(domain) };
    },
  };
  const settingsRows: MailcowSettings = { template: async (name) => template(name), idpAuthsource: async () => null };
  const aliasesRows: UserAliasRows = {
    async sync(userId, mailbox, desired) {
      for (const [a, alias] of state.aliases) if (alias.userId === userId && !desired.includes(a)) state.aliases.delete(a);
      for (const a of desired) {
        const alias = state.aliases.get(a);
        if (alias?.userId === userId) continue;
        if (state.mailboxes.has(a) || (alias && alias.mailbox !== mailbox) || [...state.groups.values()].some((g) => g.address === a)) {
          throw ScimError.uniqueness(`Cannot add aliases: ${a} is taken.`);
        }
        state.aliases.set(a, { userId, mailbox });
      }
    },
    async relink(mailbox, userId) {
      for (const alias of state.aliases.values()) if (alias.mailbox === mailbox) alias.userId = userId;
    },
    async release(userId) {
      for (const alias of state.aliases.values()) if (alias.userId === userId) alias.userId = null;
    },
    async remove(userId) {
      for (const [a, alias] of state.aliases) if (alias.userId === userId) state.aliases.delete(a);
    },
  };
  const activeMembers = (g: GroupRow) => g.memberIds.filter((id) => state.mailboxes.get(state.users.get(id)?.mailbox ?? '')?.active === 1).length;
  const group = (id: string) => {
    const g = state.groups.get(id.toLowerCase());
    return g && g.tokenId === caller.token.id ? g : undefined;
  };
  const groupsRows: GroupRows = {
    async lock(id) {
      const g = group(id);
      if (!g) throw ScimError.notFound(`No Group with id "${id}".`);
      return storedGroup(state, g, { members: true });
    },
    async read(id, options) {
      const g = group(id);
      return g ? storedGroup(state, g, options) : undefined;
    },
    async insert(g: NewGroup) {
      const at = now();
      state.groups.set(g.id, {
        id: g.id,
        tokenId: caller.token.id,
        displayName: g.displayName,
        externalId: g.externalId,
        resource: structuredClone(g.resource),
        version: 1,
        created: at,
        lastModified: at,
        address: null,
        addressSource: null,
        aliasActive: false,
        memberIds: [],
      });
    },
    async setAddress(id, address) {
      Object.assign(state.groups.get(id)!, { address: address.address, addressSource: address.source });
    },
    async update(id, c: GroupChange) {
      const g = state.groups.get(id)!;
      Object.assign(g, { displayName: c.displayName, externalId: c.externalId, resource: structuredClone(c.resource), address: c.address?.address ?? null, addressSource: c.address?.source ?? null, version: g.version + 1, lastModified: now() });
    },
    async delete(id) {
      state.groups.delete(id);
    },
    async addMembers(groupId, userIds) {
      state.groups.get(groupId)!.memberIds.push(...userIds);
    },
    async removeMembers(groupId, userIds) {
      const g = state.groups.get(groupId)!;
      g.memberIds = g.memberIds.filter((id) => !userIds.includes(id));
    },
    async syncAlias(target: GroupAliasTarget) {
      const g = state.groups.get(target.groupId)!;
      const taken = target.address !== null && (state.mailboxes.has(target.address) || state.aliases.has(target.address) || [...state.groups.values()].some((o) => o.id !== g.id && o.address === target.address));
      if (taken) throw ScimError.uniqueness(`The group cannot own the alias ${target.address}: it is taken.`);
      const active = target.address !== null && activeMembers(g) > 0;
      const flipped = active !== g.aliasActive;
      g.aliasActive = active;
      return { flipped };
    },
    async removeAlias(groupId) {
      state.groups.get(groupId)!.memberIds = [];
    },
    async lockGroupsOf() {},
    groupsOf: async (userId) => [...state.groups.values()].filter((g) => g.memberIds.includes(userId)).map((g) => g.id).sort(),
    async lockForMember(id): Promise<MemberGroup | undefined> {
      const g = state.groups.get(id);
      return g ? { id: g.id, tokenId: g.tokenId, displayName: g.displayName, address: g.address } : undefined;
    },
    async touch(id) {
      const g = state.groups.get(id)!;
      Object.assign(g, { version: g.version + 1, lastModified: now() });
    },
  };
  return {
    users: usersRows,
    mailboxes: mailboxesRows,
    domains: domainsRows,
    settings: settingsRows,
    aliases: aliasesRows,
    groups: groupsRows,
    audit(entry: ChangeAudit): void {
      state.events.push({ tokenId: caller.token.id, requestId: caller.requestId, clientIp: caller.clientIp, resourceId: null, mailbox: null, outcome: 'success', status: 200, detail: null, ...entry });
    },
  };
}

/** The unit of work and the reads of Users and Groups, over one in-memory state. */
export class InMemoryStore implements UnitOfWork {
  private state: State = { users: new Map(), mailboxes: new Map(), aliases: new Map(), groups: new Map(), events: [] };
  private queue: Promise<unknown> = Promise.resolve();
  readonly domains = new Map<string, DomainLimits>();
  readonly templates = new Map<string, MailboxTemplate>([['Default', { name: 'Default', attributes: {} }]]);

  constructor(domains: readonly string[] = ['example.org']) {
    for (const d of domains) this.domains.set(d, { domain: d, active: 1, mailboxes: 10_000, defquotaMiB: 1024, maxquotaMiB: 10_240, quotaMiB: 10_000_000 });
  }

  /** Audit rows of the changes that committed. */
  get events(): readonly AuditEvent[] {
    return this.state.events;
  }

  transact<T>(caller: Caller, work: (tx: ChangeTx) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      const copy = structuredClone(this.state);
      const result = await work(inMemoryTx(copy, caller, this.domains, this.templates));
      this.state = copy;
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  readonly users: UserReads & UnitOfWork = {
    get: async (caller, id) => {
      const u = this.state.users.get(id.toLowerCase());
      return visibleTo(caller, u) ? storedUser(this.state, u) : undefined;
    },
    list: async (caller, q) => {
      const mine = [...this.state.users.values()].filter((u) => visibleTo(caller, u)).map((u) => storedUser(this.state, u));
      return page(q.filter ? mine.filter((u) => evaluateFilter(q.filter!, { ...u.resource, id: u.id })) : mine, q);
    },
    transact: (caller, work) => this.transact(caller, work),
  };

  readonly groups: GroupReads & UnitOfWork = {
    get: async (caller, id, options) => {
      const g = this.state.groups.get(id.toLowerCase());
      return g && g.tokenId === caller.token.id ? storedGroup(this.state, g, options) : undefined;
    },
    list: async (caller, q, options) => {
      const mine = [...this.state.groups.values()].filter((g) => g.tokenId === caller.token.id);
      const matching = q.filter ? mine.filter((g) => evaluateFilter(q.filter!, { ...g.resource, id: g.id, members: storedGroup(this.state, g, { members: true }).members })) : mine;
      return page(matching.map((g) => storedGroup(this.state, g, options)), q);
    },
    transact: (caller, work) => this.transact(caller, work),
  };
}

export class InMemoryTokenStore implements TokenStore {
  readonly rows = new Map<string, { record: TokenRecord; hash: Buffer }>();

  constructor(
    private readonly domains: readonly string[] = ['example.org'],
    private readonly templates: readonly string[] = ['Default'],
  ) {}

  async insert(record: TokenRecord, hash: Buffer): Promise<void> {
    this.rows.set(record.id, { record: structuredClone(record), hash: Buffer.from(hash) });
  }
  async list(includeRevoked: boolean): Promise<TokenRecord[]> {
    return [...this.rows.values()].map((r) => structuredClone(r.record)).filter((r) => includeRevoked || !r.revokedAt);
  }
  async get(id: string): Promise<TokenRecord | undefined> {
    const r = this.rows.get(id);
    return r ? structuredClone(r.record) : undefined;
  }
  async findByHash(hash: Buffer): Promise<{ record: TokenRecord; hash: Buffer } | undefined> {
    for (const r of this.rows.values()) if (r.hash.equals(hash)) return { record: structuredClone(r.record), hash: Buffer.from(r.hash) };
    return undefined;
  }
  async update(id: string, changes: Parameters<TokenStore['update']>[1]): Promise<void> {
    const r = this.rows.get(id);
    if (!r) return;
    const { hash, ...fields } = changes;
    r.record = { ...r.record, ...fields };
    if (hash) r.hash = Buffer.from(hash);
  }
  async touch(id: string, at: string, ip: string | null): Promise<void> {
    const r = this.rows.get(id);
    if (r) r.record = { ...r.record, lastUsedAt: at, lastUsedIp: ip };
  }
  async missingDomains(domains: string[]): Promise<string[]> {
    return domains.filter((d) => !this.domains.includes(d.toLowerCase()));
  }
  async missingTemplates(names: string[]): Promise<string[]> {
    return names.filter((n) => !this.templates.includes(n));
  }
}
