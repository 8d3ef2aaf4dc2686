/**
 * The users the benchmark provisions: what an IdP (Entra-like) sends for each, and the rows a
 * create writes for it, built with the product's own functions so that the raw-SQL floor and
 * the seeded users hold exactly what `POST /Users` would have written.
 */
import type { Pool } from 'mysql2/promise';
import { nowIso, toDbTime } from '../server/src/mailcow/db-time.js';
import { findDomain } from '../server/src/mailcow/domains.js';
import { readIdpAuthsource } from '../server/src/mailcow/idp-settings.js';
import { initialAttributesJson } from '../server/src/mailcow/mailbox-attributes.js';
import type { NewMailbox } from '../server/src/mailcow/mailboxes.js';
import { findMailboxTemplate } from '../server/src/mailcow/templates.js';
import { accessAttributes, aclFromTemplate, buildMailboxIntent, resolveMailboxAddress, tagsFromTemplate, type MailboxTemplate } from '../server/src/provisioning/index.js';
import { normalizeResourceInput } from '../server/src/scim/resource-input.js';
import { USER_RESOURCE_TYPE } from '../server/src/scim/schema/index.js';
import type { TokenRecord } from '../server/src/tokens/index.js';
import { randomUUID } from 'node:crypto';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** The address user `i` of a phase gets; the userName is the address, as Entra sends it. */
export function benchAddress(domain: string, i: number): string {
  return `user${i}@${domain}`;
}

/** A POST /Users body as Entra ID sends one (names, one work e-mail, enterprise attributes). */
export function benchUserBody(domain: string, i: number): Record<string, unknown> {
  const address = benchAddress(domain, i);
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    userName: address,
    externalId: `ext-${i}-${domain}`,
    active: true,
    displayName: `Bench User ${i}`,
    name: { givenName: 'Bench', familyName: `User ${i}`, formatted: `Bench User ${i}` },
    emails: [{ value: address, type: 'work', primary: true }],
    title: 'Engineer',
    [ENTERPRISE]: { department: 'Engineering', employeeNumber: String(i) },
  };
}

/** What every create in the benchmark shares: the token, mailcow's default template, the IdP. */
export interface RowContext {
  token: TokenRecord;
  template: MailboxTemplate;
  idpAuthsource: string | null;
  /** The quota the sidecar gives a new mailbox in the bench domains (their default quota). */
  quotaBytes: number;
}

export async function loadRowContext(pool: Pool, token: TokenRecord, domain: string): Promise<RowContext> {
  const d = await findDomain(pool, domain);
  if (!d) throw new Error(`bench domain ${domain} is missing`);
  return {
    token,
    template: (await findMailboxTemplate(pool, null))!,
    idpAuthsource: await readIdpAuthsource(pool),
    quotaBytes: Math.min(d.defquotaMiB, d.maxquotaMiB) * 1024 * 1024,
  };
}

/** The rows one create writes, as values. */
export interface UserRows {
  id: string;
  userName: string;
  externalId: string | null;
  displayName: string | null;
  resource: Record<string, unknown>;
  mailbox: NewMailbox;
  emails: { valueLc: string; type: string | null; primary: boolean }[];
  createdAt: string;
}

export function buildUserRows(ctx: RowContext, body: Record<string, unknown>): UserRows {
  const resource = normalizeResourceInput(USER_RESOURCE_TYPE, body);
  const address = resolveMailboxAddress(resource, ctx.token.policy);
  const intent = buildMailboxIntent(resource, address.address, ctx.token.policy, () => false);
  const emails = (resource.emails as { value: string; type?: string; primary?: boolean }[] | undefined) ?? [];
  return {
    id: randomUUID(),
    userName: String(resource.userName),
    externalId: typeof resource.externalId === 'string' ? resource.externalId : null,
    displayName: typeof resource.displayName === 'string' ? resource.displayName : null,
    resource,
    mailbox: {
      username: address.address,
      localPart: address.localPart,
      domain: address.domain,
      name: intent.name,
      quotaBytes: ctx.quotaBytes,
      active: intent.active,
      authsource: 'scim',
      attributesJson: initialAttributesJson(accessAttributes({ template: ctx.template, protocolAccess: intent.protocolAccess, idpAuthsource: ctx.idpAuthsource }), Math.floor(Date.now() / 1000)),
      acl: aclFromTemplate(ctx.template),
      tags: tagsFromTemplate(ctx.template),
    },
    emails: emails.map((e) => ({ valueLc: e.value.toLowerCase(), type: e.type ?? null, primary: e.primary === true })),
    createdAt: toDbTime(nowIso()),
  };
}
