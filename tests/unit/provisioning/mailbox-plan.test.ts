/**
 * What a change writes to a mailbox (provisioning/mailbox-plan.ts, mailbox-template.ts),
 * decided without a database: a new mailbox's values as mailcow's add derives them from a
 * template, and for an existing one only what differs, with template values applied again only
 * when the template changed or on a claim.
 */
import { describe, expect, it } from 'vitest';
import {
  accessAttributes,
  aclFromTemplate,
  planMailboxUpdate,
  planNewMailbox,
  rateLimitFromTemplate,
  tagsFromTemplate,
  taggedMailHandlerFromTemplate,
  templateQuotaMiB,
  type MailboxIntent,
  type MailboxSnapshot,
  type MailboxTemplate,
} from '../../../server/src/provisioning/index.js';

const MIB = 1024 * 1024;
const DEFAULT: MailboxTemplate = { name: 'Default', attributes: {} };
const SALES: MailboxTemplate = {
  name: 'Sales',
  attributes: { quota: 512 * MIB, tags: ['sales', ' crm ', 'sales', ''], rl_value: '10', rl_frame: 'h', tagged_mail_handler: 'subfolder', imap_access: 0, force_tfa: 1, acl_syncjobs: 1, quarantine_category: 'bogus' },
};

function intent(over: Partial<MailboxIntent> = {}): MailboxIntent {
  return { name: 'Ann Example', active: 1, template: null, aliases: [], ...over };
}

const attributes = JSON.stringify(accessAttributes({ template: DEFAULT, idpAuthsource: null }));
const mailbox: MailboxSnapshot = { username: 'ann@example.org', domain: 'example.org', name: 'Ann Example', quotaBytes: 1024 * MIB, active: 1, authsource: 'scim', scimManaged: true, kind: '', attributes };

describe('what a template gives', () => {
  it('derives tags, ACL, Redis keys and quota as mailcow does', () => {
    expect(tagsFromTemplate(SALES)).toEqual(['sales', 'crm']);
    expect(aclFromTemplate(SALES)).toMatchObject({ syncjobs: 1, spam_alias: 0, pw_reset: 0 });
    expect(rateLimitFromTemplate(SALES)).toBe('10 / 1h');
    expect(rateLimitFromTemplate({ name: 'x', attributes: { rl_value: '0' } })).toBeNull();
    expect(taggedMailHandlerFromTemplate(SALES)).toBe('subfolder');
    expect(taggedMailHandlerFromTemplate(DEFAULT)).toBeNull();
    expect(templateQuotaMiB(SALES)).toBe(512);
    expect(templateQuotaMiB(DEFAULT)).toBe(0);
    expect(templateQuotaMiB({ name: 'x', attributes: { quota: 'lots' } })).toBe(0);
  });

  it('access attributes: the template over mailcow defaults, explicit protocol access over both, generic-oidc without force_tfa', () => {
    const a = accessAttributes({ template: SALES, protocolAccess: { pop3: false, imap: true }, idpAuthsource: null });
    expect(a).toMatchObject({ imap_access: '1', pop3_access: '0', smtp_access: '1', force_tfa: '1', quarantine_category: 'reject', quarantine_notification: 'hourly' });
    expect(accessAttributes({ template: SALES, idpAuthsource: 'generic-oidc' }).force_tfa).toBe('0');
  });
});

describe('a new mailbox', () => {
  it('takes the template values unless the intent names its own tags', () => {
    const address = { localPart: 'ann', domain: 'example.org', address: 'ann@example.org' };
    const plan = planNewMailbox({ address, intent: intent({ template: 'Sales' }), template: SALES, idpAuthsource: null, quotaBytes: 512 * MIB });
    expect(plan).toMatchObject({ name: 'Ann Example', quotaBytes: 512 * MIB, active: 1, tags: ['sales', 'crm'], template: { rateLimit: '10 / 1h', taggedMail: 'subfolder' } });
    expect(plan.access.imap_access).toBe('0');
    expect(planNewMailbox({ address, intent: intent({ tags: ['x'] }), template: SALES, idpAuthsource: null, quotaBytes: 0 }).tags).toEqual(['x']);
  });
});

describe('an existing mailbox', () => {
  const same = { intent: intent(), template: 'Default' };

  it('an unchanged intent with the same template writes nothing', () => {
    expect(planMailboxUpdate({ mailbox, intent: intent(), previous: same, template: DEFAULT, idpAuthsource: null, claim: false })).toEqual({});
  });

  it('a new name or active value edits the row only; a settled quota only when it differs', () => {
    const u = planMailboxUpdate({ mailbox, intent: intent({ name: 'Ann B', active: 2 }), previous: same, template: DEFAULT, idpAuthsource: null, claim: false, quotaBytes: mailbox.quotaBytes });
    expect(u).toEqual({ edit: { name: 'Ann B', active: 2 } });
    expect(planMailboxUpdate({ mailbox, intent: intent(), previous: same, template: DEFAULT, idpAuthsource: null, claim: false, quotaBytes: 3 * MIB })).toEqual({ edit: { quotaBytes: 3 * MIB } });
  });

  it('another template: its attributes where they differ, its ACL, Redis keys and tags', () => {
    const u = planMailboxUpdate({ mailbox, intent: intent({ template: 'Sales' }), previous: same, template: SALES, idpAuthsource: null, claim: false });
    expect(u.edit).toEqual({ attributes: { force_tfa: '1', imap_access: '0' } });
    expect(u.template).toMatchObject({ rateLimit: '10 / 1h', taggedMail: 'subfolder', acl: { syncjobs: 1 } });
    expect(u.tags).toEqual(['sales', 'crm']);
    expect(u.ensureQuotaRows).toBeUndefined();
  });

  it('the same template keeps an admin tweak; new explicit protocol access or tags are written', () => {
    const tweaked = { ...mailbox, attributes: JSON.stringify({ ...JSON.parse(attributes), imap_access: '0' }) };
    expect(planMailboxUpdate({ mailbox: tweaked, intent: intent(), previous: same, template: DEFAULT, idpAuthsource: null, claim: false })).toEqual({});
    const u = planMailboxUpdate({ mailbox: tweaked, intent: intent({ protocolAccess: { pop3: false }, tags: ['a'] }), previous: same, template: DEFAULT, idpAuthsource: null, claim: false });
    expect(u).toEqual({ edit: { attributes: { imap_access: '1', pop3_access: '0' } }, tags: ['a'] });
  });

  it('a claim applies the template again and makes sure mailcow sees the mailbox (quota rows)', () => {
    const u = planMailboxUpdate({ mailbox, intent: intent(), previous: null, template: DEFAULT, idpAuthsource: null, claim: true });
    expect(u).toMatchObject({ ensureQuotaRows: true, tags: [], template: { rateLimit: null, taggedMail: null } });
  });

  it('unreadable stored attributes are written again in full', () => {
    const u = planMailboxUpdate({ mailbox: { ...mailbox, attributes: 'null' }, intent: intent(), previous: null, template: DEFAULT, idpAuthsource: null, claim: true });
    expect(Object.keys(u.edit!.attributes!)).toHaveLength(12);
  });
});
