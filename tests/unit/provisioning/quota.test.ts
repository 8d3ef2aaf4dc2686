/**
 * The quota rules (provisioning/quota.ts, domain-limits.ts) as mailcow's add form and
 * `mailbox('add','mailbox')` apply them; template-quota.test.ts checks the same on real rows.
 */
import { describe, expect, it } from 'vitest';
import {
  assertDomainUsable,
  assertMailboxRoom,
  quotaOrigin,
  quotaResettles,
  requestedQuotaMiB,
  settleQuotaMiB,
  type DomainLimits,
  type MailboxTemplate,
  type QuotaRequest,
} from '../../../server/src/provisioning/index.js';
import { ScimError } from '../../../server/src/scim/scim-error.js';

const MIB = 1024 * 1024;
const domain: DomainLimits = { domain: 'example.org', active: 1, mailboxes: 10, defquotaMiB: 1024, maxquotaMiB: 4096, quotaMiB: 10_240 };
const staff: MailboxTemplate = { name: 'Staff', attributes: { quota: 512 * MIB } };
const huge: MailboxTemplate = { name: 'Huge', attributes: { quota: 8192 * MIB } };
const dflt: MailboxTemplate = { name: 'Default', attributes: { quota: 0 } };

function refused(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ScimError);
    expect((e as ScimError).scimType).toBe('invalidValue');
    return (e as ScimError).detail;
  }
  throw new Error('not refused');
}

describe('where the quota comes from', () => {
  it("form: the template's when one is chosen, else the domain's; domain and template force one", () => {
    expect(quotaOrigin('form', true)).toBe('template');
    expect(quotaOrigin('form', false)).toBe('domain');
    expect(quotaOrigin('domain', true)).toBe('domain');
    expect(quotaOrigin('template', false)).toBe('template');
  });

  it('an explicit quota wins; the domain default is capped by the per-mailbox maximum', () => {
    expect(requestedQuotaMiB({ explicitMiB: 100, origin: 'template', template: staff }, domain)).toBe(100);
    expect(requestedQuotaMiB({ origin: 'template', template: staff }, domain)).toBe(512);
    expect(requestedQuotaMiB({ origin: 'template', template: dflt }, domain)).toBe(0);
    expect(requestedQuotaMiB({ origin: 'domain', template: staff }, { ...domain, defquotaMiB: 9000 })).toBe(4096);
  });
});

describe("within the domain's limits", () => {
  const fromTemplate: QuotaRequest = { origin: 'template', template: staff };

  it("the domain default is capped by the room left, and refused when nothing is left", () => {
    expect(settleQuotaMiB({ origin: 'domain', template: dflt }, domain, 0)).toBe(1024);
    expect(settleQuotaMiB({ origin: 'domain', template: dflt }, domain, 9_840 * MIB)).toBe(400);
    expect(refused(() => settleQuotaMiB({ origin: 'domain', template: dflt }, domain, 10_240 * MIB))).toMatch(/no quota left/);
  });

  it("a template's or an explicit quota is never capped: it fits or is refused with the limit it breaks", () => {
    expect(settleQuotaMiB(fromTemplate, domain, 9_000 * MIB)).toBe(512);
    expect(refused(() => settleQuotaMiB(fromTemplate, domain, 9_840 * MIB))).toMatch(/400 MiB of its 10240 MiB quota left; 512 MiB was asked for/);
    expect(refused(() => settleQuotaMiB({ origin: 'template', template: huge }, domain, 0))).toMatch(/at most 4096 MiB; 8192 MiB was asked for/);
    expect(refused(() => settleQuotaMiB({ explicitMiB: 5000, origin: 'domain', template: dflt }, domain, 0))).toMatch(/at most 4096 MiB/);
  });

  it('unlimited (0) always fits, as in mailcow', () => {
    expect(settleQuotaMiB({ origin: 'template', template: dflt }, domain, 10_240 * MIB)).toBe(0);
  });

  it('mailboxes per domain; a domain must exist and be active', () => {
    expect(() => assertMailboxRoom(domain, { mailboxes: 10, quotaBytes: 0 })).not.toThrow();
    expect(refused(() => assertMailboxRoom(domain, { mailboxes: 11, quotaBytes: 0 }))).toMatch(/allows 10 mailboxes and has 10/);
    expect(refused(() => assertDomainUsable('nowhere.org', undefined))).toMatch(/does not exist/);
    expect(refused(() => assertDomainUsable('example.org', { ...domain, active: 0 }))).toMatch(/inactive/);
  });
});

describe('an existing mailbox', () => {
  it('its quota is set again for a new explicit quota, or a new template whose quota applies; else it stays', () => {
    expect(quotaResettles({ explicitMiB: 100, origin: 'domain' }, 100 * MIB, true)).toBe(false);
    expect(quotaResettles({ explicitMiB: 200, origin: 'domain' }, 100 * MIB, false)).toBe(true);
    expect(quotaResettles({ origin: 'template' }, 100 * MIB, true)).toBe(true);
    expect(quotaResettles({ origin: 'template' }, 100 * MIB, false)).toBe(false);
    expect(quotaResettles({ origin: 'domain' }, 100 * MIB, true)).toBe(false);
  });
});
