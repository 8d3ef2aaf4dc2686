/**
 * mailcow's identity provider settings: the `identity_provider` key/value table, read the way
 * `identity_provider('get')` and `('init')` read it (data/web/inc/functions.inc.php;
 * docs/mailcow-facts.md §3.1 and Appendix A.3). Read-only: mailcow's admin UI owns the table.
 */
import type { RowDataPacket } from 'mysql2';
import {
  IDENTITY_PROVIDER_KINDS,
  REQUIRED_SETTINGS,
  type IdentityProviderKind,
  type IdentityProviderSettings,
} from '../login-routing/index.js';
import type { Queryable } from './queryable.js';

/** PHP's truthiness of a string: everything but "" and "0" (how `init` tests required settings). */
function phpTruthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0';
}

/** PHP's `intval($v) == 1` for the numeric flags mailcow stores as text ("1", "0", ""). */
function isOne(value: string | undefined): boolean {
  return value !== undefined && Number.parseInt(value.trim(), 10) === 1;
}

/** Builds the settings from the table's rows (exported for tests of the parsing rules). */
export function toIdentityProviderSettings(rows: ReadonlyMap<string, string>): IdentityProviderSettings {
  const authsource = rows.get('authsource') ?? '';
  const kind = (IDENTITY_PROVIDER_KINDS as readonly string[]).includes(authsource) ? (authsource as IdentityProviderKind) : null;
  const missing = kind ? REQUIRED_SETTINGS[kind].filter((key) => !phpTruthy(rows.get(key))) : [];
  // `get` sets login_provisioning to 1 when the row is absent, else boolval() of the text.
  const loginProvisioning = rows.has('login_provisioning') ? phpTruthy(rows.get('login_provisioning')) : true;
  return {
    kind,
    authsource,
    missing,
    mailpasswordFlow: isOne(rows.get('mailpassword_flow')),
    loginProvisioning,
    importUsers: isOne(rows.get('import_users')),
    periodicSync: isOne(rows.get('periodic_sync')),
  };
}

/** Reads the current settings; a mailcow without the table (or rows) has no provider. */
export async function readIdentityProvider(db: Queryable): Promise<IdentityProviderSettings> {
  const [rows] = await db.query<RowDataPacket[]>('SELECT `key`, `value` FROM identity_provider');
  return toIdentityProviderSettings(new Map(rows.map((r) => [String(r.key), r.value === null ? '' : String(r.value)])));
}
