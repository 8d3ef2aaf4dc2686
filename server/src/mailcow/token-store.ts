/** mailcow_scim_tokens: the TokenStore port on MariaDB. */
import type { RowDataPacket } from 'mysql2';
import type { Queryable } from './queryable.js';
import type { TokenRecord, TokenStore } from '../tokens/index.js';
import { buildPolicy } from '../tokens/index.js';
import { assertSchemaKnown } from './database-state.js';
import { fromDbTime, toDbTime } from './db-time.js';
import { ScimError } from '../scim/index.js';
import { isDuplicateKeyError } from './sql-errors.js';

/** The unique key on live token names (migration 5) caught a name another writer took first. */
function nameTaken(e: unknown, name: string | undefined): unknown {
  if (isDuplicateKeyError(e) && /live_name/.test(String((e as { sqlMessage?: string }).sqlMessage))) {
    return ScimError.uniqueness(`A token named "${name ?? ''}" exists already; choose another name, or revoke that one first.`);
  }
  return e;
}

interface TokenRow extends RowDataPacket {
  id: string;
  name: string;
  token_hash: Buffer;
  prefix: string;
  policy: string;
  active: number;
  revoked_at: string | null;
  created_at: string;
  updated_at: string;
  last_used_at: string | null;
  last_used_ip: string | null;
}

/** Named, so the generated live_name column (migration 5) never reaches a record. */
const TOKEN_COLUMNS = 'id, name, token_hash, prefix, policy, active, revoked_at, created_at, updated_at, last_used_at, last_used_ip';

function toRecord(row: TokenRow): TokenRecord {
  let policy;
  try {
    policy = buildPolicy(JSON.parse(row.policy));
  } catch {
    // A policy edited by hand into something invalid must not widen access: fall back to no domains.
    policy = buildPolicy({});
  }
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    active: row.active === 1,
    revokedAt: fromDbTime(row.revoked_at),
    policy,
    createdAt: fromDbTime(row.created_at)!,
    updatedAt: fromDbTime(row.updated_at)!,
    lastUsedAt: fromDbTime(row.last_used_at),
    lastUsedIp: row.last_used_ip,
  };
}

export function createTokenStore(db: Queryable): TokenStore {
  return {
    async insert(r, hash) {
      await assertSchemaKnown(db);
      await db
        .execute(
          `INSERT INTO mailcow_scim_tokens (id, name, token_hash, prefix, policy, active, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          [r.id, r.name, hash, r.prefix, JSON.stringify(r.policy), r.active ? 1 : 0, toDbTime(r.createdAt), toDbTime(r.updatedAt)],
        )
        .catch((e: unknown) => Promise.reject(nameTaken(e, r.name)));
    },
    async list(includeRevoked) {
      const [rows] = await db.query<TokenRow[]>(
        `SELECT ${TOKEN_COLUMNS} FROM mailcow_scim_tokens ${includeRevoked ? '' : 'WHERE revoked_at IS NULL'} ORDER BY created_at, id`,
      );
      return rows.map(toRecord);
    },
    async get(id) {
      const [rows] = await db.execute<TokenRow[]>(`SELECT ${TOKEN_COLUMNS} FROM mailcow_scim_tokens WHERE id = ?`, [id]);
      return rows[0] ? toRecord(rows[0]) : undefined;
    },
    async findByHash(hash) {
      const [rows] = await db.execute<TokenRow[]>(`SELECT ${TOKEN_COLUMNS} FROM mailcow_scim_tokens WHERE token_hash = ?`, [hash]);
      return rows[0] ? { record: toRecord(rows[0]), hash: rows[0].token_hash } : undefined;
    },
    async update(id, c) {
      await assertSchemaKnown(db);
      const sets: string[] = ['updated_at = ?'];
      const values: unknown[] = [toDbTime(c.updatedAt)];
      if (c.name !== undefined) (sets.push('name = ?'), values.push(c.name));
      if (c.active !== undefined) (sets.push('active = ?'), values.push(c.active ? 1 : 0));
      if (c.policy !== undefined) (sets.push('policy = ?'), values.push(JSON.stringify(c.policy)));
      if (c.revokedAt !== undefined) (sets.push('revoked_at = ?'), values.push(toDbTime(c.revokedAt)));
      if (c.hash !== undefined) (sets.push('token_hash = ?'), values.push(c.hash));
      if (c.prefix !== undefined) (sets.push('prefix = ?'), values.push(c.prefix));
      values.push(id);
      await db.execute(`UPDATE mailcow_scim_tokens SET ${sets.join(', ')} WHERE id = ?`, values as never[]).catch((e: unknown) => Promise.reject(nameTaken(e, c.name)));
    },
    async touch(id, at, ip) {
      await db.execute(`UPDATE mailcow_scim_tokens SET last_used_at = ?, last_used_ip = ? WHERE id = ?`, [toDbTime(at), ip, id]);
    },
    async missingDomains(domains) {
      if (domains.length === 0) return [];
      const [rows] = await db.query<RowDataPacket[]>(`SELECT domain FROM domain WHERE domain IN (?)`, [domains]);
      const found = new Set(rows.map((r) => String(r.domain).toLowerCase()));
      return domains.filter((d) => !found.has(d));
    },
    async missingTemplates(names) {
      if (names.length === 0) return [];
      const [rows] = await db.query<RowDataPacket[]>(`SELECT template FROM templates WHERE type = 'mailbox' AND template IN (?)`, [names]);
      const found = new Set(rows.map((r) => String(r.template)));
      return names.filter((n) => !found.has(n));
    },
  };
}
