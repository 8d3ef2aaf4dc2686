export { UserService, toUserResource } from './user-service.js';
export { validateUserRuleFilter } from './user-intents.js';
export type { PatchApplier, FailureRecorder } from './user-service.js';
export type { Caller, StoredUser, ListQuery, ListResult, UserReads } from './ports.js';
export type { CreateFacts, DomainRows, MailboxOwner, MailboxRows, MailcowSettings, NewUserRecord, UserAliasRows, UserRecord, UserRows } from './ports.js';
