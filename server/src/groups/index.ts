export { GroupService, memberIdsOf, readOptionsFor, toGroupResource } from './group-service.js';
export type { GroupServiceDeps } from './group-service.js';
export type { MemberReapplier } from './group-changes.js';
export { resolveGroupAddress, slugOf } from './group-address.js';
export type {
  GroupAddress,
  GroupAddressSource,
  GroupAliasTarget,
  GroupChange,
  GroupMember,
  GroupReadOptions,
  GroupReads,
  GroupRows,
  MemberGroup,
  NewGroup,
  StoredGroup,
} from './ports.js';
