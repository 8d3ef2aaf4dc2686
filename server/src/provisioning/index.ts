export { parseAddress, resolveMailboxAddress, emailsByPreference } from './mailbox-address.js';
export type { MailAddress } from './mailbox-address.js';
export { buildMailboxIntent, desiredAliases, displayNameOf, templateRulesReadGroups } from './mailbox-intent.js';
export type { MailboxIntent, ProtocolName, TemplateRuleMatcher } from './mailbox-intent.js';
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
export type { QuotaOrigin, QuotaRequest } from './quota.js';
export { planMailboxUpdate, planNewMailbox, templateChanged } from './mailbox-plan.js';
export type { MailboxEdit, MailboxSnapshot, MailboxUpdate, NewMailboxPlan, TemplateSettings } from './mailbox-plan.js';
