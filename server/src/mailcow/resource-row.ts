/** The columns every resource table of ours has (mailcow_scim_users, mailcow_scim_groups), read the same way. */
import type { RowDataPacket } from 'mysql2';
import { fromDbTime } from './db-time.js';

export interface ResourceRow extends RowDataPacket {
  id: string;
  token_id: string;
  external_id: string | null;
  resource: string;
  version: number;
  created_at: string;
  last_modified: string;
}

export interface ResourceFields {
  id: string;
  tokenId: string;
  externalId: string | null;
  resource: Record<string, unknown>;
  version: number;
  created: string;
  lastModified: string;
}

export function resourceFields(r: ResourceRow): ResourceFields {
  return {
    id: r.id,
    tokenId: r.token_id,
    externalId: r.external_id,
    resource: JSON.parse(r.resource) as Record<string, unknown>,
    version: Number(r.version),
    created: fromDbTime(r.created_at)!,
    lastModified: fromDbTime(r.last_modified)!,
  };
}
