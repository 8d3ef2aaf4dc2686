/**
 * What one attempt of a change has read already, so that the stores of that attempt do not read
 * it again: a user change's round trips are what it costs under load (docs/performance.md), and
 * the lock of a user reads, in the same statement, the rows the rest of the change asks for next
 * (user-lock.ts). Nothing here outlives the attempt (a retry starts from a new MailcowTx), so an
 * admin's change in mailcow applies to the next change at once.
 *
 * Each entry is what a read at that point of the transaction would have returned; a store that
 * writes what an entry describes drops it, so a later read goes to the database again.
 */
import type { MailboxTemplate } from '../provisioning/index.js';
import type { MailboxRow } from './mailboxes.js';

/** A user's groups as its representation lists them (ordered by name, then id). */
export type UserGroups = { id: string; display: string }[];

export class TxReads {
  private readonly groups = new Map<string, UserGroups>();
  private readonly mailboxes = new Map<string, MailboxRow>();
  private readonly ownedAliases = new Map<string, string[]>();
  private readonly templates = new Map<string | null, MailboxTemplate | undefined>();
  private idp: { authsource: string | null } | undefined;

  /** The groups of a user, read when its groups were locked (GroupRows.lockGroupsOf). */
  putGroups(userId: string, groups: UserGroups): void {
    this.groups.set(userId, groups);
  }

  takeGroups(userId: string): UserGroups | undefined {
    const groups = this.groups.get(userId);
    this.groups.delete(userId);
    return groups;
  }

  /** A membership changed: no user's groups are known any more. */
  dropGroups(): void {
    this.groups.clear();
  }

  /** A mailbox row as a locking read returned it (the user's lock locks its mailbox too). */
  putMailbox(row: MailboxRow): void {
    this.mailboxes.set(row.username, row);
  }

  takeMailbox(username: string): MailboxRow | undefined {
    const row = this.mailboxes.get(username);
    this.mailboxes.delete(username);
    return row;
  }

  dropMailbox(username: string): void {
    this.mailboxes.delete(username);
  }

  /** The addresses of mailcow_scim_owned_aliases a user owns, ordered by address. */
  putOwnedAliases(userId: string, addresses: string[]): void {
    this.ownedAliases.set(userId, addresses);
  }

  takeOwnedAliases(userId: string): string[] | undefined {
    const addresses = this.ownedAliases.get(userId);
    this.ownedAliases.delete(userId);
    return addresses;
  }

  dropOwnedAliases(): void {
    this.ownedAliases.clear();
  }

  /** A mailbox template by name (null: mailcow's first), undefined when there is none; templates are mailcow's, never written here. */
  putTemplate(name: string | null, template: MailboxTemplate | undefined): void {
    this.templates.set(name, template);
  }

  /** `known` is false when the template was not read in this attempt. */
  template(name: string | null): { known: boolean; template?: MailboxTemplate } {
    return this.templates.has(name) ? { known: true, template: this.templates.get(name) } : { known: false };
  }

  putIdpAuthsource(authsource: string | null): void {
    this.idp = { authsource };
  }

  idpAuthsource(): { authsource: string | null } | undefined {
    return this.idp;
  }
}
