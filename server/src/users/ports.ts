/**
 * What the Users use cases need from storage, as plain types (CONTRIBUTING.md "Code": ports take plain
 * values, not HTTP requests): reads outside a change, and the rows a change reads and writes
 * inside the unit of work's transaction (unit-of-work/). The mailcow data layer implements them.
 */
import type { CursorState, KeysetPosition } from '../scim/cursor.js';
import type { CheckedAttribute, CheckedFilter } from '../scim/filter/index.js';
import type {
  DomainLimits,
  DomainUsage,
  MailAddress,
  MailboxIntent,
  MailboxSnapshot,
  MailboxTemplate,
  MailboxUpdate,
  NewMailboxPlan,
} from '../provisioning/index.js';
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
interface MailboxState {
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

/** Users as a caller sees them, outside any change. */
export interface UserReads {
  get(caller: Caller, id: string): Promise<StoredUser | undefined>;
  list(caller: Caller, query: ListQuery): Promise<ListResult<StoredUser>>;
}

// --- inside a change: every method runs in the change's transaction, scoped to its caller ----

/** What a create reads before it writes (one statement: creates cost what their statements cost). */
export interface CreateFacts {
  /** Undefined when mailcow has no such domain. */
  domain: DomainLimits | undefined;
  /** The id of the caller's user that already has this userName. */
  takenBy: string | null;
  /** What already uses the address: a mailbox, an alias (with its goto), a spam alias. */
  address: { mailbox: boolean; aliasGoto: string | null; spamAlias: boolean };
  /** The template the intent names (mailcow's first one for null); undefined when there is no such template. */
  template: MailboxTemplate | undefined;
  /** The IdP configured in mailcow (its authsource), which shapes a new mailbox's attributes. */
  idpAuthsource: string | null;
}

/** The SCIM user linked to a mailbox, of whichever token. */
export interface MailboxOwner {
  id: string;
  tokenId: string;
  tokenName: string;
  userName: string;
}

/** The SCIM side of a user, as a change writes it. */
export interface UserRecord {
  userName: string;
  externalId: string | null;
  resource: Record<string, unknown>;
  /** The template applied to the mailbox by this change. */
  appliedTemplate: string;
}

export interface NewUserRecord extends UserRecord {
  id: string;
  mailbox: MailAddress;
}

export interface UserRows {
  createFacts(want: { userName: string; address: MailAddress; template: string | null }): Promise<CreateFacts>;
  /** The user, locked for the rest of the change, with its groups; notFound when the caller cannot see it. */
  lock(id: string): Promise<StoredUser>;
  /**
   * The user as this change leaves it, read before the commit: read after it, a DELETE
   * committed in between would leave nothing to answer with.
   */
  read(id: string): Promise<StoredUser | undefined>;
  /** Another user of the caller's token that has this userName. */
  userNameOwner(userName: string, exceptId: string): Promise<string | null>;
  /** Who owns the mailbox, locked (a claim must not race another). */
  mailboxOwner(mailbox: string): Promise<MailboxOwner | undefined>;
  /** Returns the creation time as it reads back (the database's precision); 400 for values its columns cannot hold. */
  insert(user: NewUserRecord): Promise<string>;
  /**
   * `previous` is the resource before the change: the e-mail index is rewritten only when its
   * e-mails differ. Returns the new lastModified as it reads back (the database's precision);
   * the version moves by one.
   */
  update(id: string, next: UserRecord, previous: Record<string, unknown>): Promise<string>;
  delete(id: string): Promise<void>;
  /** Which of `ids` (lower case) are users the caller can see. */
  visible(ids: readonly string[]): Promise<Set<string>>;
  /**
   * The same, locking the users found: a user deleted concurrently is either gone or waits for
   * this change (a plain read saw it, and a membership INSERT then failed its foreign key).
   */
  lockVisible(ids: readonly string[]): Promise<Set<string>>;
  /** Locks these users' rows in one order (sorted, by primary key), before a change touches what refers to them. */
  lockRows(ids: readonly string[]): Promise<void>;
  /** Moves the version of users whose representation changed without a change of their own (their groups). */
  touch(ids: readonly string[]): Promise<void>;
}

/** The columns of a mailbox row that StoredUser.mailbox carries. */
export type WrittenMailbox = Pick<MailboxSnapshot, 'active' | 'name' | 'quotaBytes'>;

export interface MailboxRows {
  lock(address: string): Promise<MailboxSnapshot | undefined>;
  insert(mailbox: NewMailboxPlan): Promise<void>;
  setQuota(address: string, quotaBytes: number): Promise<void>;
  /** Returns what the mailbox row holds afterwards, for an answer built without reading it back. */
  update(mailbox: MailboxSnapshot, update: MailboxUpdate): Promise<WrittenMailbox>;
  /** Removes the mailbox's rows the way mailcow's delete does (the maildir stays: mailcow's dockerapi moves it). */
  delete(address: string): Promise<void>;
  /**
   * Writes the rows mailcow derives from the mailbox outside its own tables (SOGo's view row)
   * now, inside the change, rather than after the commit: for a mailbox the change created, once
   * everything those rows read (the mailbox, its aliases) is written.
   */
  publish(address: string): Promise<void>;
}

export interface DomainRows {
  /** Locks the domain row: it serialises the checks of mailcow's limits. */
  lock(domain: string): Promise<DomainLimits | undefined>;
  usage(domain: string): Promise<DomainUsage>;
  /** lock, then usage, in one statement: the usage read once the lock is held. */
  lockWithUsage(domain: string): Promise<{ domain: DomainLimits; usage: DomainUsage } | undefined>;
}

/** mailcow's configuration as a change reads it. */
export interface MailcowSettings {
  /** The named mailbox template, or mailcow's first for null; undefined when there is no such template. */
  template(name: string | null): Promise<MailboxTemplate | undefined>;
  idpAuthsource(): Promise<string | null>;
}

/** The aliases a user owns (secondary e-mails, an old userName). */
export interface UserAliasRows {
  /** Makes the user's aliases exactly `desired`, all delivering to `mailbox`; 409 for an address something else has. */
  sync(userId: string, mailbox: string, desired: readonly string[], note: string): Promise<void>;
  /** A claim: the aliases that still deliver to the mailbox belong to the new user. */
  relink(mailbox: string, userId: string): Promise<void>;
  /** The user goes, its aliases stay (mail to them keeps arriving); a re-hire relinks them. */
  release(userId: string): Promise<void>;
  /** The user and its mailbox go: the records of its aliases go too. */
  remove(userId: string): Promise<void>;
}
