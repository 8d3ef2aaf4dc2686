/**
 * What a user means for its mailbox under the caller's token: the intent of a new user, and
 * the change from a stored user to a new resource. Template rules are SCIM filters over the
 * user (including its derived `groups`), each parsed once.
 */
import { buildMailboxIntent, type MailboxIntent } from '../provisioning/index.js';
import { checkFilter, evaluateFilter, parseFilter, type CheckedFilter } from '../scim/filter/index.js';
import { USER_RESOURCE_TYPE } from '../scim/schema/index.js';
import type { Caller, StoredUser, UserChange } from './ports.js';

export class UserIntents {
  private readonly ruleCache = new Map<string, CheckedFilter>();

  intentOf(caller: Caller, resource: Record<string, unknown>, mailboxAddress: string): MailboxIntent {
    return buildMailboxIntent(resource, mailboxAddress, caller.token.policy, this.matchRule);
  }

  /** `next` replaces the stored resource; the intent sees the user's groups, which the resource does not hold. */
  changeFor(caller: Caller, current: StoredUser, next: Record<string, unknown>): UserChange {
    const groups = current.groups.map((g) => ({ value: g.id, display: g.display }));
    return {
      resource: next,
      userName: String(next.userName),
      externalId: typeof next.externalId === 'string' ? next.externalId : null,
      intent: this.intentOf(caller, { ...next, groups }, current.mailbox.address),
      previousIntent: this.intentOf(caller, { ...current.resource, groups }, current.mailbox.address),
    };
  }

  private readonly matchRule = (filter: string, resource: Record<string, unknown>): boolean => {
    let checked = this.ruleCache.get(filter);
    if (!checked) {
      checked = checkFilter(parseFilter(filter), USER_RESOURCE_TYPE);
      this.ruleCache.set(filter, checked);
    }
    return evaluateFilter(checked, resource);
  };
}

/** Validates a template-rule filter when a token is saved (so a typo is refused, not ignored). */
export function validateUserRuleFilter(filter: string): void {
  checkFilter(parseFilter(filter), USER_RESOURCE_TYPE);
}
