/**
 * What to write to a mailbox for a user's intent, decided without the database: a new
 * mailbox's values, and for an existing one only what differs. Template-derived values are
 * applied again only when the template changed (or on a claim), so an admin's later tweak in
 * mailcow's UI survives ordinary profile updates from the IdP.
 */
import type { MailAddress } from './mailbox-address.js';
import type { MailboxIntent } from './mailbox-intent.js';
import {
  accessAttributes,
  aclFromTemplate,
  rateLimitFromTemplate,
  tagsFromTemplate,
  taggedMailHandlerFromTemplate,
  type MailboxTemplate,
  type TaggedMailHandler,
  type UserAcl,
} from './mailbox-template.js';

/** A mailbox as mailcow has it now (the row, locked by the change). */
export interface MailboxSnapshot {
  username: string;
  domain: string;
  name: string;
  quotaBytes: number;
  active: number;
  /** null for mailcow's own mailboxes created before the column existed. */
  authsource: string | null;
  /** Its authsource is the sidecar's ('scim'): an IdP-managed mailbox that SCIM may claim. */
  scimManaged: boolean;
  /** '' for a user mailbox; mailcow's resources (rooms, equipment) have a kind. */
  kind: string;
  /** The `attributes` JSON text. */
  attributes: string;
}

/** Changes to the mailbox row; absent fields keep their value. */
export interface MailboxEdit {
  name?: string;
  quotaBytes?: number;
  active?: 0 | 1 | 2;
  authsource?: string;
  /** Attribute keys to set (string values), e.g. the access keys from a new template. */
  attributes?: Record<string, string>;
}

/** What a template sets beside the mailbox row: its ACL flags and mailcow's Redis keys. */
interface TemplateSettings {
  acl: UserAcl;
  /** RL_VALUE, or null to remove it. */
  rateLimit: string | null;
  /** RCPT_WANTS_*, only when the template names a handler. */
  taggedMail: TaggedMailHandler | null;
}

export interface NewMailboxPlan {
  address: MailAddress;
  name: string;
  quotaBytes: number;
  active: 0 | 1 | 2;
  /** The access-related attribute values (the data layer lays out the whole `attributes`). */
  access: Record<string, string>;
  tags: string[];
  template: TemplateSettings;
}

/** Only what changes; an empty object changes nothing. */
export interface MailboxUpdate {
  edit?: MailboxEdit;
  /** mailcow's UI hides a mailbox without its quota2 rows; a hand-made one may lack them. */
  ensureQuotaRows?: boolean;
  template?: TemplateSettings;
  /** The mailbox's tags become exactly these. */
  tags?: string[];
}

function templateSettings(template: MailboxTemplate): TemplateSettings {
  return { acl: aclFromTemplate(template), rateLimit: rateLimitFromTemplate(template), taggedMail: taggedMailHandlerFromTemplate(template) };
}

export function planNewMailbox(p: { address: MailAddress; intent: MailboxIntent; template: MailboxTemplate; idpAuthsource: string | null; quotaBytes: number }): NewMailboxPlan {
  return {
    address: p.address,
    name: p.intent.name,
    quotaBytes: p.quotaBytes,
    active: p.intent.active,
    access: accessAttributes({ template: p.template, protocolAccess: p.intent.protocolAccess, idpAuthsource: p.idpAuthsource }),
    tags: p.intent.tags ?? tagsFromTemplate(p.template),
    template: templateSettings(p.template),
  };
}

/** Whether the template's values are applied again: on a claim, or when another template applies than last time. */
export function templateChanged(claim: boolean, previousTemplate: string | null | undefined, template: MailboxTemplate): boolean {
  return claim || previousTemplate !== template.name;
}

interface MailboxUpdateInputs {
  mailbox: MailboxSnapshot;
  intent: MailboxIntent;
  /** What the user meant before this change; null on a claim. */
  previous: { intent: MailboxIntent | null; template: string | null } | null;
  template: MailboxTemplate;
  idpAuthsource: string | null;
  claim: boolean;
  /** The quota settled for this change, when it was set again (quota.ts quotaResettles). */
  quotaBytes?: number;
}

export function planMailboxUpdate(p: MailboxUpdateInputs): MailboxUpdate {
  const changed = templateChanged(p.claim, p.previous?.template, p.template);
  const edit: MailboxEdit = {};
  if (p.intent.name !== p.mailbox.name) edit.name = p.intent.name;
  if (p.intent.active !== p.mailbox.active) edit.active = p.intent.active;
  if (p.quotaBytes !== undefined && p.quotaBytes !== p.mailbox.quotaBytes) edit.quotaBytes = p.quotaBytes;
  if (changed || JSON.stringify(p.intent.protocolAccess ?? {}) !== JSON.stringify(p.previous?.intent?.protocolAccess ?? {})) {
    const attributes = changedAttributes(p.mailbox.attributes, accessAttributes({ template: p.template, protocolAccess: p.intent.protocolAccess, idpAuthsource: p.idpAuthsource }));
    if (Object.keys(attributes).length) edit.attributes = attributes;
  }
  const update: MailboxUpdate = {};
  if (Object.keys(edit).length) update.edit = edit;
  if (p.claim) update.ensureQuotaRows = true;
  if (changed) update.template = templateSettings(p.template);
  if (p.intent.tags !== undefined) {
    if (JSON.stringify(p.intent.tags) !== JSON.stringify(p.previous?.intent?.tags)) update.tags = p.intent.tags;
  } else if (changed) {
    update.tags = tagsFromTemplate(p.template);
  }
  return update;
}

/** The wanted keys whose stored value differs (all of them when the stored JSON is unreadable). */
function changedAttributes(storedJson: string, wanted: Record<string, string>): Record<string, string> {
  let stored: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(storedJson);
    if (parsed && typeof parsed === 'object') stored = parsed as Record<string, unknown>;
  } catch {
    /* rewrite every key */
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(wanted)) if (stored[k] !== v) out[k] = v;
  return out;
}
