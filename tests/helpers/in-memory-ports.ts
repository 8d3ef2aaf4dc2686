/**
 * In-memory implementations of the storage ports (UserStore, GroupStore, TokenStore) for the
 * in-process protocol tests: no database, but the ports' promises kept — ids scoped to the
 * caller's token, uniqueness refused as the SQL stores refuse it, versions that move on every
 * change, filters evaluated by the core's own evaluator. What they do not offer (cursor paging,
 * sorting) they refuse loudly instead of answering something plausible.
 */
import type { GroupChange, GroupReadOptions, GroupStore, NewGroup, StoredGroup } from '../../server/src/groups/index.js';
import { ScimError } from '../../server/src/scim/index.js';
import { evaluateFilter } from '../../server/src/scim/filter/index.js';
import type { TokenRecord, TokenStore } from '../../server/src/tokens/index.js';
import type { Caller, ListQuery, ListResult, NewUser, StoredUser, UserChange, UserStore } from '../../server/src/users/index.js';

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function page<T>(all: T[], q: ListQuery): ListResult<T> {
  if (q.seek) throw new Error('in-memory store: cursor paging is not implemented');
  if (q.sortBy) throw new Error('in-memory store: sorting is not implemented');
  return { total: all.length, items: all.slice(q.startIndex - 1, q.startIndex - 1 + q.count) };
}

export class InMemoryUserStore implements UserStore {
  readonly users = new Map<string, StoredUser>();

  async create(caller: Caller, user: NewUser): Promise<StoredUser> {
    for (const u of this.users.values()) {
      if (u.tokenId === caller.token.id && u.userName.toLowerCase() === user.userName.toLowerCase()) {
        throw ScimError.uniqueness(`userName "${user.userName}" is already taken.`);
      }
      if (u.mailbox.address === user.address.address) throw ScimError.uniqueness(`${user.address.address} is already a mailbox.`);
    }
    const at = now();
    const stored: StoredUser = {
      id: user.id,
      tokenId: caller.token.id,
      userName: user.userName,
      externalId: user.externalId,
      resource: structuredClone(user.resource),
      version: 1,
      created: at,
      lastModified: at,
      appliedTemplate: user.intent.template,
      mailbox: { address: user.address.address, active: user.intent.active, name: user.intent.name, quotaBytes: (user.intent.quotaMiB ?? 0) * 1024 * 1024, usedBytes: 0, messages: 0 },
      groups: [],
    };
    this.users.set(stored.id, stored);
    return structuredClone(stored);
  }

  async get(caller: Caller, id: string): Promise<StoredUser | undefined> {
    const u = this.users.get(id.toLowerCase());
    return u && u.tokenId === caller.token.id ? structuredClone(u) : undefined;
  }

  async list(caller: Caller, q: ListQuery): Promise<ListResult<StoredUser>> {
    const mine = [...this.users.values()].filter((u) => u.tokenId === caller.token.id);
    const matching = q.filter ? mine.filter((u) => evaluateFilter(q.filter!, { ...u.resource, id: u.id })) : mine;
    return page(matching.map((u) => structuredClone(u)), q);
  }

  async update(caller: Caller, id: string, change: (current: StoredUser) => UserChange): Promise<StoredUser> {
    const current = await this.get(caller, id);
    if (!current) throw ScimError.notFound(`No User with id "${id}".`);
    const c = change(current);
    const next: StoredUser = {
      ...current,
      userName: c.userName,
      externalId: c.externalId,
      resource: structuredClone(c.resource),
      version: current.version + 1,
      lastModified: now(),
      appliedTemplate: c.intent.template,
      mailbox: { ...current.mailbox, active: c.intent.active, name: c.intent.name },
    };
    this.users.set(next.id, next);
    return structuredClone(next);
  }

  async remove(caller: Caller, id: string, check: (current: StoredUser) => void): Promise<void> {
    const current = await this.get(caller, id);
    if (!current) throw ScimError.notFound(`No User with id "${id}".`);
    check(current);
    this.users.delete(current.id);
  }
}

export class InMemoryGroupStore implements GroupStore {
  readonly groups = new Map<string, StoredGroup & { memberIds: string[] }>();

  constructor(private readonly users: InMemoryUserStore) {}

  private members(caller: Caller, ids: string[]): { value: string; display: string }[] {
    const unknown = ids.filter((id) => this.users.users.get(id)?.tokenId !== caller.token.id);
    if (unknown.length) throw ScimError.invalidValue(`No User with id ${unknown.map((i) => `"${i}"`).join(', ')} (members).`);
    return ids.map((id) => {
      const u = this.users.users.get(id)!;
      return { value: u.id, display: typeof u.resource.displayName === 'string' ? u.resource.displayName : u.userName };
    });
  }

  private view(g: StoredGroup & { memberIds: string[] }, options: GroupReadOptions): StoredGroup {
    const { memberIds: _ids, ...rest } = structuredClone(g);
    return options.members ? rest : { ...rest, members: undefined };
  }

  async create(caller: Caller, group: NewGroup): Promise<StoredGroup> {
    for (const g of this.groups.values()) {
      if (group.address && g.address === group.address.address) throw ScimError.uniqueness(`${group.address.address} is already taken.`);
    }
    const members = this.members(caller, group.members);
    const at = now();
    const stored = {
      id: group.id,
      tokenId: caller.token.id,
      displayName: group.displayName,
      externalId: group.externalId,
      resource: structuredClone(group.resource),
      version: 1,
      created: at,
      lastModified: at,
      address: group.address?.address ?? null,
      addressSource: group.address?.source ?? null,
      aliasActive: members.length > 0,
      members,
      memberIds: group.members,
    };
    this.groups.set(stored.id, stored);
    return this.view(stored, { members: true });
  }

  async get(caller: Caller, id: string, options: GroupReadOptions): Promise<StoredGroup | undefined> {
    const g = this.groups.get(id.toLowerCase());
    return g && g.tokenId === caller.token.id ? this.view(g, options) : undefined;
  }

  async list(caller: Caller, q: ListQuery, options: GroupReadOptions): Promise<ListResult<StoredGroup>> {
    const mine = [...this.groups.values()].filter((g) => g.tokenId === caller.token.id);
    const matching = q.filter ? mine.filter((g) => evaluateFilter(q.filter!, { ...g.resource, id: g.id, members: g.members })) : mine;
    return page(
      matching.map((g) => this.view(g, options)),
      q,
    );
  }

  async update(caller: Caller, id: string, change: (current: StoredGroup) => GroupChange, options: GroupReadOptions): Promise<StoredGroup> {
    const current = this.groups.get(id.toLowerCase());
    if (!current || current.tokenId !== caller.token.id) throw ScimError.notFound(`No Group with id "${id}".`);
    const c = change(this.view(current, { members: true }));
    const members = this.members(caller, c.members);
    const next = {
      ...current,
      displayName: c.displayName,
      externalId: c.externalId,
      resource: structuredClone(c.resource),
      version: current.version + 1,
      lastModified: now(),
      address: c.address?.address ?? null,
      addressSource: c.address?.source ?? null,
      aliasActive: members.length > 0,
      members,
      memberIds: c.members,
    };
    this.groups.set(next.id, next);
    return this.view(next, options);
  }

  async remove(caller: Caller, id: string, check: (current: StoredGroup) => void): Promise<void> {
    const current = this.groups.get(id.toLowerCase());
    if (!current || current.tokenId !== caller.token.id) throw ScimError.notFound(`No Group with id "${id}".`);
    check(this.view(current, { members: true }));
    this.groups.delete(current.id);
  }
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
