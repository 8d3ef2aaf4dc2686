/**
 * What the child-process tests share: a test database migrated as the sidecar would, a token
 * issued through the real TokenService, and the processlist of a database (to find a killed
 * process's connections).
 */
import type { RowDataPacket } from 'mysql2';
import { createLogger } from '../../server/src/logging.js';
import { nowIso } from '../../server/src/mailcow/db-time.js';
import type { DatabasePool } from '../../server/src/mailcow/queryable.js';
import { createTokenStore } from '../../server/src/mailcow/token-store.js';
import { prepareDatabase } from '../../server/src/main.js';
import { TokenService } from '../../server/src/tokens/index.js';
import { validateUserRuleFilter } from '../../server/src/users/index.js';

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export function tokenService(pool: DatabasePool): TokenService {
  return new TokenService({ store: createTokenStore(pool), now: nowIso, validateRuleFilter: validateUserRuleFilter });
}

/** Issues a token for `domains` (migrating first unless a sidecar already did); returns its secret. */
export async function issueToken(pool: DatabasePool, domains: string[], options: { name?: string; migrate?: boolean } = {}): Promise<string> {
  if (options.migrate !== false) await prepareDatabase(pool, { ensureAuthsource: true }, createLogger({ level: 'silent' }));
  return (await tokenService(pool).create(options.name ?? 'crash', { domains })).secret;
}

/** Connections to database `db` running a statement that matches `like` (SQL LIKE). */
export async function connectionsRunning(pool: DatabasePool, db: string, like: string): Promise<number[]> {
  const [rows] = await pool.query<RowDataPacket[]>(`SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE ?`, [db, like]);
  return rows.map((r) => Number(r.ID));
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
