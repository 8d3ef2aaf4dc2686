/**
 * LoginService and AdminService over the real RPC socket, against real MariaDB with mailcow's
 * schema: the decisions come from the identity_provider table and the mailbox row as stored.
 */
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdminServiceClient } from '../../../server/src/gen/mailcow/scim/v1/admin.js';
import {
  LoginDenyReason,
  LoginFlow,
  LoginRoute,
  LoginServiceClient,
  type RouteLoginRequest,
  type RouteLoginResponse,
} from '../../../server/src/gen/mailcow/scim/v1/login.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { statementLog } from '../../helpers/statement-log.js';
import { IDP_ROWS, insertMailbox, setIdentityProvider } from './fixtures.js';

let t: TestSidecar;
let login: LoginServiceClient;
let admin: AdminServiceClient;

function call<Res>(fn: (cb: (e: ServiceError | null, r: Res) => void) => void): Promise<Res> {
  return new Promise((resolve, reject) => fn((e, r) => (e ? reject(e) : resolve(r))));
}
const route = (r: Partial<RouteLoginRequest>) =>
  call<RouteLoginResponse>((cb) => login.routeLogin({ username: '', service: 'IMAP', flow: LoginFlow.LOGIN_FLOW_PASSWORD, ...r }, new Metadata(), cb));

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain: 'example.org' }, { domain: 'off.example.org', active: 0 }] });
  login = new LoginServiceClient(`unix://${t.rpcSocket}`, credentials.createInsecure());
  admin = new AdminServiceClient(`unix://${t.rpcSocket}`, credentials.createInsecure());
  await insertMailbox(t.db.pool, { username: 'ada@example.org' });
  await insertMailbox(t.db.pool, { username: 'bob@example.org', active: 2 });
  await insertMailbox(t.db.pool, { username: 'cy@off.example.org' });
  await insertMailbox(t.db.pool, { username: 'dee@example.org', authsource: 'mailcow' });
});
afterAll(async () => {
  login?.close();
  admin?.close();
  await t?.stop();
});
beforeEach(async () => {
  await setIdentityProvider(t.db.pool, null);
});

describe('LoginService.RouteLogin', () => {
  it('routes by the identity_provider table, read fresh on every call', async () => {
    expect(await route({ username: 'ada@example.org' })).toMatchObject({
      route: LoginRoute.LOGIN_ROUTE_DENY,
      denyReason: LoginDenyReason.LOGIN_DENY_REASON_NO_IDENTITY_PROVIDER,
      identityProvider: '',
      mailbox: 'ada@example.org',
    });
    await setIdentityProvider(t.db.pool, IDP_ROWS.ldap);
    expect(await route({ username: 'ada@example.org' })).toMatchObject({ route: LoginRoute.LOGIN_ROUTE_LDAP, identityProvider: 'ldap' });
    await setIdentityProvider(t.db.pool, IDP_ROWS.keycloak);
    expect((await route({ username: 'ada@example.org' })).route).toBe(LoginRoute.LOGIN_ROUTE_KEYCLOAK_PASSWORD);
    await setIdentityProvider(t.db.pool, { ...IDP_ROWS.keycloak, mailpassword_flow: '0' });
    expect(await route({ username: 'ada@example.org' })).toMatchObject({
      route: LoginRoute.LOGIN_ROUTE_SSO_ONLY,
      denyReason: LoginDenyReason.LOGIN_DENY_REASON_SSO_REQUIRED,
    });
    await setIdentityProvider(t.db.pool, IDP_ROWS['generic-oidc']);
    expect((await route({ username: 'ada@example.org' })).route).toBe(LoginRoute.LOGIN_ROUTE_SSO_ONLY);
    expect((await route({ username: 'ada@example.org', flow: LoginFlow.LOGIN_FLOW_SSO, service: '' })).route).toBe(LoginRoute.LOGIN_ROUTE_SSO);
  });

  it('matches the username case-insensitively, as mailcow does, and returns the stored name', async () => {
    await setIdentityProvider(t.db.pool, IDP_ROWS.ldap);
    expect(await route({ username: 'ADA@Example.ORG' })).toMatchObject({ route: LoginRoute.LOGIN_ROUTE_LDAP, mailbox: 'ada@example.org' });
  });

  it('denies deactivated mailboxes, inactive domains, disabled services, unknown and non-SCIM mailboxes', async () => {
    await setIdentityProvider(t.db.pool, IDP_ROWS.ldap);
    expect((await route({ username: 'bob@example.org' })).denyReason).toBe(LoginDenyReason.LOGIN_DENY_REASON_LOGIN_DISABLED);
    expect((await route({ username: 'cy@off.example.org' })).denyReason).toBe(LoginDenyReason.LOGIN_DENY_REASON_DOMAIN_INACTIVE);
    expect((await route({ username: 'ada@example.org', service: 'POP3' })).denyReason).toBe(LoginDenyReason.LOGIN_DENY_REASON_SERVICE_DISABLED);
    expect((await route({ username: 'nobody@example.org' })).denyReason).toBe(LoginDenyReason.LOGIN_DENY_REASON_UNKNOWN_MAILBOX);
    expect((await route({ username: 'dee@example.org' })).denyReason).toBe(LoginDenyReason.LOGIN_DENY_REASON_NOT_SCIM);
  });

  it('reads the mailbox and the provider settings in one statement, with or without a mailbox', async () => {
    await setIdentityProvider(t.db.pool, IDP_ROWS.ldap);
    const sql = statementLog();
    sql.start();
    expect(await route({ username: 'ada@example.org' })).toMatchObject({ route: LoginRoute.LOGIN_ROUTE_LDAP, identityProvider: 'ldap', mailbox: 'ada@example.org' });
    expect(sql.stop()).toHaveLength(1);
    sql.start();
    expect(await route({ username: 'nobody@example.org' })).toMatchObject({
      denyReason: LoginDenyReason.LOGIN_DENY_REASON_UNKNOWN_MAILBOX,
      identityProvider: 'ldap',
      mailbox: '',
    });
    expect(sql.stop()).toHaveLength(1);
    // Settings without a mailbox row and a mailbox without settings rows come apart as well.
    await setIdentityProvider(t.db.pool, { ...IDP_ROWS.ldap, bindpass: '' });
    expect(await route({ username: 'ada@example.org' })).toMatchObject({ denyReason: LoginDenyReason.LOGIN_DENY_REASON_IDENTITY_PROVIDER_INCOMPLETE, mailbox: 'ada@example.org' });
  });

  it('answers INVALID_ARGUMENT with scim-type invalidValue for a malformed request', async () => {
    const e = await route({ username: '' }).catch((err: ServiceError) => err);
    expect(e).toMatchObject({ code: 3 });
    expect((e as ServiceError).metadata.get('scim-type')).toEqual(['invalidValue']);
  });

  it('logs each decision with its reason', async () => {
    await route({ username: 'bob@example.org' });
    expect(t.logs.some((l) => l.method === 'RouteLogin' && l.reason === 'login-disabled' && /active=2/.test(String(l.msg)))).toBe(true);
  });
});

describe('AdminService', () => {
  it('describes the login setup and counts SCIM mailboxes', async () => {
    const none = await call<any>((cb) => admin.getLoginSetup({}, new Metadata(), cb));
    expect(none).toMatchObject({ identityProvider: '', identityProviderComplete: false, scimMailboxes: 3 });
    expect(none.warnings[0]).toMatch(/SCIM users cannot log in until an identity provider is configured/);
    await setIdentityProvider(t.db.pool, IDP_ROWS.ldap);
    const ldap = await call<any>((cb) => admin.getLoginSetup({}, new Metadata(), cb));
    expect(ldap).toMatchObject({ identityProvider: 'ldap', identityProviderComplete: true, passwordLogin: true, ssoLogin: false, warnings: [] });
  });

  it('lists mailbox templates and domains', async () => {
    const templates = await call<any>((cb) => admin.listMailboxTemplates({}, new Metadata(), cb));
    expect(templates.templates.map((x: { name: string }) => x.name)).toContain('Default');
    const domains = await call<any>((cb) => admin.listDomains({}, new Metadata(), cb));
    expect(domains.domains).toEqual([
      { name: 'example.org', active: true },
      { name: 'off.example.org', active: false },
    ]);
  });

  it('pages audit events newest first', async () => {
    const token = await t.sidecar.tokens.create('audit', { domains: ['example.org'] });
    for (let i = 1; i <= 5; i++) {
      await t.db.pool.execute(
        `INSERT INTO mailcow_scim_events (at, token_id, request_id, operation, resource_type, mailbox, outcome, status, detail, client_ip)
         VALUES (?, ?, ?, 'create', 'User', ?, 'ok', 201, NULL, '192.0.2.1')`,
        [`2026-11-28 10:00:0${i}.000`, token.token.id, `req-${i}`, `u${i}@example.org`],
      );
    }
    const first = await call<any>((cb) => admin.listEvents({ limit: 3, beforeId: 0, tokenId: '' }, new Metadata(), cb));
    expect(first.events.map((e: { mailbox: string }) => e.mailbox)).toEqual(['u5@example.org', 'u4@example.org', 'u3@example.org']);
    expect(first.events[0]).toMatchObject({ at: '2026-11-28T10:00:05.000Z', tokenId: token.token.id, status: 201, clientIp: '192.0.2.1', detail: '' });
    const second = await call<any>((cb) => admin.listEvents({ limit: 3, beforeId: first.nextBeforeId, tokenId: token.token.id }, new Metadata(), cb));
    expect(second.events.map((e: { mailbox: string }) => e.mailbox)).toEqual(['u2@example.org', 'u1@example.org']);
    expect(second.nextBeforeId).toBe(0);
    await expect(call((cb) => admin.listEvents({ limit: 501, beforeId: 0, tokenId: '' }, new Metadata(), cb))).rejects.toMatchObject({ code: 3 });
    await expect(call((cb) => admin.listEvents({ limit: 1, beforeId: 0, tokenId: 'x' }, new Metadata(), cb))).rejects.toMatchObject({ code: 3 });
  });
});
