export { parseAddress, resolveMailboxAddress, emailsByPreference } from './mailbox-address.js';
export type { MailAddress } from './mailbox-address.js';
export { buildMailboxIntent, desiredAliases, displayNameOf } from './mailbox-intent.js';
export type { MailboxIntent, ProtocolName, TemplateRuleMatcher } from './mailbox-intent.js';
