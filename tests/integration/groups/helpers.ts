/** Shared pieces of the Groups tests: SCIM URNs, a user factory, and the rows mailcow reads for a group. */
import { expect } from 'vitest';
import type { scimClient } from '../../helpers/http.js';
import { rowsOf } from '../../helpers/mailcow-rows.js';
import type { DatabasePool } from '../../../server/src/mailcow/queryable.js';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const MC_GROUP = 'urn:ietf:params:scim:schemas:extension:mailcow:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

export type Client = ReturnType<typeof scimClient>;

export function patchOp(...Operations: Record<string, unknown>[]) {
  return { schemas: [PATCH_OP], Operations };
}

/** Creates a user and returns its id. */
export async function createUser(api: Client, userName: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await api.post('/Users', { schemas: [USER], userName, active: true, ...extra });
  expect(r.status, r.text).toBe(201);
  return r.body.id as string;
}

/** The alias row of `address` as mailcow reads it (undefined when there is none). */
export async function aliasRow(pool: DatabasePool, address: string) {
  return (
    await rowsOf(pool, `SELECT address, goto, domain, active, sogo_visible, internal, sender_allowed, private_comment, public_comment FROM alias WHERE address = ?`, [address])
  )[0];
}

/** sender_acl rows granting `address`, as "logged_in_as" strings, sorted. */
export async function sendersOf(pool: DatabasePool, address: string): Promise<string[]> {
  const rows = await rowsOf(pool, `SELECT logged_in_as FROM sender_acl WHERE send_as = ? AND external = 0 ORDER BY logged_in_as`, [address]);
  return rows.map((r) => String(r.logged_in_as));
}

/** The `aliases` column of a mailbox's _sogo_static_view row, split (undefined when there is no row). */
export async function sogoAliases(pool: DatabasePool, mailbox: string): Promise<string[] | undefined> {
  const rows = await rowsOf(pool, `SELECT aliases FROM _sogo_static_view WHERE c_uid = ?`, [mailbox]);
  if (!rows[0]) return undefined;
  return String(rows[0].aliases).split(' ').filter(Boolean);
}

export function expectScimError(r: { status: number; body: Record<string, unknown> }, status: number, scimType?: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body.schemas).toEqual([ERROR]);
  expect(r.body.status).toBe(String(status));
  if (scimType) expect(r.body.scimType).toBe(scimType);
  expect(typeof r.body.detail).toBe('string');
}

export function memberIds(group: Record<string, unknown>): string[] {
  return ((group.members ?? []) as { value: string }[]).map((m) => m.value).sort();
}
