/**
 * The database side of `mailcow-scim import pr7148`: reading the branch's `scim_tokens` and
 * `scim_maps` in each layout it has had (docs/users.md, "Coming from mailcow PR 7148"), the facts
 * a plan compares them with, and the link that makes a branch mailbox one of our SCIM users.
 * Reads never write; each link is its own transaction.
 */
import type { RowDataPacket } from 'mysql2';
import type { ImportFacts, Pr7148Layout, Pr7148Map, Pr7148Source, Pr7148Token } from '../imports/index.js';
import { foldCase } from '../scim/case-fold.js';
import { ScimError } from '../scim/index.js';
import { normalizeResourceInput } from '../scim/resource-input.js';
import { USER_RESOURCE_TYPE, USER_SCHEMA } from '../scim/schema/index.js';
import type { TokenRecord } from '../tokens/index.js';
import { SCIM_AUTHSOURCE } from './authsource.js';
import { fromDbTime, nowIso, toDbTime } from './db-time.js';
import { recordEvent } from './events.js';
import type { DatabasePool, Queryable } from './queryable.js';
import { withTransaction } from './transaction.js';

/** The branch's tables are missing or in a shape none of its versions had. */
export class NotImportableError extends ScimError {
  constructor(detail: string) {
    super(400, detail, { scimType: 'invalidValue' });
  }
}

async function columnsOf(db: Queryable, table: string): Promise<Set<string>> {
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`,
    [table],
  );
  return new Set(rows.map((r) => String(r.c).toLowerCase()));
}

const TOKEN_COLUMNS = ['id', 'description', 'token_hash', 'domain_restriction', 'active'];
const MAP_COLUMNS = ['username', 'token_id', 'external_id'];

/** Which layout the tables have, or why none. */
async function detectPr7148Layout(db: Queryable): Promise<Pr7148Layout> {
  const tokens = await columnsOf(db, 'scim_tokens');
  const maps = await columnsOf(db, 'scim_maps');
  if (!tokens.size && !maps.size) throw new NotImportableError('No PR 7148 tables here: this database has neither scim_tokens nor scim_maps.');
  if (!tokens.size || !maps.size) throw new NotImportableError(`Only ${tokens.size ? 'scim_tokens' : 'scim_maps'} exists: PR 7148 always creates both.`);
  const lacking = [...TOKEN_COLUMNS.filter((c) => !tokens.has(c)).map((c) => `scim_tokens.${c}`), ...MAP_COLUMNS.filter((c) => !maps.has(c)).map((c) => `scim_maps.${c}`)];
  const later = tokens.has('default_template');
  if (!later && !tokens.has('template')) lacking.push('scim_tokens.template (or default_template)');
  if (later && tokens.has('mappers') !== tokens.has('templates')) lacking.push('scim_tokens.mappers and scim_tokens.templates (both or neither)');
  if (lacking.length) {
    throw new NotImportableError(`These tables are not in a layout PR 7148 has had (missing ${lacking.join(', ')}); nothing was read. Export the tokens and mappings by hand, or ask for this layout to be supported.`);
  }
  return { tokens: later ? 'later' : 'early', mapsHaveScimId: maps.has('scim_id') };
}

/** Early versions HTML-escaped the description on input (htmlspecialchars). */
function decodeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#0*39|apos);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e] ?? "'");
}

function jsonList(text: unknown): string[] {
  if (typeof text !== 'string' || !text.trim()) return [];
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.map((x) => String(x)) : [];
  } catch {
    return [];
  }
}

export async function readPr7148Source(db: Queryable): Promise<Pr7148Source> {
  const layout = await detectPr7148Layout(db);
  const tokenCols = await columnsOf(db, 'scim_tokens');
  const has = (c: string) => tokenCols.has(c);
  const [tokenRows] = await db.query<RowDataPacket[]>(
    `SELECT id, description, token_hash, domain_restriction, active,
            ${layout.tokens === 'later' ? 'default_template' : 'template'} AS default_template,
            ${has('mappers') ? 'mappers, templates' : 'NULL AS mappers, NULL AS templates'},
            ${has('allow_from') ? 'allow_from' : "'' AS allow_from"},
            ${has('skip_ip_check') ? 'skip_ip_check' : '0 AS skip_ip_check'},
            ${has('allow_claim') ? 'allow_claim' : 'NULL AS allow_claim'},
            ${has('created') ? 'created' : 'NULL AS created'}
       FROM scim_tokens ORDER BY id`,
  );
  const [mapRows] = await db.query<RowDataPacket[]>(
    `SELECT username, token_id, external_id, ${layout.mapsHaveScimId ? 'scim_id' : 'NULL'} AS scim_id FROM scim_maps ORDER BY username`,
  );
  const tokens: Pr7148Token[] = tokenRows.map((r) => ({
    id: Number(r.id),
    description: decodeHtml(String(r.description ?? '')),
    tokenHash: String(r.token_hash ?? ''),
    domainRestriction: r.domain_restriction ? String(r.domain_restriction) : null,
    defaultTemplate: r.default_template ? String(r.default_template) : null,
    mappers: jsonList(r.mappers),
    templates: jsonList(r.templates),
    allowFrom: String(r.allow_from ?? '').split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean),
    skipIpCheck: Number(r.skip_ip_check) === 1,
    allowClaim: r.allow_claim === null || r.allow_claim === undefined ? null : Number(r.allow_claim) === 1,
    active: String(r.active) === '1',
    created: r.created ? fromDbTime(String(r.created)) : null,
  }));
  const maps: Pr7148Map[] = mapRows.map((r) => ({
    username: String(r.username),
    tokenId: r.token_id === null ? null : Number(r.token_id),
    externalId: r.external_id ? String(r.external_id) : null,
    scimId: r.scim_id ? String(r.scim_id) : null,
  }));
  return { layout, tokens, maps };
}

/** What a plan compares the branch's rows with, read in a few statements. */
export async function readImportFacts(db: Queryable, source: Pr7148Source): Promise<ImportFacts> {
  const usernames = [...new Set(source.maps.map((m) => m.username.trim().toLowerCase()))];
  const scimIds = source.maps.map((m) => m.scimId?.trim().toLowerCase()).filter((x): x is string => !!x);
  const [mailboxes] = usernames.length
    ? await db.query<RowDataPacket[]>(`SELECT username, domain, authsource, active, kind FROM mailbox WHERE username IN (?)`, [usernames])
    : [[] as RowDataPacket[]];
  const [tokens] = await db.query<RowDataPacket[]>(`SELECT id, name, LOWER(HEX(token_hash)) AS hash, revoked_at FROM mailcow_scim_tokens`);
  const [domains] = await db.query<RowDataPacket[]>(`SELECT domain FROM domain`);
  const [templates] = await db.query<RowDataPacket[]>(`SELECT template FROM templates WHERE type = 'mailbox'`);
  const [links] = usernames.length ? await db.query<RowDataPacket[]>(`SELECT id, token_id, mailbox FROM mailcow_scim_users WHERE mailbox IN (?)`, [usernames]) : [[] as RowDataPacket[]];
  const [taken] = scimIds.length ? await db.query<RowDataPacket[]>(`SELECT id FROM mailcow_scim_users WHERE id IN (?)`, [scimIds]) : [[] as RowDataPacket[]];
  return {
    mailboxes: new Map(mailboxes.map((r) => [String(r.username).toLowerCase(), { domain: String(r.domain).toLowerCase(), authsource: r.authsource === null ? null : String(r.authsource), active: Number(r.active), kind: String(r.kind ?? '') }])),
    tokensByHash: new Map(tokens.map((r) => [String(r.hash), { id: String(r.id), name: String(r.name) }])),
    liveTokenNames: new Set(tokens.filter((r) => r.revoked_at === null).map((r) => String(r.name).toLowerCase())),
    domains: new Set(domains.map((r) => String(r.domain).toLowerCase())),
    templates: new Set(templates.map((r) => String(r.template))),
    links: new Map(links.map((r) => [String(r.mailbox).toLowerCase(), { userId: String(r.id), tokenId: String(r.token_id) }])),
    takenUserIds: new Set(taken.map((r) => String(r.id).toLowerCase())),
  };
}

export interface ImportedLink {
  mailbox: string;
  token: TokenRecord;
  userId: string;
  externalId: string | null;
}

/**
 * Makes the branch's mailbox one of `token`'s SCIM users, in one transaction: the rows a create
 * writes for a user (mailcow_scim_users and its e-mail index, as mailcow/user-store.ts writes
 * them) and nothing on the mailbox itself. PR 7148's SCIM users were the mailbox address as
 * userName, display name and primary e-mail; the stored resource says exactly that, and
 * `active` is what the mailbox is (1), so the IdP's next PUT or PATCH changes only what it sends.
 */
export async function linkImportedUser(pool: DatabasePool, l: ImportedLink): Promise<'linked' | 'unchanged'> {
  const mailbox = l.mailbox.toLowerCase();
  return withTransaction(pool, async (conn) => {
    const [rows] = await conn.execute<RowDataPacket[]>(`SELECT username, domain, name, kind, authsource, active FROM mailbox WHERE username = ? FOR UPDATE`, [mailbox]);
    const m = rows[0];
    if (!m) throw ScimError.notFound(`No mailbox ${mailbox} in mailcow.`);
    if (String(m.kind ?? '') !== '' || m.authsource !== SCIM_AUTHSOURCE) throw ScimError.invalidValue(`${mailbox} is no longer a SCIM mailbox (authsource ${String(m.authsource ?? 'mailcow')}).`);
    const domain = String(m.domain).toLowerCase();
    if (!l.token.policy.domains.includes(domain)) throw ScimError.invalidValue(`Token "${l.token.name}" does not manage ${domain}.`);
    const [links] = await conn.execute<RowDataPacket[]>(`SELECT id, token_id FROM mailcow_scim_users WHERE mailbox = ? FOR UPDATE`, [mailbox]);
    if (links[0]) {
      if (String(links[0].token_id) === l.token.id) return 'unchanged';
      throw ScimError.uniqueness(`${mailbox} already belongs to SCIM user ${String(links[0].id)} of another token.`);
    }
    const name = m.name ? String(m.name).slice(0, 255) : null;
    // Canonical as a POST body is stored (scim/resource-input.ts), so GET returns what it would for a create.
    const resource = normalizeResourceInput(USER_RESOURCE_TYPE, {
      schemas: [USER_SCHEMA],
      userName: mailbox,
      ...(l.externalId ? { externalId: l.externalId } : {}),
      ...(name ? { displayName: name } : {}),
      active: Number(m.active) === 1,
      emails: [{ value: mailbox, type: 'work', primary: true }],
    });
    const now = toDbTime(nowIso());
    await conn.execute(
      `INSERT INTO mailcow_scim_users (id, token_id, user_name, user_name_lc, external_id, display_name, display_name_lc, active, mailbox, domain, applied_template, resource, version, created_at, last_modified)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, 1, ?, ?)`,
      [l.userId, l.token.id, mailbox, foldCase(mailbox), l.externalId, name, name ? foldCase(name) : null, Number(m.active) === 1 ? 1 : 0, mailbox, domain, JSON.stringify(resource), now, now],
    );
    await conn.execute(`INSERT INTO mailcow_scim_user_emails (user_id, token_id, position, value_lc, type, is_primary) VALUES (?, ?, 0, ?, 'work', 1)`, [l.userId, l.token.id, foldCase(mailbox)]);
    await recordEvent(conn, {
      tokenId: l.token.id,
      requestId: null,
      operation: 'import',
      resourceType: 'User',
      resourceId: l.userId,
      mailbox,
      outcome: 'success',
      status: null,
      detail: `linked from mailcow PR 7148's scim_maps${l.externalId ? ` (externalId ${l.externalId})` : ''}`,
      clientIp: null,
    });
    return 'linked';
  });
}
