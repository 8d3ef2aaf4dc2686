export { parseAddress, resolveMailboxAddress, emailsByPreference } from './mailbox-address.js';
export type { MailAddress } from './mailbox-address.js';
export { buildMailboxIntent, templateRulesReadGroups } from './mailbox-intent.js';
export type { MailboxIntent } from './mailbox-intent.js';
export {
  accessAttributes,
  aclFromTemplate,
  rateLimitFromTemplate,
  TAGGING_LIMIT,
  tagsFromTemplate,
  taggedMailHandlerFromTemplate,
  templateQuotaMiB,
  USER_ACL_FLAGS,
} from './mailbox-template.js';
export type { MailboxTemplate, TaggedMailHandler, UserAcl } from './mailbox-template.js';
export { assertDomainUsable, assertMailboxRoom } from './domain-limits.js';
export type { DomainLimits, DomainUsage } from './domain-limits.js';
export { quotaOrigin, quotaResettles, requestedQuotaMiB, settleQuotaMiB } from './quota.js';
export type { QuotaRequest } from './quota.js';
export { planMailboxUpdate, planNewMailbox, templateChanged } from './mailbox-plan.js';
export type { MailboxEdit, MailboxSnapshot, MailboxUpdate, NewMailboxPlan } from './mailbox-plan.js';
