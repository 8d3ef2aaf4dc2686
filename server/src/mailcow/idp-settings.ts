import type { RowDataPacket } from 'mysql2';
import type { Queryable } from './queryable.js';

/** The configured IdP's authsource (`identity_provider` key `authsource`, §1.3), or null. */
export async function readIdpAuthsource(db: Queryable): Promise<string | null> {
  const [rows] = await db.query<RowDataPacket[]>(`SELECT value FROM identity_provider WHERE \`key\` = 'authsource'`);
  const v = rows[0] ? String(rows[0].value) : '';
  return v === 'keycloak' || v === 'generic-oidc' || v === 'ldap' ? v : null;
}
