export { UserService, toUserResource, validateUserRuleFilter } from './user-service.js';
export type { PatchApplier, FailureRecorder, UserServiceDeps } from './user-service.js';
export type { Caller, MailboxState, StoredUser, NewUser, UserChange, ListQuery, ListResult, UserStore } from './ports.js';
