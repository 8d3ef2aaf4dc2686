export { GroupService, memberIdsOf, readOptionsFor, toGroupResource } from './group-service.js';
export { resolveGroupAddress, slugOf } from './group-address.js';
export type {
  GroupAliasTarget,
  GroupChange,
  GroupReadOptions,
  GroupReads,
  GroupRows,
  MemberGroup,
  NewGroup,
  StoredGroup,
} from './ports.js';
