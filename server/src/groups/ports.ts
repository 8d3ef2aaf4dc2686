/**
 * What the Groups use cases need from storage, as plain types (CONTRIBUTING.md "Code": ports take plain
 * values, not HTTP requests): reads outside a change, and the rows a change reads and writes
 * inside the unit of work's transaction (unit-of-work/). The mailcow data layer implements them.
 */
import type { Caller, ListQuery, ListResult } from '../users/ports.js';

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

/** Groups as a caller sees them, outside any change. */
export interface GroupReads {
  get(caller: Caller, id: string, options: GroupReadOptions): Promise<StoredGroup | undefined>;
  list(caller: Caller, query: ListQuery, options: GroupReadOptions): Promise<ListResult<StoredGroup>>;
}

/** The alias a group stands for, as one change wants it. */
export interface GroupAliasTarget {
  groupId: string;
  tokenId: string;
  /** The address the group owns after the change, or null. */
  address: string | null;
  /** The address it owned before, or null. */
  previous: string | null;
  /** Active members may send as the address (the token's `groupSenderAcl`). */
  senderAcl: boolean;
  displayName: string;
}

/** A group as a member's change sees it. */
export interface MemberGroup {
  id: string;
  tokenId: string;
  displayName: string;
  address: string | null;
}

/**
 * Lock order, everywhere: group rows (by id), then user rows, then mailbox and domain rows. A
 * group change locks the group, then its members; a user change locks its groups first.
 */
export interface GroupRows {
  /** The group with its members, locked for the rest of the change; notFound when the caller cannot see it. */
  lock(id: string): Promise<StoredGroup>;
  /** The group as this change leaves it, read before the commit (as UserRows.read). */
  read(id: string, options: GroupReadOptions): Promise<StoredGroup | undefined>;
  /** A new group's row; its address is set once the alias is the group's (setAddress), so a taken one is a 409 that names it. */
  insert(group: NewGroup): Promise<void>;
  setAddress(id: string, address: GroupAddress): Promise<void>;
  update(id: string, change: GroupChange): Promise<void>;
  delete(id: string): Promise<void>;
  addMembers(groupId: string, userIds: readonly string[]): Promise<void>;
  /** The members' sender ACL rows go with them. */
  removeMembers(groupId: string, userIds: readonly string[]): Promise<void>;
  /** Brings alias, goto and sender ACLs in line with the members; 409 when the address is anything else's. */
  syncAlias(target: GroupAliasTarget): Promise<{ flipped: boolean }>;
  /** A deleted group: its memberships, their sender ACL rows and its alias go. */
  removeAlias(groupId: string, address: string | null): Promise<void>;
  /** Locks the groups a user is in: the first step of every user change (the lock order above). */
  lockGroupsOf(userId: string): Promise<void>;
  /** The groups a user is in, counting memberships committed since the change began. */
  groupsOf(userId: string): Promise<string[]>;
  /** One of those groups, locked. */
  lockForMember(id: string): Promise<MemberGroup | undefined>;
  /** Moves the group's version: its representation changed (a member left, its alias turned on or off). */
  touch(id: string): Promise<void>;
}

export type { Caller };
