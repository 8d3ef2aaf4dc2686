/**
 * The Groups use cases (RFC 7644 §3.3–§3.6) for mailcow distribution lists: create, read,
 * list, replace, patch, delete. Each change is one unit of work (group-changes.ts); members are
 * Users of the same token, and the alias a group stands for is chosen in group-address.ts.
 */
import { randomUUID } from 'node:crypto';
import { withFailureAudit } from '../audit/index.js';
import { checkWritePreconditions } from '../scim/etag.js';
import { parseListParams, readListPage, type ListPage, type RawListParams } from '../scim/list-params.js';
import { normalizeResourceInput } from '../scim/resource-input.js';
import { resourceMeta } from '../scim/resource-meta.js';
import { ScimError } from '../scim/scim-error.js';
import { GROUP_RESOURCE_TYPE, MAILCOW_GROUP_SCHEMA } from '../scim/schema/index.js';
import type { UnitOfWork } from '../unit-of-work/index.js';
import type { FailureRecorder, PatchApplier } from '../users/index.js';
import { resolveGroupAddress } from './group-address.js';
import { createGroup, removeGroup, updateGroup, type MemberReapplier } from './group-changes.js';
import type { Caller, GroupChange, GroupReadOptions, GroupReads, StoredGroup } from './ports.js';

export interface GroupServiceDeps {
  store: GroupReads & UnitOfWork;
  /** Applies members again when their groups changed (the Users use case). */
  members: MemberReapplier;
  maxPageSize: number;
  applyPatch: PatchApplier;
  recordFailure?: FailureRecorder;
  /** The key sealing list cursors (RFC 9865); without it, cursor paging is refused. */
  cursorKey?: () => Promise<Uint8Array>;
}

const ALL: GroupReadOptions = { members: true };

/** `Users/<id>`, `/scim/v2/Users/<id>`, `https://…/Users/<id>` → `<id>`; undefined for anything else. */
function userIdFromRef(ref: unknown): string | undefined {
  if (typeof ref !== 'string') return undefined;
  const m = /(?:^|\/)Users\/([^/?#]+)\/?$/i.exec(ref.trim());
  return m ? decodeURIComponent(m[1]!) : undefined;
}

/**
 * The member ids of a normalised Group resource: `value`, or the id at the end of a `$ref`
 * (Keycloak sends relative `Users/<id>`); lower case, each once. Members that are not Users
 * (`type: "Group"`, a `$ref` to /Groups) are invalidValue: nested groups have no mailcow meaning.
 */
export function memberIdsOf(resource: Record<string, unknown>): string[] {
  const list = Array.isArray(resource.members) ? (resource.members as Record<string, unknown>[]) : [];
  const out = new Set<string>();
  for (const [i, m] of list.entries()) {
    const type = typeof m.type === 'string' ? m.type : undefined;
    if (type !== undefined && type.toLowerCase() !== 'user') {
      throw ScimError.invalidValue(`members[${i}] has type "${type}"; only Users can be members of a group here.`);
    }
    const id = typeof m.value === 'string' && m.value.trim() !== '' ? m.value.trim() : userIdFromRef(m.$ref);
    if (id === undefined) {
      if (typeof m.$ref === 'string' && /\/?Groups\//i.test(m.$ref)) {
        throw ScimError.invalidValue(`members[${i}] refers to a Group; only Users can be members of a group here.`);
      }
      throw ScimError.invalidValue(`members[${i}] has no "value" (the member's User id).`);
    }
    out.add(id.toLowerCase());
  }
  return [...out];
}

export class GroupService {
  constructor(private readonly deps: GroupServiceDeps) {}

  async create(caller: Caller, body: unknown, options: GroupReadOptions = ALL): Promise<StoredGroup> {
    return this.audited(caller, 'create', null, async () => {
      const next = normalizeResourceInput(GROUP_RESOURCE_TYPE, body);
      const members = memberIdsOf(next);
      const resource = stored(next);
      const group = {
        id: randomUUID(),
        resource,
        displayName: String(resource.displayName),
        externalId: typeof resource.externalId === 'string' ? resource.externalId : null,
        address: resolveGroupAddress(resource, caller.token.policy, null),
        members,
      };
      const created = await this.deps.store.transact(caller, (tx) => createGroup(tx, caller, group, this.deps.members));
      return options.members ? created : { ...created, members: undefined };
    });
  }

  async get(caller: Caller, id: string, options: GroupReadOptions = ALL): Promise<StoredGroup> {
    const group = await this.deps.store.get(caller, id, options);
    if (!group) throw ScimError.notFound(`No Group with id "${id}".`);
    return group;
  }

  /** A page by startIndex/count or by cursor (RFC 9865), as Users are listed. */
  async list(caller: Caller, raw: RawListParams, options: GroupReadOptions = ALL): Promise<ListPage<StoredGroup>> {
    const p = parseListParams(raw, GROUP_RESOURCE_TYPE, this.deps.maxPageSize);
    const cursors = this.deps.cursorKey ? { key: this.deps.cursorKey, tokenId: caller.token.id } : undefined;
    return readListPage(p, cursors, (q) => this.deps.store.list(caller, q, options));
  }

  /** PUT: the body replaces every writable attribute; no `members` means no members (Keycloak, docs/idp/clients.md §1 #7). */
  async replace(caller: Caller, id: string, body: unknown, ifMatch?: string, ifNoneMatch?: string, options: GroupReadOptions = ALL): Promise<StoredGroup> {
    const next = normalizeResourceInput(GROUP_RESOURCE_TYPE, body);
    return this.audited(caller, 'replace', id, () =>
      this.update(
        caller,
        id,
        (current) => {
          checkWritePreconditions({ ifMatch, ifNoneMatch }, current.version);
          return changeFor(caller, current, next);
        },
        options,
      ),
    );
  }

  /**
   * PATCH: all operations apply or none (RFC 7644 §3.5.2), on the group with its current
   * members; every member-removal form of the real clients is handled by applyPatch.
   */
  async patch(caller: Caller, id: string, body: unknown, ifMatch?: string, ifNoneMatch?: string, options: GroupReadOptions = ALL): Promise<StoredGroup> {
    return this.audited(caller, 'patch', id, () =>
      this.update(
        caller,
        id,
        (current) => {
          checkWritePreconditions({ ifMatch, ifNoneMatch }, current.version);
          const base = { ...current.resource, id: current.id, members: (current.members ?? []).map((m) => memberAsShown(caller.baseUrl ?? '', m)) };
          const patched = this.deps.applyPatch(base, body);
          return changeFor(caller, current, normalizeResourceInput(GROUP_RESOURCE_TYPE, patched));
        },
        options,
      ),
    );
  }

  async delete(caller: Caller, id: string, ifMatch?: string, ifNoneMatch?: string): Promise<void> {
    await this.audited(caller, 'delete', id, () =>
      this.deps.store.transact(caller, (tx) => removeGroup(tx, caller, id, (current) => checkWritePreconditions({ ifMatch, ifNoneMatch }, current.version), this.deps.members)),
    );
  }

  private async update(caller: Caller, id: string, compute: (current: StoredGroup) => GroupChange, options: GroupReadOptions): Promise<StoredGroup> {
    return this.deps.store.transact(caller, (tx) => updateGroup(tx, caller, id, compute, this.deps.members, options));
  }

  private audited<T>(caller: Caller, operation: string, id: string | null, fn: () => Promise<T>): Promise<T> {
    return withFailureAudit(this.deps.recordFailure, caller, operation, id, fn);
  }
}

/**
 * A member as responses show it (toGroupResource), for PATCH to act on: its immutable `$ref`
 * and `type` and readOnly `display` are there, so that an operation changing them is refused
 * (RFC 7644 §3.5.2: mutability) instead of being accepted and silently undone.
 */
function memberAsShown(baseUrl: string, m: { value: string; display: string }): Record<string, unknown> {
  return { value: m.value, display: m.display, $ref: `${baseUrl}/Users/${m.value}`, type: 'User' };
}

/** The resource we keep: members live in their own table, the effective address in a column. */
function stored(resource: Record<string, unknown>): Record<string, unknown> {
  const { members: _members, ...rest } = resource;
  return rest;
}

function changeFor(caller: Caller, current: StoredGroup, next: Record<string, unknown>): GroupChange {
  const resource = stored(next);
  const currentAddress = current.address && current.addressSource ? { address: current.address, source: current.addressSource } : null;
  return {
    resource,
    displayName: String(resource.displayName),
    externalId: typeof resource.externalId === 'string' ? resource.externalId : null,
    address: resolveGroupAddress(resource, caller.token.policy, currentAddress),
    members: memberIdsOf(next),
  };
}

/**
 * Which reads need the member list: not when `excludedAttributes` names `members`, nor when
 * `attributes` is given without it (RFC 7644 §3.9). Entra's lookups exclude members.
 */
export function readOptionsFor(attributes: readonly string[], excludedAttributes: readonly string[]): GroupReadOptions {
  const bare = (a: string) => {
    const lower = a.toLowerCase();
    return lower.startsWith('urn:') ? lower.slice(lower.lastIndexOf(':') + 1) : lower;
  };
  const names = (a: string) => /^members(?:$|[.[])/.test(bare(a));
  if (excludedAttributes.some((a) => bare(a) === 'members')) return { members: false };
  if (attributes.length > 0 && !attributes.some(names)) return { members: false };
  return ALL;
}

/** The SCIM representation of a stored group (RFC 7643 §4.2, §3.1 meta) before projection. */
export function toGroupResource(group: StoredGroup, baseUrl: string): Record<string, unknown> {
  const { schemas: _schemas, ...attrs } = group.resource as { schemas?: string[] } & Record<string, unknown>;
  const ext: Record<string, unknown> = { ...((attrs[MAILCOW_GROUP_SCHEMA] as Record<string, unknown> | undefined) ?? {}) };
  if (group.address) ext.address = group.address;
  else delete ext.address;
  ext.aliasActive = group.aliasActive;
  const schemas = [...new Set([...((group.resource.schemas as string[] | undefined) ?? [GROUP_RESOURCE_TYPE.schema]), MAILCOW_GROUP_SCHEMA])];
  const out: Record<string, unknown> = { schemas, id: group.id, ...attrs };
  delete out[MAILCOW_GROUP_SCHEMA];
  if (group.members?.length) {
    out.members = group.members.map((m) => memberAsShown(baseUrl, m));
  }
  out[MAILCOW_GROUP_SCHEMA] = ext;
  out.meta = resourceMeta('Group', group, baseUrl);
  return out;
}
