/** TokenService over the real gRPC socket: the admin page's path to token management. */
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeactivateMode, DeleteMode, QuotaSource, TokenServiceClient, type CreateTokenResponse, type Token, type UpdateTokenRequest } from '../../../server/src/gen/mailcow/scim/v1/token.js';
import { rowsOf } from '../../helpers/mailcow-rows.js';
import { scimClient } from '../../helpers/http.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

let t: TestSidecar;
let client: TokenServiceClient;

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain: 'example.org' }, { domain: 'second.org' }] });
  client = new TokenServiceClient(`unix://${t.rpcSocket}`, credentials.createInsecure());
});
afterAll(async () => {
  client?.close();
  await t?.stop();
});

function call<Req, Res>(fn: (req: Req, md: Metadata, cb: (e: ServiceError | null, r: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => fn.call(client, req, new Metadata(), (e, r) => (e ? reject(e) : resolve(r))));
}

describe('TokenService', () => {
  let created: CreateTokenResponse;

  it('CreateToken returns the secret once and stores only its hash', async () => {
    created = await call(client.createToken, {
      name: 'Entra ID',
      policy: {
        domains: ['example.org'],
        defaultDomain: 'example.org',
        defaultTemplate: '',
        templateRules: [],
        onDeactivate: DeactivateMode.DEACTIVATE_MODE_UNSPECIFIED,
        onDelete: DeleteMode.DELETE_MODE_UNSPECIFIED,
        aliasSync: true,
        ipAllowList: [],
        groupAddressFromName: false,
        groupSenderAcl: false,
        quotaSource: QuotaSource.QUOTA_SOURCE_UNSPECIFIED,
        eventRetentionDays: 0,
      },
    });
    expect(created.secret).toMatch(/^mcs_/);
    expect(created.token!.policy).toMatchObject({ onDeactivate: DeactivateMode.DEACTIVATE_MODE_DISALLOW_LOGIN, onDelete: DeleteMode.DELETE_MODE_DEACTIVATE, quotaSource: QuotaSource.QUOTA_SOURCE_FORM });
    const rows = await rowsOf(t.db.pool, `SELECT * FROM mailcow_scim_tokens`);
    expect(JSON.stringify(rows)).not.toContain(created.secret);
    expect((await scimClient(t.baseUrl, created.secret).get('/Users')).status).toBe(200);
  });

  it('ListTokens and GetToken never carry a secret', async () => {
    const list = await call<{ includeRevoked: boolean }, { tokens: Token[] }>(client.listTokens, { includeRevoked: false });
    expect(list.tokens.map((x) => x.name)).toEqual(['Entra ID']);
    expect(JSON.stringify(list)).not.toContain(created.secret);
    const one = await call<{ id: string }, { token?: Token }>(client.getToken, { id: created.token!.id });
    expect(one.token!.prefix).toBe(created.secret.slice(0, 12));
  });

  it('UpdateToken replaces the policy and toggles the state', async () => {
    const res = await call<UpdateTokenRequest, { token?: Token }>(client.updateToken, {
      id: created.token!.id,
      active: false,
      policy: { ...created.token!.policy!, domains: ['example.org', 'second.org'], onDelete: DeleteMode.DELETE_MODE_DELETE, ipAllowList: ['10.0.0.0/8'] },
    });
    expect(res.token).toMatchObject({ active: false, policy: { domains: ['example.org', 'second.org'], onDelete: DeleteMode.DELETE_MODE_DELETE, ipAllowList: ['10.0.0.0/8'] } });
    expect((await scimClient(t.baseUrl, created.secret).get('/Users')).status).toBe(401);
  });

  it('maps SCIM errors to gRPC statuses with the scim-type in trailing metadata', async () => {
    const bad = call(client.createToken, { name: 'x', policy: { domains: ['nowhere.org'], defaultDomain: '', defaultTemplate: '', templateRules: [], onDeactivate: 0, onDelete: 0, aliasSync: true, ipAllowList: [], groupAddressFromName: false, groupSenderAcl: false, quotaSource: 0, eventRetentionDays: 0 } });
    await expect(bad).rejects.toMatchObject({ code: 3, details: expect.stringContaining('nowhere.org') });
    const err = (await bad.catch((e) => e)) as ServiceError;
    expect(err.metadata.get('scim-type')).toEqual(['invalidValue']);
    await expect(call(client.getToken, { id: 'no-such-id' })).rejects.toMatchObject({ code: 5 });
  });

  it('refuses a bad template rule with INVALID_ARGUMENT, scim-type invalidFilter and the offset in the rule', async () => {
    const policy = { ...created.token!.policy!, templateRules: [{ filter: 'title eq "Boss"', template: 'Default' }, { filter: 'department eq "Sales', template: 'Default' }] };
    const bad = call(client.updateToken, { id: created.token!.id, policy });
    const err = (await bad.catch((e) => e)) as ServiceError;
    expect(err.code).toBe(3);
    expect(err.metadata.get('scim-type')).toEqual(['invalidFilter']);
    expect(err.details).toContain('templateRules[1].filter');
    const [raw] = err.metadata.get('scim-policy-problems-bin') as Buffer[];
    expect(JSON.parse(raw!.toString('utf8'))).toEqual([
      { field: 'templateRules[1].filter', ruleIndex: 1, offset: 14, message: 'unterminated string starting at position 14', excerpt: 'department eq "Sales\n              ^' },
    ]);
    // Nothing was stored: the token keeps its rules.
    const one = await call<{ id: string }, { token?: Token }>(client.getToken, { id: created.token!.id });
    expect(one.token!.policy!.templateRules).toEqual([]);

    const unknown = (await call(client.createToken, { name: 'Rules', policy: { ...policy, templateRules: [{ filter: 'dept eq "Sales"', template: 'Default' }] } }).catch((e) => e)) as ServiceError;
    expect(unknown.code).toBe(3);
    expect(JSON.parse((unknown.metadata.get('scim-policy-problems-bin')[0] as Buffer).toString())[0]).toMatchObject({ field: 'templateRules[0].filter', offset: 0, message: "unknown attribute 'dept' in filter" });
  });

  it('keeps token names unique (ALREADY_EXISTS) and carries the event retention', async () => {
    const policy = { ...created.token!.policy!, eventRetentionDays: 30 };
    const dup = (await call(client.createToken, { name: 'entra id', policy }).catch((e) => e)) as ServiceError;
    expect(dup.code).toBe(6);
    expect(dup.details).toContain('"Entra ID" exists already');
    const second = await call<{ name: string; policy: typeof policy }, CreateTokenResponse>(client.createToken, { name: 'Okta', policy });
    expect(second.token!.policy!.eventRetentionDays).toBe(30);
    const rename = (await call(client.updateToken, { id: second.token!.id, name: 'ENTRA ID' }).catch((e) => e)) as ServiceError;
    expect(rename.code).toBe(6);
    const tooLong = (await call(client.updateToken, { id: second.token!.id, policy: { ...policy, eventRetentionDays: 5000 } }).catch((e) => e)) as ServiceError;
    expect(tooLong.code).toBe(3);
    expect(tooLong.details).toContain('eventRetentionDays');
    await call(client.revokeToken, { id: second.token!.id });
  });

  it('RotateToken and RevokeToken', async () => {
    const rotated = await call<{ id: string }, CreateTokenResponse>(client.rotateToken, { id: created.token!.id });
    expect(rotated.secret).not.toBe(created.secret);
    const revoked = await call<{ id: string }, { token?: Token }>(client.revokeToken, { id: created.token!.id });
    expect(revoked.token!.active).toBe(false);
    const list = await call<{ includeRevoked: boolean }, { tokens: Token[] }>(client.listTokens, { includeRevoked: false });
    expect(list.tokens).toEqual([]);
  });

  it('never logs a secret', () => {
    expect(t.logText()).not.toContain(created.secret);
  });
});
