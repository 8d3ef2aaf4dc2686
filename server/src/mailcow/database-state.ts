/**
 * Whether the sidecar may write: the database answers, our schema is exactly the one this build
 * knows, and mailbox.authsource accepts 'scim'. A schema newer than this build (a newer image
 * migrated it, then this older one started: a rollback) refuses writes, because this build would
 * write with an outdated idea of the tables; reads go on, since migrations only add. The state is
 * re-read on demand (and after an error 1265), never assumed, so the sidecar recovers by itself
 * once an admin fixes the cause.
 */
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { readAuthsourceState } from './authsource.js';
import { ScimError } from '../scim/index.js';
import { VERSION } from '../version.js';
import type { Queryable } from './queryable.js';
import { readSchemaVersion, readSchemaWriter, SCHEMA_TARGET_VERSION } from './migrations.js';

export interface DatabaseState {
  reachable: boolean;
  pluginSchemaVersion: number;
  pluginSchemaTarget: number;
  /** The tables are newer than this build knows: writes are refused until a newer image runs. */
  pluginSchemaAhead: boolean;
  /** The mailcow-scim version that applied the newest migration ('' when unknown). */
  pluginSchemaWriter: string;
  mailcowDbSchema: string;
  authsourceHasScim: boolean;
  writesAllowed: boolean;
  /** Why writes are refused ("" when allowed). */
  problem: string;
}

function schemaAheadProblem(version: number, writer: string): string {
  return (
    `The mailcow_scim_* tables are at version ${version}, newer than this mailcow-scim ${VERSION} knows (${SCHEMA_TARGET_VERSION}): ` +
    `${writer ? `mailcow-scim ${writer}` : 'a newer mailcow-scim'} migrated them. This older image refuses every write rather than write with an outdated idea of the schema (reads go on). ` +
    `Run ${writer ? `mailcow-scim ${writer} or newer` : 'the newer image again'}; migrations are never rolled back.`
  );
}

/**
 * For writes outside a SCIM change (tokens): refuses, with the same words, when the tables are
 * newer than this build. One indexed read; those writes are rare.
 */
export async function assertSchemaKnown(db: Queryable): Promise<void> {
  const version = await readSchemaVersion(db);
  if (version > SCHEMA_TARGET_VERSION) throw ScimError.unavailable(schemaAheadProblem(version, await readSchemaWriter(db)), 30);
}

export async function readDatabaseState(pool: Pool): Promise<DatabaseState> {
  const state: DatabaseState = {
    reachable: false,
    pluginSchemaVersion: 0,
    pluginSchemaTarget: SCHEMA_TARGET_VERSION,
    pluginSchemaAhead: false,
    pluginSchemaWriter: '',
    mailcowDbSchema: '',
    authsourceHasScim: false,
    writesAllowed: false,
    problem: '',
  };
  try {
    await pool.query('SELECT 1');
    state.reachable = true;
  } catch (e) {
    state.problem = `The database is unreachable: ${(e as Error).message}`;
    return state;
  }
  try {
    state.pluginSchemaVersion = await readSchemaVersion(pool);
    const [rows] = await pool.query<RowDataPacket[]>(`SELECT version FROM versions WHERE application = 'db_schema'`).catch(() => [[]] as never);
    state.mailcowDbSchema = rows[0] ? String(rows[0].version) : '';
    state.authsourceHasScim = (await readAuthsourceState(pool)).hasScim;
  } catch (e) {
    state.problem = `The database schema could not be read: ${(e as Error).message}`;
    return state;
  }
  if (state.pluginSchemaVersion > SCHEMA_TARGET_VERSION) {
    state.pluginSchemaAhead = true;
    state.pluginSchemaWriter = await readSchemaWriter(pool);
    state.problem = schemaAheadProblem(state.pluginSchemaVersion, state.pluginSchemaWriter);
  } else if (state.pluginSchemaVersion < SCHEMA_TARGET_VERSION) {
    state.problem = `The mailcow_scim_* tables are at version ${state.pluginSchemaVersion}, this sidecar needs ${SCHEMA_TARGET_VERSION}: run \`mailcow-scim migrate\`.`;
  } else if (!state.authsourceHasScim) {
    state.problem =
      "mailbox.authsource does not accept 'scim' (a mailcow schema update re-declared it). " +
      'Run `mailcow-scim doctor --repair`, or restart the sidecar with SCIM_ENSURE_AUTHSOURCE=true.';
  } else {
    state.writesAllowed = true;
  }
  return state;
}

/**
 * Caches the last DatabaseState for a short time so that each write does not cost three
 * extra queries, and forgets it at once when a write reports a truncated authsource.
 */
export class WriteGuard {
  private cached?: { at: number; state: DatabaseState };

  constructor(
    private readonly pool: Pool,
    private readonly ttlMs = 5_000,
  ) {}

  async state(fresh = false): Promise<DatabaseState> {
    // A bad state is re-checked sooner, so writes resume within a second of the fix.
    const ttl = this.cached?.state.writesAllowed ? this.ttlMs : Math.min(this.ttlMs, 1_000);
    if (!fresh && this.cached && Date.now() - this.cached.at < ttl) return this.cached.state;
    const state = await readDatabaseState(this.pool);
    this.cached = { at: Date.now(), state };
    return state;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
