export { GroupService, memberIdsOf, readOptionsFor, toGroupResource } from './group-service.js';
export type { GroupServiceDeps } from './group-service.js';
export { resolveGroupAddress, slugOf } from './group-address.js';
export type { GroupAddress, GroupAddressSource, GroupChange, GroupMember, GroupReadOptions, GroupStore, NewGroup, StoredGroup } from './ports.js';
