/**
 * What a user create reads before it writes, in one statement: the domain's limits, a user of
 * the token already holding the userName, what already uses the address, the mailbox template
 * and the configured IdP. Five round trips were a fifth of a create's statements, and under load
 * a create costs about what its statements cost (`npm run bench`, docs/performance.md).
 */
import type { RowDataPacket } from 'mysql2';
import type { CreateFacts } from '../users/ports.js';
import { DOMAIN_COLUMNS, domainFromRow } from './domains.js';
import { IDP_AUTHSOURCE_QUERY, idpAuthsourceFrom } from './idp-settings.js';
import { ADDRESS_USE_COLUMNS, addressUseFrom } from './mailboxes.js';
import type { Queryable } from './queryable.js';
import { mailboxTemplateFrom, mailboxTemplateQuery } from './templates.js';

export async function readCreateFacts(
  db: Queryable,
  want: { tokenId: string; userNameLc: string; address: string; domain: string; template: string | null },
): Promise<CreateFacts> {
  const template = mailboxTemplateQuery(want.template);
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT ${DOMAIN_COLUMNS.map((c) => `d.${c}`).join(', ')}, t.template, t.attributes,
            (SELECT id FROM mailcow_scim_users WHERE token_id = ? AND user_name_lc = ?) AS taken_by,
            ${ADDRESS_USE_COLUMNS},
            (${IDP_AUTHSOURCE_QUERY}) AS idp
       FROM (SELECT 1) AS one
       LEFT JOIN domain d ON d.domain = ?
       LEFT JOIN (${template.sql}) AS t ON TRUE`,
    [want.tokenId, want.userNameLc, want.address, want.address, want.address, want.domain, ...template.params],
  );
  const r = rows[0]!;
  return {
    domain: r.domain === null ? undefined : domainFromRow(r),
    takenBy: r.taken_by === null ? null : String(r.taken_by),
    address: addressUseFrom(r),
    template: mailboxTemplateFrom(want.template, r),
    idpAuthsource: idpAuthsourceFrom(r.idp),
  };
}
