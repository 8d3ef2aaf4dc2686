/**
 * What the Users use cases need from storage, as plain types (style.md: ports take plain
 * values, not HTTP requests). The mailcow data layer implements UserStore.
 */
import type { CursorState, KeysetPosition } from '../scim/cursor.js';
import type { CheckedAttribute, CheckedFilter } from '../scim/filter/index.js';
import type { MailboxIntent } from '../provisioning/index.js';
import type { TokenRecord } from '../tokens/index.js';

/** Who is asking, for isolation and the audit log. */
export interface Caller {
  token: TokenRecord;
  requestId: string;
  clientIp: string | null;
  /** The SCIM base URL the request came in on (meta.location), when the surface knows it. */
  baseUrl?: string;
}

/** The mailbox a SCIM user owns, as mailcow has it now. */
export interface MailboxState {
  address: string;
  active: number;
  name: string;
  quotaBytes: number;
  usedBytes: number;
  messages: number;
}

export interface StoredUser {
  id: string;
  tokenId: string;
  userName: string;
  externalId: string | null;
  /** The canonical resource as the IdP last sent it (no id/meta). */
  resource: Record<string, unknown>;
  version: number;
  created: string;
  lastModified: string;
  /** The template last applied to the mailbox. */
  appliedTemplate: string | null;
  mailbox: MailboxState;
  /** Groups (same token) the user is a member of, for the derived `groups` attribute. */
  groups: { id: string; display: string }[];
}

export interface NewUser {
  id: string;
  resource: Record<string, unknown>;
  userName: string;
  externalId: string | null;
  address: { localPart: string; domain: string; address: string };
  intent: MailboxIntent;
}

export interface UserChange {
  resource: Record<string, unknown>;
  userName: string;
  externalId: string | null;
  intent: MailboxIntent;
  /** What the current resource meant, so only real differences touch the mailbox. */
  previousIntent: MailboxIntent;
}

export interface ListQuery {
  filter?: CheckedFilter;
  /** 1-based (RFC 7644 §3.4.2.4). */
  startIndex: number;
  /** 0 means totalResults only. */
  count: number;
  sortBy?: CheckedAttribute;
  descending: boolean;
  /** Cursor paging (RFC 9865): the page after (or before) this position instead of startIndex. */
  seek?: CursorState;
}

export interface ListResult<T> {
  total: number;
  items: T[];
  /** With a seek: each item's keyset position, for the next and previous cursors. */
  positions?: KeysetPosition[];
  /** With a seek: whether more items follow the page in the seek's direction. */
  more?: boolean;
}

export interface UserStore {
  /** Creates the mailbox (or claims an unlinked 'scim' one) and the SCIM user, in one transaction. */
  create(caller: Caller, user: NewUser): Promise<StoredUser>;
  get(caller: Caller, id: string): Promise<StoredUser | undefined>;
  list(caller: Caller, query: ListQuery): Promise<ListResult<StoredUser>>;
  /**
   * Locks the user, lets `change` compute the new state from the current one (throwing aborts
   * everything), and writes it with the mailbox changes, in one transaction.
   */
  update(caller: Caller, id: string, change: (current: StoredUser) => UserChange): Promise<StoredUser>;
  /** Applies the token's delete mode to the mailbox and removes the SCIM user. */
  remove(caller: Caller, id: string, check: (current: StoredUser) => void): Promise<void>;
}
