/**
 * The UserStore port on mailcow's MariaDB: a SCIM user is a row in mailcow_scim_users linked to
 * a mailbox written exactly as mailcow writes one. Every change is one transaction; mailcow's
 * post-commit work (SOGo view, Redis, memcached) follows it.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { Logger } from '../logging.js';
import type { MailboxIntent } from '../provisioning/index.js';
import { foldCase } from '../scim/case-fold.js';
import { ScimError } from '../scim/index.js';
import type { Caller, ListQuery, ListResult, NewUser, StoredUser, UserChange, UserStore } from '../users/index.js';
import { SCIM_AUTHSOURCE } from './authsource.js';
import { assertFitsColumn } from './column-limits.js';
import type { WriteGuard } from './database-state.js';
import { fromDbTime, nowIso, toDbTime } from './db-time.js';
import { domainUsage, lockDomain, type DomainRow } from './domains.js';
import type { FilterSqlMapping } from './filter-sql.js';
import { readIdpAuthsource } from './idp-settings.js';
import { accessAttributes, initialAttributesJson } from './mailbox-attributes.js';
import { deleteMailboxRows, editMailbox, findMailbox, insertMailbox, replaceTags, writeUserAcl, type MailboxEdit, type MailboxRow } from './mailboxes.js';
import { relinkMailboxAliases, syncUserAliases } from './owned-aliases.js';
import type { DatabasePool } from './queryable.js';
import { listResourceIds } from './resource-list.js';
import type { MailboxEffects, MailcowSideEffects } from './side-effects.js';
import { aclFromTemplate, loadMailboxTemplate, rateLimitFromTemplate, tagsFromTemplate, taggedMailHandlerFromTemplate, type MailboxTemplate } from './templates.js';
import { runChange, type AuditSink } from './change.js';
import type { TransactionOptions } from './transaction.js';
import { readCreateFacts } from './user-create-facts.js';
import { userListSource, userScope as scopeWhere } from './user-query.js';

const MIB = 1024 * 1024;

/** Groups a user belongs to; filled in by the Groups data layer (empty until groups exist). */
export type GroupLookup = (db: DatabasePool | PoolConnection, userIds: string[]) => Promise<Map<string, { id: string; display: string }[]>>;

export interface UserStoreDeps {
  pool: DatabasePool;
  guard: WriteGuard;
  effects: MailcowSideEffects;
  logger: Logger;
  mailcowUiLog: boolean;
  groupLookup?: GroupLookup;
  /** SQL for filters on the derived `groups` attribute, when groups exist. */
  groupsSideTable?: FilterSqlMapping['sideTables'][string];
  /** Keeps group aliases in step with a member, inside the user's transaction (filled in by the Groups data layer). */
  memberHook?: MemberHook;
}

/** What a user change does about the user's groups, inside its transaction. */
export interface MemberHook {
  /**
   * First thing in a user change: lock the user's groups, so user changes and group changes take
   * row locks in one order (groups, then the user) and do not deadlock each other.
   */
  lockGroups(conn: PoolConnection, userId: string): Promise<void>;
  /**
   * `leaving` when the user is about to be removed (its memberships go), else after its
   * mailbox's active value changed (group goto lists follow).
   */
  changed(conn: PoolConnection, caller: Caller, userId: string, effects: MailboxEffects, leaving: boolean): Promise<void>;
}

export type { AuditSink } from './change.js';

interface UserRow extends RowDataPacket {
  id: string;
  token_id: string;
  user_name: string;
  external_id: string | null;
  mailbox: string;
  applied_template: string | null;
  resource: string;
  version: number;
  created_at: string;
  last_modified: string;
  m_name: string | null;
  m_active: number;
  m_quota: number;
  q_bytes: number | null;
  q_messages: number | null;
}

const SELECT_USER = `SELECT u.id, u.token_id, u.user_name, u.external_id, u.mailbox, u.applied_template, u.resource, u.version, u.created_at, u.last_modified,
  m.name AS m_name, m.active AS m_active, m.quota AS m_quota, q.bytes AS q_bytes, q.messages AS q_messages
  FROM mailcow_scim_users u JOIN mailbox m ON m.username = u.mailbox LEFT JOIN quota2 q ON q.username = u.mailbox`;

/** The `_lc` columns hold values folded like the filters fold them (scim/case-fold.ts). */
function lowerOrNull(s: string | null | undefined): string | null {
  return s ? foldCase(s) : null;
}

/** A create needs the domain to exist in mailcow and be active. */
function assertDomainUsable(name: string, domain: DomainRow | undefined): void {
  if (!domain) throw ScimError.invalidValue(`Domain ${name} does not exist in mailcow.`);
  if (domain.active !== 1) throw ScimError.invalidValue(`Domain ${name} is inactive in mailcow; activate it before provisioning mailboxes into it.`);
}

function displayNameOf(resource: Record<string, unknown>): string | null {
  return typeof resource.displayName === 'string' ? resource.displayName.slice(0, 255) : null;
}

interface EmailRow {
  value: string;
  type: string | null;
  primary: boolean;
}

function emailsOf(resource: Record<string, unknown>): EmailRow[] {
  const list = Array.isArray(resource.emails) ? (resource.emails as Record<string, unknown>[]) : [];
  return list
    // Every value that fits the column is indexed: filters on emails.value rely on it (filter-sql.ts).
    .filter((e) => typeof e.value === 'string' && foldCase(e.value as string).length <= 255)
    .slice(0, 65535)
    .map((e) => ({ value: String(e.value), type: typeof e.type === 'string' ? e.type.slice(0, 64) : null, primary: e.primary === true }));
}

/** userName and externalId fit their columns in mailcow_scim_users. */
function assertUserColumns(user: { userName: string; externalId: string | null }): void {
  assertFitsColumn(user.userName, 'userName');
  assertFitsColumn(user.externalId, 'externalId');
}

export class MailcowUserStore implements UserStore {
  constructor(private readonly deps: UserStoreDeps) {}

  /** Runs one change through runChange (guard, transaction, audit, side effects). */
  private change<T>(caller: Caller, fn: (conn: PoolConnection, effects: MailboxEffects, audit: AuditSink) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return runChange(this.deps, caller, 'User', fn, options);
  }

  async create(caller: Caller, user: NewUser): Promise<StoredUser> {
    assertUserColumns(user);
    const { address } = user;
    // mailcow's domain limits are checked with the domain row locked, which makes creates in one
    // domain wait for each other. Under READ COMMITTED every statement reads what is committed, so
    // the lock can come last, just before the count, and is held for the check and the commit only
    // instead of the whole change (`npm run bench`, with the fewer round trips below: creates at
    // concurrency 8 went from 0.36 to 0.5–0.7 of the raw-SQL floor; docs/performance.md).
    const created = await this.change(caller, async (conn, effects, audit): Promise<StoredUser> => {
      const facts = await readCreateFacts(conn, {
        tokenId: caller.token.id,
        userNameLc: foldCase(user.userName),
        address: address.address,
        domain: address.domain,
        template: user.intent.template,
      });
      const { domain, address: use } = facts;
      assertDomainUsable(address.domain, domain);
      if (facts.takenBy) throw ScimError.uniqueness(`userName "${user.userName}" is already used by SCIM user ${facts.takenBy}.`);

      // Locked only when it exists: FOR UPDATE on an absent row takes a gap lock, which creates in
      // other domains share and then deadlock on with their INSERTs (`npm run bench`: 500s at
      // concurrency 8 over 8 domains). Two creates of one address meet at the primary key (409).
      const existing = use.mailbox ? await findMailbox(conn, address.address, true) : undefined;
      let claimed = false;
      if (existing) {
        await this.assertClaimable(conn, caller, existing);
        claimed = true;
      } else {
        if (use.aliasGoto !== null) throw ScimError.uniqueness(`${address.address} is an existing mailcow alias (goto ${use.aliasGoto}); a mailbox cannot have the same address.`);
        if (use.spamAlias) throw ScimError.uniqueness(`${address.address} is a mailcow spam alias; a mailbox cannot have the same address.`);
      }

      const now = nowIso();
      const template = facts.template();
      let quotaBytes = 0;
      if (claimed) {
        const locked = (await lockDomain(conn, address.domain))!;
        await this.applyIntent(conn, caller, existing!, async () => locked, user.intent, null, template, effects, true);
      } else {
        quotaBytes = await this.insertNewMailbox(conn, caller, address, domain!, user.intent, template, facts.idpAuthsource, effects);
      }
      await conn.execute(
        `INSERT INTO mailcow_scim_users (id, token_id, user_name, user_name_lc, external_id, display_name, display_name_lc, active, mailbox, domain, applied_template, resource, version, created_at, last_modified)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
        [
          user.id,
          caller.token.id,
          user.userName,
          foldCase(user.userName),
          user.externalId,
          displayNameOf(user.resource),
          lowerOrNull(displayNameOf(user.resource)),
          user.resource.active === false ? 0 : 1,
          address.address,
          address.domain,
          template.name,
          JSON.stringify(user.resource),
          toDbTime(now),
          toDbTime(now),
        ],
      );
      await this.writeEmails(conn, caller.token.id, user.id, user.resource, true);
      if (claimed) await relinkMailboxAliases(conn, address.address, user.id, caller.token.id);
      else quotaBytes = await this.checkNewMailboxLimits(conn, caller, address.address, user.intent, template, quotaBytes);
      // A user made in this change owns no aliases yet, so with none wanted there is nothing to sync.
      const aliasChange =
        claimed || user.intent.aliases.length
          ? await syncUserAliases(conn, caller.token.id, user.id, address.address, user.intent.aliases, `mailcow-scim: SCIM user ${user.userName}`)
          : { added: [], removed: [] };
      if (aliasChange.added.length || aliasChange.removed.length) effects.sogo.push(address.address);
      audit({ operation: claimed ? 'claim' : 'create', resourceId: user.id, mailbox: address.address, status: 201 });
      // Read in this transaction: after the commit a concurrent DELETE could already have removed it.
      if (claimed) return (await this.read(conn, caller, user.id))!;
      // A new user is exactly what was just written (what get() would read back, without the reads):
      // no mail used yet, no groups.
      const at = fromDbTime(toDbTime(now))!;
      const mailbox = { address: address.address, active: user.intent.active, name: user.intent.name, quotaBytes, usedBytes: 0, messages: 0 };
      const resource = JSON.parse(JSON.stringify(user.resource)) as Record<string, unknown>;
      return { id: user.id, tokenId: caller.token.id, userName: user.userName, externalId: user.externalId, resource, version: 1, created: at, lastModified: at, appliedTemplate: template.name, mailbox, groups: [] };
    }, { readCommitted: true });
    return created;
  }

  /**
   * A mailbox that already exists may be claimed only if it is a 'scim' mailbox that no live
   * SCIM user owns (a re-hire, or a mailbox handed over with `mailcow-scim adopt`).
   */
  private async assertClaimable(conn: PoolConnection, caller: Caller, mailbox: MailboxRow): Promise<void> {
    const handOver = `To hand it over to this token, run \`mailcow-scim adopt ${mailbox.username} --token ${caller.token.id}\` (or use the SCIM page in mailcow's admin area).`;
    if (mailbox.kind !== '') throw ScimError.uniqueness(`${mailbox.username} is a mailcow resource (${mailbox.kind}), not a user mailbox.`);
    if (mailbox.authsource !== SCIM_AUTHSOURCE) {
      throw ScimError.uniqueness(`Mailbox ${mailbox.username} already exists and is managed by mailcow (authsource '${mailbox.authsource ?? 'mailcow'}'). ${handOver}`);
    }
    const [links] = await conn.execute<RowDataPacket[]>(
      `SELECT u.id, u.token_id, u.user_name, t.name AS token_name FROM mailcow_scim_users u JOIN mailcow_scim_tokens t ON t.id = u.token_id WHERE u.mailbox = ? FOR UPDATE`,
      [mailbox.username],
    );
    const link = links[0];
    if (!link) return;
    if (link.token_id === caller.token.id) {
      throw ScimError.uniqueness(`Mailbox ${mailbox.username} already belongs to SCIM user ${link.id} (userName "${link.user_name}").`);
    }
    throw ScimError.uniqueness(`Mailbox ${mailbox.username} is provisioned by another SCIM token ("${link.token_name}", ${link.token_id}). ${handOver}`);
  }

  /** The quota the IdP, the template or the domain default asks for, before the domain's room is known. */
  private requestedQuotaMiB(caller: Caller, domain: DomainRow, intent: MailboxIntent, template: MailboxTemplate): number {
    if (intent.quotaMiB !== undefined) return intent.quotaMiB;
    if (caller.token.policy.quotaSource === 'template') return Math.floor(Number(template.attributes.quota ?? 0) / MIB);
    return Math.min(domain.defquotaMiB, domain.maxquotaMiB);
  }

  /** The mailbox's quota in bytes, checked against the domain's limits; `currentBytes` is the mailbox's own share of `usage`. */
  private async quotaFor(
    conn: PoolConnection,
    caller: Caller,
    domain: DomainRow,
    intent: MailboxIntent,
    template: MailboxTemplate,
    currentBytes: number,
    usage?: { mailboxes: number; quotaBytes: number },
  ): Promise<number> {
    const used = usage ?? (await domainUsage(conn, domain.domain));
    const usedMiB = (used.quotaBytes - currentBytes) / MIB;
    const roomMiB = domain.quotaMiB - usedMiB;
    let quotaMiB = this.requestedQuotaMiB(caller, domain, intent, template);
    if (intent.quotaMiB === undefined && caller.token.policy.quotaSource !== 'template') {
      // What mailcow's add form pre-fills: the domain default, capped by the room left (§2.1).
      quotaMiB = Math.min(quotaMiB, Math.max(0, Math.floor(roomMiB)));
      if (quotaMiB <= 0) throw ScimError.invalidValue(`Domain ${domain.domain} has no quota left (${domain.quotaMiB} MiB, all assigned).`);
    }
    if (quotaMiB > domain.maxquotaMiB) throw ScimError.invalidValue(`A mailbox in ${domain.domain} may have at most ${domain.maxquotaMiB} MiB; ${quotaMiB} MiB was asked for.`);
    if (quotaMiB > 0 && quotaMiB > roomMiB) {
      throw ScimError.invalidValue(`Domain ${domain.domain} has ${Math.max(0, Math.floor(roomMiB))} MiB of its ${domain.quotaMiB} MiB quota left; ${quotaMiB} MiB was asked for.`);
    }
    return quotaMiB * MIB;
  }

  /**
   * mailcow's limits for a mailbox this change inserted (mailboxes per domain, quota per mailbox
   * and per domain), checked as the last step before commit with the domain row locked: under
   * READ COMMITTED the count then sees every create that held the lock before, and this one.
   * The mailbox was written with the quota it asked for; a domain default capped by the room
   * left is corrected here.
   */
  private async checkNewMailboxLimits(conn: PoolConnection, caller: Caller, mailbox: string, intent: MailboxIntent, template: MailboxTemplate, requestedBytes: number): Promise<number> {
    const domainName = mailbox.split('@')[1]!;
    const domain = await lockDomain(conn, domainName);
    assertDomainUsable(domainName, domain);
    const usage = await domainUsage(conn, domainName);
    if (usage.mailboxes > domain!.mailboxes) {
      throw ScimError.invalidValue(`Domain ${domainName} allows ${domain!.mailboxes} mailboxes and has ${usage.mailboxes - 1}; raise the limit in mailcow to add more.`);
    }
    const quotaBytes = await this.quotaFor(conn, caller, domain!, intent, template, requestedBytes, usage);
    if (quotaBytes !== requestedBytes) await conn.execute(`UPDATE mailbox SET quota = ? WHERE username = ?`, [quotaBytes, mailbox]);
    return quotaBytes;
  }

  /** Writes a new mailbox with the quota it asks for (checkNewMailboxLimits settles it) and returns that quota. */
  private async insertNewMailbox(
    conn: PoolConnection,
    caller: Caller,
    address: NewUser['address'],
    domain: DomainRow,
    intent: MailboxIntent,
    template: MailboxTemplate,
    idp: string | null,
    effects: MailboxEffects,
  ): Promise<number> {
    const quotaBytes = this.requestedQuotaMiB(caller, domain, intent, template) * MIB;
    await insertMailbox(conn, {
      username: address.address,
      localPart: address.localPart,
      domain: address.domain,
      name: intent.name,
      quotaBytes,
      active: intent.active,
      authsource: SCIM_AUTHSOURCE,
      attributesJson: initialAttributesJson({ template, protocolAccess: intent.protocolAccess, idpAuthsource: idp }, Math.floor(Date.now() / 1000)),
      acl: aclFromTemplate(template),
      tags: intent.tags ?? tagsFromTemplate(template),
    });
    effects.sogo.push(address.address);
    effects.rateLimits.push({ username: address.address, value: rateLimitFromTemplate(template) });
    const handler = taggedMailHandlerFromTemplate(template);
    if (handler) effects.taggedMail.push({ username: address.address, handler });
    return quotaBytes;
  }

  /**
   * Brings an existing mailbox in line with the intent. Template-derived values are re-applied
   * only when the template changed (or on a claim), so an admin's later tweak in mailcow's UI
   * survives ordinary profile updates from the IdP.
   */
  private async applyIntent(
    conn: PoolConnection,
    caller: Caller,
    mailbox: MailboxRow,
    /** The mailbox's domain row, locked: asked for only when the quota is recomputed. */
    domain: () => Promise<DomainRow>,
    intent: MailboxIntent,
    previous: { intent: MailboxIntent | null; template: string | null } | null,
    template: MailboxTemplate,
    effects: MailboxEffects,
    claim: boolean,
  ): Promise<void> {
    const templateChanged = claim || previous?.template !== template.name;
    const edit: MailboxEdit = {};
    if (intent.name !== mailbox.name) edit.name = intent.name;
    if (intent.active !== mailbox.active) edit.active = intent.active;
    const explicitQuotaChanged = intent.quotaMiB !== undefined && intent.quotaMiB * MIB !== mailbox.quotaBytes;
    // A claimed mailbox keeps its quota (it may hold mail already) unless the IdP or a template says otherwise.
    if (explicitQuotaChanged || (templateChanged && caller.token.policy.quotaSource === 'template')) {
      const q = await this.quotaFor(conn, caller, await domain(), intent, template, mailbox.quotaBytes);
      if (q !== mailbox.quotaBytes) edit.quotaBytes = q;
    }
    const idp = await readIdpAuthsource(conn);
    if (templateChanged || JSON.stringify(intent.protocolAccess ?? {}) !== JSON.stringify(previous?.intent?.protocolAccess ?? {})) {
      const wanted = accessAttributes({ template, protocolAccess: intent.protocolAccess, idpAuthsource: idp });
      let stored: Record<string, unknown> = {};
      try {
        stored = JSON.parse(mailbox.attributes);
      } catch {
        /* rewrite every key below */
      }
      const attrs: Record<string, string> = {};
      for (const [k, v] of Object.entries(wanted)) if (stored[k] !== v) attrs[k] = v;
      if (Object.keys(attrs).length) edit.attributes = attrs;
    }
    if (Object.keys(edit).length) {
      await editMailbox(conn, mailbox, edit);
      effects.sogo.push(mailbox.username);
    }
    if (claim) {
      // mailcow's UI hides a mailbox without quota rows (§0 fact 4); a hand-made one may lack them.
      for (const table of ['quota2', 'quota2replica']) {
        await conn.execute(`INSERT IGNORE INTO ${table} (username, bytes, messages) VALUES (?, 0, 0)`, [mailbox.username]);
      }
    }
    if (templateChanged) {
      await writeUserAcl(conn, mailbox.username, aclFromTemplate(template));
      effects.rateLimits.push({ username: mailbox.username, value: rateLimitFromTemplate(template) });
      const handler = taggedMailHandlerFromTemplate(template);
      if (handler) effects.taggedMail.push({ username: mailbox.username, handler });
    }
    if (intent.tags !== undefined) {
      if (JSON.stringify(intent.tags) !== JSON.stringify(previous?.intent?.tags)) await replaceTags(conn, mailbox.username, intent.tags);
    } else if (templateChanged) {
      await replaceTags(conn, mailbox.username, tagsFromTemplate(template));
    }
  }

  /** The e-mail index rows of a user; `isNew` skips the DELETE (nothing to remove, only gap locks to take). */
  private async writeEmails(conn: PoolConnection, tokenId: string, userId: string, resource: Record<string, unknown>, isNew = false): Promise<void> {
    if (!isNew) await conn.execute(`DELETE FROM mailcow_scim_user_emails WHERE user_id = ?`, [userId]);
    const emails = emailsOf(resource);
    if (!emails.length) return;
    await conn.query(
      `INSERT INTO mailcow_scim_user_emails (user_id, token_id, position, value_lc, type, is_primary) VALUES ?`,
      [emails.map((e, i) => [userId, tokenId, i, foldCase(e.value), e.type, e.primary ? 1 : 0])],
    );
  }

  async get(caller: Caller, id: string): Promise<StoredUser | undefined> {
    return this.read(this.deps.pool, caller, id);
  }

  private async read(db: DatabasePool | PoolConnection, caller: Caller, id: string): Promise<StoredUser | undefined> {
    const scope = scopeWhere(caller);
    const [rows] = await db.query<UserRow[]>(`${SELECT_USER} WHERE u.id = ? AND ${scope.sql}`, [id, ...scope.params]);
    if (!rows[0]) return undefined;
    return (await this.hydrate(db, rows))[0];
  }

  async list(caller: Caller, q: ListQuery): Promise<ListResult<StoredUser>> {
    const page = await listResourceIds(this.deps.pool, userListSource(caller, this.deps.groupsSideTable), q);
    if (!page.ids.length) return { total: page.total, items: [], positions: [], more: page.more };
    const [rows] = await this.deps.pool.query<UserRow[]>(`${SELECT_USER} WHERE u.id IN (?)`, [page.ids]);
    const byId = new Map((await this.hydrate(this.deps.pool, rows)).map((u) => [u.id, u]));
    // A user deleted between the two reads is left out; its position goes with it.
    const kept = page.ids.map((id, i) => ({ user: byId.get(id), position: page.positions[i]! })).filter((e) => e.user);
    return { total: page.total, items: kept.map((e) => e.user!), positions: kept.map((e) => e.position), more: page.more };
  }

  private async hydrate(db: DatabasePool | PoolConnection, rows: UserRow[]): Promise<StoredUser[]> {
    const groups = this.deps.groupLookup ? await this.deps.groupLookup(db, rows.map((r) => r.id)) : new Map();
    return rows.map((r) => ({
      id: r.id,
      tokenId: r.token_id,
      userName: r.user_name,
      externalId: r.external_id,
      resource: JSON.parse(r.resource) as Record<string, unknown>,
      version: Number(r.version),
      created: fromDbTime(r.created_at)!,
      lastModified: fromDbTime(r.last_modified)!,
      appliedTemplate: r.applied_template,
      mailbox: {
        address: r.mailbox,
        active: Number(r.m_active),
        name: r.m_name ?? '',
        quotaBytes: Number(r.m_quota),
        usedBytes: Number(r.q_bytes ?? 0),
        messages: Number(r.q_messages ?? 0),
      },
      groups: groups.get(r.id) ?? [],
    }));
  }

  private async lockUser(conn: PoolConnection, caller: Caller, id: string): Promise<StoredUser> {
    const scope = scopeWhere(caller);
    const [rows] = await conn.query<UserRow[]>(`${SELECT_USER} WHERE u.id = ? AND ${scope.sql} FOR UPDATE`, [id, ...scope.params]);
    if (!rows[0]) throw ScimError.notFound(`No User with id "${id}".`);
    return (await this.hydrate(conn, rows))[0]!;
  }

  async update(caller: Caller, id: string, compute: (current: StoredUser) => UserChange): Promise<StoredUser> {
    return this.change(caller, async (conn, effects, audit) => {
      await this.deps.memberHook?.lockGroups(conn, id);
      await this.updateWithin(conn, caller, id, compute, effects, audit);
      // The answer is what this change wrote, read before its commit (the row is locked): read
      // after it, a DELETE committed in between left nothing to read and the PUT/PATCH a 500.
      return (await this.read(conn, caller, id))!;
    });
  }

  /**
   * A user update inside a transaction another change opened: group membership changes run it
   * for the members they touch, so template rules on `groups` are re-evaluated atomically.
   */
  async updateWithin(conn: PoolConnection, caller: Caller, id: string, compute: (current: StoredUser) => UserChange, effects: MailboxEffects, audit: AuditSink): Promise<void> {
    const current = await this.lockUser(conn, caller, id);
    const next = compute(current);
    assertUserColumns(next);
    if (foldCase(next.userName) !== foldCase(current.userName)) {
      const [taken] = await conn.execute<RowDataPacket[]>(
        `SELECT id FROM mailcow_scim_users WHERE token_id = ? AND user_name_lc = ? AND id <> ?`,
        [caller.token.id, foldCase(next.userName), id],
      );
      if (taken.length) throw ScimError.uniqueness(`userName "${next.userName}" is already used by SCIM user ${taken[0]!.id}.`);
    }
    const mailbox = (await findMailbox(conn, current.mailbox.address, true))!;
    // The domain row lock serialises quota checks, so it is taken (first, as before) only when the
    // quota may change: otherwise every change in a domain waited for the one before it
    // (`npm run bench`: PATCH at concurrency 8 ran at the speed of concurrency 1).
    const quotaMayChange =
      (next.intent.quotaMiB !== undefined && next.intent.quotaMiB * MIB !== mailbox.quotaBytes) ||
      (caller.token.policy.quotaSource === 'template' && (next.intent.template === null || next.intent.template !== current.appliedTemplate));
    const early = quotaMayChange ? (await lockDomain(conn, mailbox.domain))! : undefined;
    const domain = async () => early ?? (await lockDomain(conn, mailbox.domain))!;
    const template = await loadMailboxTemplate(conn, next.intent.template);
    await this.applyIntent(conn, caller, mailbox, domain, next.intent, { intent: next.previousIntent, template: current.appliedTemplate }, template, effects, false);
    if (next.intent.active !== mailbox.active) await this.deps.memberHook?.changed(conn, caller, id, effects, false);
    const aliasChange = await syncUserAliases(conn, caller.token.id, id, mailbox.username, next.intent.aliases, `mailcow-scim: SCIM user ${next.userName}`);
    if (aliasChange.added.length || aliasChange.removed.length) effects.sogo.push(mailbox.username);
    await conn.execute(
      `UPDATE mailcow_scim_users SET user_name = ?, user_name_lc = ?, external_id = ?, display_name = ?, display_name_lc = ?, active = ?, applied_template = ?, resource = ?, version = version + 1, last_modified = ? WHERE id = ?`,
      [
        next.userName,
        foldCase(next.userName),
        next.externalId,
        displayNameOf(next.resource),
        lowerOrNull(displayNameOf(next.resource)),
        next.resource.active === false ? 0 : 1,
        template.name,
        JSON.stringify(next.resource),
        toDbTime(nowIso()),
        id,
      ],
    );
    // Most changes (a deactivation, a new name) leave the e-mails alone: no index rows to rewrite.
    if (JSON.stringify(emailsOf(next.resource)) !== JSON.stringify(emailsOf(current.resource))) await this.writeEmails(conn, caller.token.id, id, next.resource);
    const op = next.intent.active !== 1 && mailbox.active === 1 ? 'deactivate' : next.intent.active === 1 && mailbox.active !== 1 ? 'reactivate' : 'update';
    audit({ operation: op, resourceId: id, mailbox: mailbox.username, status: 200 });
  }

  async remove(caller: Caller, id: string, check: (current: StoredUser) => void): Promise<void> {
    await this.change(caller, async (conn, effects, audit) => {
      await this.deps.memberHook?.lockGroups(conn, id);
      const current = await this.lockUser(conn, caller, id);
      check(current);
      await this.deps.memberHook?.changed(conn, caller, id, effects, true);
      const mailbox = (await findMailbox(conn, current.mailbox.address, true))!;
      if (caller.token.policy.onDelete === 'delete') {
        await conn.execute(`DELETE FROM mailcow_scim_owned_aliases WHERE user_id = ?`, [id]);
        await deleteMailboxRows(conn, mailbox.username);
        effects.sogo.push(mailbox.username);
        effects.rateLimits.push({ username: mailbox.username, value: null });
        audit({ operation: 'delete', resourceId: id, mailbox: mailbox.username, status: 204, detail: 'mailbox deleted (maildir left for mailcow to clean up)' });
        return;
      }
      const mode = caller.token.policy.onDeactivate;
      if (mailbox.active === 1 || (mailbox.active === 2 && mode === 0)) {
        await editMailbox(conn, mailbox, { active: mode });
        effects.sogo.push(mailbox.username);
      }
      // Owned aliases stay (mail to them is handled like mail to the mailbox); a re-hire re-links them.
      await conn.execute(`UPDATE mailcow_scim_owned_aliases SET user_id = NULL WHERE user_id = ?`, [id]);
      await conn.execute(`DELETE FROM mailcow_scim_users WHERE id = ?`, [id]);
      audit({ operation: 'unlink', resourceId: id, mailbox: mailbox.username, status: 204, detail: `mailbox kept with active=${mode}` });
    });
  }
}
