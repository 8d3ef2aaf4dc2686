/**
 * The address policy (docs/architecture.md §4) for user names that are not addresses: placed at the
 * token's default domain, or refused with 400 invalidValue naming the domains the token manages.
 * The replayed fixtures show the same over HTTP (tests/idp/fixtures/*\/plain-username-*,
 * create-user-without-email, create-user-core-template).
 */
import { describe, expect, it } from 'vitest';
import { resolveMailboxAddress } from '../../../server/src/provisioning/index.js';
import { ScimError } from '../../../server/src/scim/scim-error.js';
import { buildPolicy } from '../../../server/src/tokens/index.js';

const policy = buildPolicy({ domains: ['example.org', 'example.net'], defaultDomain: 'example.org' });
const noDefault = buildPolicy({ domains: ['example.org', 'example.net'] });

function refusal(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ScimError);
    expect((e as ScimError).status).toBe(400);
    expect((e as ScimError).scimType).toBe('invalidValue');
    return e as ScimError;
  }
  throw new Error('not refused');
}

describe('userName that is not an address', () => {
  it('goes to the default domain, lower-cased', () => {
    expect(resolveMailboxAddress({ userName: 'UserName123' }, policy).address).toBe('username123@example.org');
  });

  it('prefers a primary or work e-mail in a managed domain over the default domain', () => {
    const r = { userName: 'jdoe', emails: [{ value: 'x@gmail.example', type: 'home' }, { value: 'Jane.Doe@example.net', type: 'other', primary: true }] };
    expect(resolveMailboxAddress(r, policy).address).toBe('jane.doe@example.net');
  });

  it('ignores e-mails outside the managed domains', () => {
    expect(resolveMailboxAddress({ userName: 'kim', emails: [{ value: 'kim@partner.example', primary: true }] }, policy).address).toBe('kim@example.org');
  });

  it('without a default domain: refused, naming the managed domains', () => {
    const e = refusal(() => resolveMailboxAddress({ userName: 'liam', emails: [{ value: 'liam@partner.example' }] }, noDefault));
    expect(e.detail).toContain('example.org, example.net');
    expect(e.detail).toContain('no default domain');
  });

  it('a name mailcow cannot use as a local part: refused, naming the default and the managed domains', () => {
    const e = refusal(() => resolveMailboxAddress({ userName: 'Jane Doe' }, policy));
    expect(e.detail).toContain('"Jane Doe"');
    expect(e.detail).toContain('at example.org');
    expect(e.detail).toContain('(example.org, example.net)');
  });

  it('an address in a domain the token does not manage: refused, naming the managed domains', () => {
    const e = refusal(() => resolveMailboxAddress({ userName: 'jane@gmail.example' }, policy));
    expect(e.detail).toContain('example.org, example.net');
  });
});
