/** Reads what mailcow itself would read for a mailbox, for assertions on real rows. */
import type { RowDataPacket } from 'mysql2';
import type { DatabasePool } from '../../server/src/mailcow/queryable.js';

export async function rowsOf(pool: DatabasePool, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const [rows] = await pool.query<RowDataPacket[]>(sql, params);
  return rows.map((r) => ({ ...r }));
}

export async function mailboxFootprint(pool: DatabasePool, username: string) {
  const one = async (sql: string) => (await rowsOf(pool, sql, [username]))[0];
  return {
    mailbox: await one(`SELECT * FROM mailbox WHERE username = ?`),
    quota2: await one(`SELECT * FROM quota2 WHERE username = ?`),
    quota2replica: await one(`SELECT * FROM quota2replica WHERE username = ?`),
    selfAlias: await one(`SELECT * FROM alias WHERE address = ? AND goto = address`),
    userAcl: await one(`SELECT * FROM user_acl WHERE username = ?`),
    tags: (await rowsOf(pool, `SELECT tag_name FROM tags_mailbox WHERE username = ? ORDER BY tag_name`, [username])).map((r) => r.tag_name),
    sogo: await one(`SELECT * FROM _sogo_static_view WHERE c_uid = ?`),
    aliases: await rowsOf(pool, `SELECT address, goto, active FROM alias WHERE goto = ? AND address <> goto ORDER BY address`, [username]),
  };
}

/**
 * Every way the SCIM rows and mailcow's rows can disagree after a run, as readable lines (empty
 * when all is whole): each SCIM user's mailbox has its quota2, quota2replica, self-alias and
 * user_acl rows and authsource 'scim'; an active one has its SOGo row; a 'scim' mailbox no SCIM
 * user owns any more is deactivated (2 or 0), as a DELETE leaves it; a group with an address
 * has its alias.
 */
export async function partialMailboxes(pool: DatabasePool): Promise<string[]> {
  const problems: string[] = [];
  const missing = async (what: string, sql: string) => {
    for (const r of await rowsOf(pool, sql)) problems.push(`${what}: ${String(r.who)}`);
  };
  const owned = `SELECT u.mailbox AS who FROM mailcow_scim_users u`;
  await missing('SCIM user without its mailbox', `${owned} LEFT JOIN mailbox m ON m.username = u.mailbox WHERE m.username IS NULL`);
  await missing("owned mailbox whose authsource is not 'scim'", `${owned} JOIN mailbox m ON m.username = u.mailbox WHERE m.authsource IS NULL OR m.authsource <> 'scim'`);
  const scimMailboxes = `SELECT m.username AS who FROM mailbox m`;
  const ofScim = `m.authsource = 'scim'`;
  await missing("'scim' mailbox without quota2", `${scimMailboxes} LEFT JOIN quota2 q ON q.username = m.username WHERE ${ofScim} AND q.username IS NULL`);
  await missing("'scim' mailbox without quota2replica", `${scimMailboxes} LEFT JOIN quota2replica q ON q.username = m.username WHERE ${ofScim} AND q.username IS NULL`);
  await missing("'scim' mailbox without its self alias", `${scimMailboxes} LEFT JOIN alias a ON a.address = m.username AND a.goto = m.username WHERE ${ofScim} AND a.address IS NULL`);
  await missing("'scim' mailbox without user_acl", `${scimMailboxes} LEFT JOIN user_acl a ON a.username = m.username WHERE ${ofScim} AND a.username IS NULL`);
  await missing('active owned mailbox without its SOGo row', `${owned} JOIN mailbox m ON m.username = u.mailbox LEFT JOIN _sogo_static_view s ON s.c_uid = m.username WHERE m.active = 1 AND s.c_uid IS NULL`);
  await missing("unowned 'scim' mailbox still active", `${scimMailboxes} LEFT JOIN mailcow_scim_users u ON u.mailbox = m.username WHERE ${ofScim} AND u.id IS NULL AND m.active = 1`);
  await missing('group address without its alias', `SELECT g.address AS who FROM mailcow_scim_groups g LEFT JOIN alias a ON a.address = g.address WHERE g.address IS NOT NULL AND a.address IS NULL`);
  return problems;
}

/**
 * What mailcow's "add mailbox" form puts in its quota field, computed from the same rows
 * mailcow reads (mailcow 2026-07, data/web/js/site/mailbox.js and functions.mailbox.inc.php):
 * picking the domain fills `def_new_mailbox_quota` (the domain default, capped by the room left
 * and the per-mailbox maximum, `mailbox('get','domain_details')`); picking a template fills
 * `template.quota / 1048576` (setMailboxTemplateData). The field's `max` is
 * `max_new_mailbox_quota`; a larger value is marked and not sent, and `mailbox('add')` refuses
 * it too (`mailbox_quota_exceeded`, `mailbox_quota_left_exceeded`). 0 is unlimited.
 */
export async function mailcowFormQuota(pool: DatabasePool, domain: string, template: string | null): Promise<{ quotaMiB: number; accepted: boolean }> {
  const [d] = await rowsOf(pool, `SELECT quota, maxquota, defquota FROM domain WHERE domain = ?`, [domain]);
  const inUse = await domainQuotaInUse(pool, domain);
  const maxNew = Math.min(Number(d!.quota) * 1048576 - inUse, Number(d!.maxquota) * 1048576);
  const defNew = Math.min(maxNew, Number(d!.defquota) * 1048576);
  if (template === null) return { quotaMiB: defNew / 1048576, accepted: true };
  const [t] = await rowsOf(pool, `SELECT attributes FROM templates WHERE type = 'mailbox' AND template = ?`, [template]);
  const quotaMiB = Number(JSON.parse(String(t!.attributes)).quota ?? 0) / 1048576;
  return { quotaMiB, accepted: quotaMiB <= maxNew / 1048576 };
}

/** The domain's `quota_used_in_domain` as mailcow shows it: the quotas of its user mailboxes, in bytes. */
export async function domainQuotaInUse(pool: DatabasePool, domain: string): Promise<number> {
  const [r] = await rowsOf(pool, `SELECT COALESCE(SUM(quota), 0) AS in_use FROM mailbox WHERE (kind = '' OR kind = NULL) AND domain = ?`, [domain]);
  return Number(r!.in_use);
}
