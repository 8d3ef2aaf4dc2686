import type { RowDataPacket } from 'mysql2';
import type { Queryable } from './queryable.js';

/** The SELECT of the configured IdP's authsource (column `value`; no row when none is set). */
export const IDP_AUTHSOURCE_QUERY = `SELECT value FROM identity_provider WHERE \`key\` = 'authsource'`;

/** The configured IdP's authsource (`identity_provider` key `authsource`, §1.3), or null. */
export async function readIdpAuthsource(db: Queryable): Promise<string | null> {
  const [rows] = await db.query<RowDataPacket[]>(IDP_AUTHSOURCE_QUERY);
  return idpAuthsourceFrom(rows[0]?.value);
}

/** An `identity_provider` authsource value as readIdpAuthsource answers it. */
export function idpAuthsourceFrom(value: unknown): string | null {
  const v = value === null || value === undefined ? '' : String(value);
  return v === 'keycloak' || v === 'generic-oidc' || v === 'ldap' ? v : null;
}
