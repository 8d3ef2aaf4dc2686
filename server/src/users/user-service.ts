/**
 * The Users use cases (RFC 7644 §3.3–§3.6) for mailboxes: create, read, list, replace, patch,
 * delete. Each change is one unit of work: what it does and in which order is in create-user.ts
 * and change-user.ts, what the user means for its mailbox in provisioning/.
 */
import { randomUUID } from 'node:crypto';
import { withFailureAudit, type FailureRecorder as AuditFailureRecorder } from '../audit/index.js';
import { resolveMailboxAddress } from '../provisioning/index.js';
import { checkWritePreconditions } from '../scim/etag.js';
import { parseListParams, readListPage, type ListPage, type RawListParams } from '../scim/list-params.js';
import { normalizeResourceInput } from '../scim/resource-input.js';
import { resourceMeta } from '../scim/resource-meta.js';
import { ScimError } from '../scim/scim-error.js';
import { MAILCOW_USER_SCHEMA, USER_RESOURCE_TYPE } from '../scim/schema/index.js';
import type { ChangeTx, UnitOfWork } from '../unit-of-work/index.js';
import { changeUser, removeUser, updateUser } from './change-user.js';
import { createUser } from './create-user.js';
import type { Caller, StoredUser, UserChange, UserReads } from './ports.js';
import { UserIntents } from './user-intents.js';

/** Applies a PatchOp request body to a resource and returns the new resource (never mutates). */
export type PatchApplier = (resource: Record<string, unknown>, body: unknown) => Record<string, unknown>;

export type FailureRecorder = AuditFailureRecorder<Caller>;

export interface UserServiceDeps {
  store: UserReads & UnitOfWork;
  maxPageSize: number;
  applyPatch: PatchApplier;
  recordFailure?: FailureRecorder;
  /** The key sealing RFC 9865 cursors; without it cursor paging is refused. */
  cursorKey?: () => Promise<Uint8Array>;
}

export class UserService {
  private readonly intents = new UserIntents();

  constructor(private readonly deps: UserServiceDeps) {}

  async create(caller: Caller, body: unknown): Promise<StoredUser> {
    return this.audited(caller, 'create', null, async () => {
      const resource = normalizeResourceInput(USER_RESOURCE_TYPE, body);
      const address = resolveMailboxAddress(resource, caller.token.policy);
      const user = {
        id: randomUUID(),
        resource,
        userName: String(resource.userName),
        externalId: typeof resource.externalId === 'string' ? resource.externalId : null,
        address,
        intent: this.intents.intentOf(caller, resource, address.address),
      };
      return this.deps.store.transact(caller, (tx) => createUser(tx, caller, user), { readCommitted: true });
    });
  }

  async get(caller: Caller, id: string): Promise<StoredUser> {
    const user = await this.deps.store.get(caller, id);
    if (!user) throw notFound(id);
    return user;
  }

  /** GET /Users and /Users/.search: index or cursor paging (RFC 7644 §3.4.2, RFC 9865). */
  async list(caller: Caller, raw: RawListParams): Promise<ListPage<StoredUser>> {
    const p = parseListParams(raw, USER_RESOURCE_TYPE, this.deps.maxPageSize);
    const cursors = this.deps.cursorKey ? { key: this.deps.cursorKey, tokenId: caller.token.id } : undefined;
    return readListPage(p, cursors, (q) => this.deps.store.list(caller, q));
  }

  /** PUT: the body replaces every writable attribute (RFC 7644 §3.5.1). */
  async replace(caller: Caller, id: string, body: unknown, ifMatch?: string, ifNoneMatch?: string): Promise<StoredUser> {
    const next = normalizeResourceInput(USER_RESOURCE_TYPE, body);
    return this.audited(caller, 'replace', id, () =>
      this.update(caller, id, (current) => {
        checkWritePreconditions({ ifMatch, ifNoneMatch }, current.version);
        return this.intents.changeFor(caller, current, next);
      }),
    );
  }

  /** PATCH: all operations apply or none (RFC 7644 §3.5.2); the result is validated like a PUT. */
  async patch(caller: Caller, id: string, body: unknown, ifMatch?: string, ifNoneMatch?: string): Promise<StoredUser> {
    return this.audited(caller, 'patch', id, () =>
      this.update(caller, id, (current) => {
        checkWritePreconditions({ ifMatch, ifNoneMatch }, current.version);
        const patched = this.deps.applyPatch(this.patchBase(current), body);
        return this.intents.changeFor(caller, current, normalizeResourceInput(USER_RESOURCE_TYPE, patched));
      }),
    );
  }

  async delete(caller: Caller, id: string, ifMatch?: string, ifNoneMatch?: string): Promise<void> {
    await this.audited(caller, 'delete', id, () =>
      this.deps.store.transact(caller, (tx) => removeUser(tx, caller, id, (current) => checkWritePreconditions({ ifMatch, ifNoneMatch }, current.version))),
    );
  }

  /**
   * Applies a user again as it is, inside a group change that changed its membership (template
   * rules on `groups` may now pick another template). The group change holds the groups' locks.
   */
  async reapplyWithin(tx: ChangeTx, caller: Caller, id: string): Promise<void> {
    await changeUser(tx, caller, id, (current) => this.intents.changeFor(caller, current, current.resource), { detail: 'group membership changed' });
  }

  private async update(caller: Caller, id: string, compute: (current: StoredUser) => UserChange): Promise<StoredUser> {
    return this.deps.store.transact(caller, (tx) => updateUser(tx, caller, id, compute));
  }

  /** The stored resource plus what PATCH paths may read (id, derived groups), for applyPatch. */
  private patchBase(current: StoredUser): Record<string, unknown> {
    return { ...current.resource, id: current.id, groups: current.groups.map((g) => ({ value: g.id, display: g.display })) };
  }

  private audited<T>(caller: Caller, operation: string, id: string | null, fn: () => Promise<T>): Promise<T> {
    return withFailureAudit(this.deps.recordFailure, caller, operation, id, fn);
  }
}

function notFound(id: string): ScimError {
  return ScimError.notFound(`No User with id "${id}".`);
}

/** The SCIM representation of a stored user (RFC 7643 §4.1, §3.1 meta) before projection. */
export function toUserResource(user: StoredUser, baseUrl: string): Record<string, unknown> {
  const { schemas: _schemas, ...attrs } = user.resource as { schemas?: string[] } & Record<string, unknown>;
  const ext = { ...((attrs[MAILCOW_USER_SCHEMA] as Record<string, unknown> | undefined) ?? {}) };
  ext.mailboxAddress = user.mailbox.address;
  ext.usedBytes = user.mailbox.usedBytes;
  ext.messageCount = user.mailbox.messages;
  const schemas = [...new Set([...(user.resource.schemas as string[] | undefined ?? [USER_RESOURCE_TYPE.schema]), MAILCOW_USER_SCHEMA])];
  const out: Record<string, unknown> = { schemas, id: user.id, ...attrs, [MAILCOW_USER_SCHEMA]: ext };
  if (user.groups.length) {
    out.groups = user.groups.map((g) => ({ value: g.id, display: g.display, $ref: `${baseUrl}/Groups/${g.id}`, type: 'direct' }));
  }
  out.meta = resourceMeta('User', user, baseUrl);
  return out;
}
