/**
 * The raw-SQL floor and the fast seed. The floor writes, per user and in one transaction, the
 * rows `POST /Users` (and a deactivating PATCH) writes, with the product's own row functions
 * (insertMailbox, editMailbox, recordEvent, refreshSogoViewRow) and none of its checks, reads or
 * HTTP. The seed writes the same rows for thousands of users at once with multi-row INSERTs.
 */
import type { Pool, PoolConnection } from 'mysql2/promise';
import { nowIso, toDbTime } from '../server/src/mailcow/db-time.js';
import { recordEvent } from '../server/src/mailcow/events.js';
import { editMailbox, findMailbox, insertMailbox } from '../server/src/mailcow/mailboxes.js';
import { refreshSogoViewRow, SOGO_STATIC_PASSWORD } from '../server/src/mailcow/sogo-view.js';
import { withTransaction } from '../server/src/mailcow/transaction.js';
import { USER_ACL_FLAGS } from '../server/src/provisioning/index.js';
import type { TokenRecord } from '../server/src/tokens/index.js';
import type { UserRows } from './bench-users.js';

type Db = Pool | PoolConnection;

const SCIM_USER_COLUMNS =
  'id, token_id, user_name, user_name_lc, external_id, display_name, display_name_lc, active, mailbox, domain, applied_template, resource, version, created_at, last_modified';

/** mailcow_scim_users rows (and their e-mail index rows) as the user store writes them. */
async function insertScimUsers(db: Db, token: TokenRecord, template: string, users: readonly UserRows[]): Promise<void> {
  await db.query(`INSERT INTO mailcow_scim_users (${SCIM_USER_COLUMNS}) VALUES ?`, [
    users.map((u) => [
      u.id,
      token.id,
      u.userName,
      u.userName.toLowerCase(),
      u.externalId,
      u.displayName,
      u.displayName?.toLowerCase() ?? null,
      u.resource.active === false ? 0 : 1,
      u.mailbox.username,
      u.mailbox.domain,
      template,
      JSON.stringify(u.resource),
      1,
      u.createdAt,
      u.createdAt,
    ]),
  ]);
  const emails = users.flatMap((u) => u.emails.map((e, i) => [u.id, token.id, i, e.valueLc, e.type, e.primary ? 1 : 0]));
  if (emails.length) await db.query(`INSERT INTO mailcow_scim_user_emails (user_id, token_id, position, value_lc, type, is_primary) VALUES ?`, [emails]);
}

function auditEvent(token: TokenRecord, operation: string, u: UserRows, status: number) {
  return { tokenId: token.id, requestId: null, clientIp: '127.0.0.1', operation, resourceType: 'User' as const, resourceId: u.id, mailbox: u.mailbox.username, outcome: 'success' as const, status, detail: null };
}

/**
 * The floor of one create: every row POST /Users writes, in one transaction, and then the SOGo
 * view row on its own as the sidecar (and mailcow) write it: inside concurrent transactions its
 * INSERT … SELECT over mailcow's views deadlocks.
 */
export async function createLikeSidecar(pool: Pool, token: TokenRecord, template: string, u: UserRows): Promise<void> {
  await withTransaction(pool, async (conn) => {
    await insertMailbox(conn, u.mailbox);
    await insertScimUsers(conn, token, template, [u]);
    await recordEvent(conn, auditEvent(token, 'create', u, 201));
  });
  await refreshSogoViewRow(pool, u.mailbox.username);
}

/** The floor of one deactivating PATCH: mailbox and self-alias to mode 2, the user row, the audit row; then the SOGo row goes. */
export async function deactivateLikeSidecar(pool: Pool, token: TokenRecord, u: UserRows): Promise<void> {
  await withTransaction(pool, async (conn) => {
    const mailbox = await findMailbox(conn, u.mailbox.username);
    if (!mailbox) throw new Error(`floor: no mailbox ${u.mailbox.username}`);
    await editMailbox(conn, mailbox, { active: token.policy.onDeactivate });
    await conn.execute(`UPDATE mailcow_scim_users SET active = 0, resource = ?, version = version + 1, last_modified = ? WHERE id = ?`, [
      JSON.stringify({ ...u.resource, active: false }),
      toDbTime(nowIso()),
      u.id,
    ]);
    await recordEvent(conn, auditEvent(token, 'deactivate', u, 200));
  });
  await refreshSogoViewRow(pool, u.mailbox.username);
}

/**
 * Seeds users fast: the rows of `createLikeSidecar` for many users per statement, one
 * transaction per batch. mailbox.attributes keeps the INSERT's layout (the real create's
 * follow-up JSON_SET of passwd_update is skipped; nothing the benchmark reads depends on it).
 */
export async function seedUsers(pool: Pool, token: TokenRecord, template: string, users: readonly UserRows[]): Promise<void> {
  await withTransaction(pool, async (conn) => {
    const m = users.map((u) => u.mailbox);
    await conn.query(`INSERT INTO mailbox (username, password, name, quota, local_part, domain, attributes, authsource, active) VALUES ?`, [
      m.map((x) => [x.username, '', x.name, x.quotaBytes, x.localPart, x.domain, x.attributesJson, x.authsource, x.active]),
    ]);
    const tags = m.flatMap((x) => x.tags.map((t) => [t, x.username]));
    if (tags.length) await conn.query(`INSERT INTO tags_mailbox (tag_name, username) VALUES ?`, [tags]);
    for (const table of ['quota2', 'quota2replica']) await conn.query(`INSERT INTO ${table} (username, bytes, messages) VALUES ?`, [m.map((x) => [x.username, 0, 0])]);
    await conn.query(`INSERT INTO alias (address, goto, domain, active) VALUES ?`, [m.map((x) => [x.username, x.username, x.domain, x.active])]);
    await conn.query(`INSERT INTO user_acl (username, ${USER_ACL_FLAGS.map((f) => `\`${f}\``).join(', ')}) VALUES ?`, [
      m.map((x) => [x.username, ...USER_ACL_FLAGS.map((f) => x.acl[f])]),
    ]);
    await insertScimUsers(conn, token, template, users);
    const at = toDbTime(nowIso());
    await conn.query(
      `INSERT INTO mailcow_scim_events (at, token_id, request_id, operation, resource_type, resource_id, mailbox, outcome, status, detail, client_ip) VALUES ?`,
      [users.map((u) => [at, token.id, null, 'create', 'User', u.id, u.mailbox.username, 'success', 201, null, '127.0.0.1'])],
    );
    const sogo = m.filter((x) => x.active === 1).map((x) => [x.username, x.domain, x.username, SOGO_STATIC_PASSWORD, x.name, x.username, '', '', '', '', -1]);
    if (sogo.length) {
      await conn.query(`INSERT INTO _sogo_static_view (c_uid, domain, c_name, c_password, c_cn, mail, aliases, ad_aliases, ext_acl, kind, multiple_bookings) VALUES ?`, [sogo]);
    }
  });
}
