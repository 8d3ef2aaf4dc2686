import { describe, expect, it } from 'vitest';
import { buildPolicy, hashSecret, isAddressInCidr, isAllowedByList, isValidCidr, issueSecret } from '../../../server/src/tokens/index.js';
import { ScimError } from '../../../server/src/scim/index.js';

describe('token secrets', () => {
  it('are 256-bit, prefixed, and hashed with SHA-256', () => {
    const a = issueSecret();
    const b = issueSecret();
    expect(a.secret).toMatch(/^mcs_[A-Za-z0-9_-]{43}$/);
    expect(a.secret).not.toBe(b.secret);
    expect(a.prefix).toBe(a.secret.slice(0, 12));
    expect(a.hash.equals(hashSecret(a.secret))).toBe(true);
    expect(a.hash).toHaveLength(32);
  });
});

describe('IP allow-list', () => {
  it.each([
    ['192.0.2.10', '192.0.2.0/24', true],
    ['192.0.3.10', '192.0.2.0/24', false],
    ['::ffff:192.0.2.10', '192.0.2.0/24', true],
    ['2001:db8::1', '2001:db8::/32', true],
    ['2001:db9::1', '2001:db8::/32', false],
    ['10.1.2.3', '10.1.2.3', true],
    ['10.1.2.3', '::/0', false],
  ])('%s in %s → %s', (addr, cidr, expected) => {
    expect(isAddressInCidr(addr, cidr)).toBe(expected);
  });
  it('allows anything with an empty list and nothing unknown with a list', () => {
    expect(isAllowedByList('203.0.113.1', [])).toBe(true);
    expect(isAllowedByList(undefined, ['10.0.0.0/8'])).toBe(false);
  });
  it('validates CIDRs', () => {
    expect(isValidCidr('10.0.0.0/8')).toBe(true);
    expect(isValidCidr('10.0.0.0/33')).toBe(false);
    expect(isValidCidr('fe80::/10')).toBe(true);
    expect(isValidCidr('nonsense')).toBe(false);
  });
});

describe('token policy', () => {
  it('defaults to the safe modes', () => {
    const p = buildPolicy({ domains: ['Example.ORG'] });
    expect(p).toMatchObject({ domains: ['example.org'], onDeactivate: 2, onDelete: 'deactivate', aliasSync: true, ipAllowList: [] });
  });
  it('punycodes domains', () => {
    expect(buildPolicy({ domains: ['bücher.example'] }).domains).toEqual(['xn--bcher-kva.example']);
  });
  it('names every problem in one invalidValue error', () => {
    try {
      buildPolicy({ domains: ['ok.org'], defaultDomain: 'other.org', onDelete: 'purge', ipAllowList: ['x'], colour: 'red' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ScimError);
      const d = (e as ScimError).detail;
      expect((e as ScimError).scimType).toBe('invalidValue');
      for (const part of ['colour', 'defaultDomain', 'onDelete', 'ipAllowList']) expect(d).toContain(part);
    }
  });
});
