import { describe, expect, it } from 'vitest';
import { memberIdsOf, readOptionsFor, resolveGroupAddress, slugOf } from '../../../server/src/groups/index.js';
import { DEFAULT_POLICY, type TokenPolicy } from '../../../server/src/tokens/policy.js';

const MC = 'urn:ietf:params:scim:schemas:extension:mailcow:2.0:Group';
const policy = (p: Partial<TokenPolicy> = {}): TokenPolicy => ({ ...DEFAULT_POLICY, domains: ['example.org', 'example.net'], defaultDomain: 'example.org', ...p });

describe('slugOf', () => {
  it('folds accents, lower-cases, joins the rest with single hyphens, caps at 64', () => {
    expect(slugOf('Équipe Vente & Marketing (EMEA)')).toBe('equipe-vente-marketing-emea');
    expect(slugOf('  --Ops__50%--  ')).toBe('ops-50');
    expect(slugOf('日本')).toBe('');
    expect(slugOf(`${'a'.repeat(63)} b`)).toBe('a'.repeat(63));
  });
});

describe('resolveGroupAddress', () => {
  it('explicit address first, then e-mails in managed domains, then the name (only with the policy)', () => {
    expect(resolveGroupAddress({ displayName: 'X', [MC]: { address: 'Sales@Example.ORG', emails: [{ value: 'x@example.org' }] } }, policy(), null)).toEqual({ address: 'sales@example.org', source: 'attribute' });
    expect(resolveGroupAddress({ displayName: 'X', [MC]: { emails: [{ value: 'x@elsewhere.com', primary: true }, { value: 'list@example.net', type: 'work' }] } }, policy(), null)).toEqual({ address: 'list@example.net', source: 'emails' });
    expect(resolveGroupAddress({ displayName: 'Sales Team' }, policy(), null)).toBeNull();
    expect(resolveGroupAddress({ displayName: 'Sales Team' }, policy({ groupAddressFromName: true }), null)).toEqual({ address: 'sales-team@example.org', source: 'name' });
    expect(resolveGroupAddress({ displayName: 'Sales Team' }, policy({ groupAddressFromName: true, defaultDomain: null }), null)).toBeNull();
  });

  it('keeps a name-derived address across renames, not an explicit one', () => {
    const p = policy({ groupAddressFromName: true });
    expect(resolveGroupAddress({ displayName: 'Renamed' }, p, { address: 'old@example.org', source: 'name' })).toEqual({ address: 'old@example.org', source: 'name' });
    expect(resolveGroupAddress({ displayName: 'Renamed' }, p, { address: 'old@example.org', source: 'attribute' })).toEqual({ address: 'renamed@example.org', source: 'name' });
  });

  it('an explicit address that is not an address, or not in a managed domain, is invalidValue', () => {
    expect(() => resolveGroupAddress({ [MC]: { address: 'not an address' } }, policy(), null)).toThrow(expect.objectContaining({ scimType: 'invalidValue' }));
    expect(() => resolveGroupAddress({ [MC]: { address: 'a@other.org' } }, policy(), null)).toThrow(/example\.org, example\.net/);
  });
});

describe('memberIdsOf', () => {
  it('reads value, else the id at the end of a (relative) $ref; lower case, each once', () => {
    expect(memberIdsOf({ members: [{ value: 'AB' }, { $ref: 'Users/cd' }, { $ref: 'https://x/scim/v2/Users/ef/' }, { value: 'ab' }] })).toEqual(['ab', 'cd', 'ef']);
    expect(memberIdsOf({})).toEqual([]);
  });

  it('refuses groups as members and members without an id', () => {
    expect(() => memberIdsOf({ members: [{ value: 'g', type: 'Group' }] })).toThrow(/only Users/);
    expect(() => memberIdsOf({ members: [{ $ref: 'Groups/g' }] })).toThrow(/refers to a Group/);
    expect(() => memberIdsOf({ members: [{ display: 'x' }] })).toThrow(/no "value"/);
  });
});

describe('readOptionsFor', () => {
  it('reads members unless they are excluded or not among the requested attributes', () => {
    expect(readOptionsFor([], [])).toEqual({ members: true });
    expect(readOptionsFor([], ['members'])).toEqual({ members: false });
    expect(readOptionsFor([], ['urn:ietf:params:scim:schemas:core:2.0:Group:members'])).toEqual({ members: false });
    expect(readOptionsFor([], ['members.display'])).toEqual({ members: true });
    expect(readOptionsFor(['displayName'], [])).toEqual({ members: false });
    expect(readOptionsFor(['displayName', 'members.value'], [])).toEqual({ members: true });
  });
});
