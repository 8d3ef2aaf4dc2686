/**
 * What the Groups use cases need from storage, as plain types (style.md: ports take plain
 * values, not HTTP requests). The mailcow data layer implements GroupStore.
 */
import type { Caller, ListQuery, ListResult } from '../users/index.js';

/** Where a group's alias address came from (group-address.ts). */
export type GroupAddressSource = 'attribute' | 'emails' | 'name';

export interface GroupAddress {
  /** Lower case, punycode domain, as mailcow stores alias.address. */
  address: string;
  source: GroupAddressSource;
}

/** A member as the group lists it: a User of the same token. */
export interface GroupMember {
  value: string;
  /** The user's displayName, else its userName. */
  display: string;
}

export interface StoredGroup {
  id: string;
  tokenId: string;
  displayName: string;
  externalId: string | null;
  /** The canonical resource as the IdP last sent it (no id, meta or members). */
  resource: Record<string, unknown>;
  version: number;
  created: string;
  lastModified: string;
  /** The mailcow alias the group owns, or null for a policy-only group. */
  address: string | null;
  addressSource: GroupAddressSource | null;
  /** Whether that alias exists and is active (it is inactive while no member is active). */
  aliasActive: boolean;
  /** Absent when the read did not ask for members (excludedAttributes=members). */
  members?: GroupMember[];
}

export interface NewGroup {
  id: string;
  resource: Record<string, unknown>;
  displayName: string;
  externalId: string | null;
  address: GroupAddress | null;
  /** Member user ids, deduplicated, lower case. */
  members: string[];
}

export interface GroupChange {
  resource: Record<string, unknown>;
  displayName: string;
  externalId: string | null;
  address: GroupAddress | null;
  /** The complete new member list (user ids). */
  members: string[];
}

export interface GroupReadOptions {
  /** Load the member list (it can be long; Entra's lookups exclude it). */
  members: boolean;
}

export interface GroupStore {
  /**
   * Creates the group, its memberships and its alias in one transaction. Unknown member ids are
   * `invalidValue` naming them; an address taken by anything else is `uniqueness`.
   */
  create(caller: Caller, group: NewGroup): Promise<StoredGroup>;
  get(caller: Caller, id: string, options: GroupReadOptions): Promise<StoredGroup | undefined>;
  list(caller: Caller, query: ListQuery, options: GroupReadOptions): Promise<ListResult<StoredGroup>>;
  /**
   * Locks the group, lets `change` compute the new state from the current one (members
   * loaded; throwing aborts everything), and writes memberships, alias and sender ACLs in one
   * transaction. Concurrent updates of one group are serialised, so no member is lost.
   */
  update(caller: Caller, id: string, change: (current: StoredGroup) => GroupChange, options: GroupReadOptions): Promise<StoredGroup>;
  /** Removes the group, its memberships, its alias and the sender ACL rows it made. */
  remove(caller: Caller, id: string, check: (current: StoredGroup) => void): Promise<void>;
}

export type { Caller, ListQuery, ListResult };
