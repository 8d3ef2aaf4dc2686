/**
 * AdminService PlanAdoption / Adopt over the real gRPC socket: the same plan and hand-over as
 * `mailcow-scim adopt`, page by page, for the admin page's bulk-adoption panel.
 */
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminServiceClient,
  AdoptionAction,
  AdoptionOutcome,
  type AdoptRequest,
  type AdoptResponse,
  type PlanAdoptionRequest,
  type PlanAdoptionResponse,
} from '../../../server/src/gen/mailcow/scim/v1/admin.js';
import { rowsOf } from '../../helpers/mailcow-rows.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';
import { IDP_ROWS, setIdentityProvider } from '../php-bridge/fixtures.js';

let t: TestSidecar;
let client: AdminServiceClient;
let tokenId: string;

function call<Req, Res>(fn: (req: Req, md: Metadata, cb: (e: ServiceError | null, r: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => fn.call(client, req, new Metadata(), (e, r) => (e ? reject(e) : resolve(r))));
}
const plan = (req: PlanAdoptionRequest) => call<PlanAdoptionRequest, PlanAdoptionResponse>(client.planAdoption, req);
const adopt = (req: AdoptRequest) => call<AdoptRequest, AdoptResponse>(client.adopt, req);

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain: 'example.org' }, { domain: 'other.org' }] });
  client = new AdminServiceClient(`unix://${t.rpcSocket}`, credentials.createInsecure());
  await setIdentityProvider(t.db.pool, IDP_ROWS.keycloak);
  tokenId = (await t.sidecar.tokens.create('Entra', { domains: ['example.org'] })).token.id;
  for (let i = 0; i < 7; i++) {
    const u = `m${i}@example.org`;
    await t.db.pool.query(
      `INSERT INTO mailbox (username, password, name, quota, local_part, domain, attributes, authsource, active) VALUES (?, '{BLF-CRYPT}h', ?, 0, ?, 'example.org', '{}', 'mailcow', 1)`,
      [u, `M ${i}`, `m${i}`],
    );
  }
});
afterAll(async () => {
  client?.close();
  await t?.stop();
});

describe('PlanAdoption', () => {
  it('pages through the plan in address order with the login route of each mailbox, writing nothing', async () => {
    const selection = { tokenId, addresses: [], domains: ['example.org'], filter: '', moveFromOtherTokens: false };
    const first = await plan({ selection, pageSize: 3, pageToken: '' });
    expect(first.entries.map((e) => e.address)).toEqual(['m0@example.org', 'm1@example.org', 'm2@example.org']);
    expect(first.loginSummary).toContain('Keycloak mailcow_password');
    expect(first.entries[0]).toMatchObject({
      action: AdoptionAction.ADOPTION_ACTION_ADOPT,
      authsource: 'mailcow',
      changes: ['authsource mailcow → scim', expect.stringContaining('login: its mailcow password')],
      login: { passwordRoute: 'keycloak-password', ssoRoute: 'sso', losesPasswordLogin: false, onlyAppPasswords: false },
    });
    expect(first.summary).toEqual({ adopt: 3, skip: 0, refuse: 0, losePasswordLogin: 0, withConflicts: 0 });
    expect(first.nextPageToken).not.toBe('');
    const second = await plan({ selection, pageSize: 3, pageToken: first.nextPageToken });
    const third = await plan({ selection, pageSize: 3, pageToken: second.nextPageToken });
    expect([...second.entries, ...third.entries].map((e) => e.address)).toEqual(['m3@example.org', 'm4@example.org', 'm5@example.org', 'm6@example.org']);
    expect(third.nextPageToken).toBe('');
    expect(await rowsOf(t.db.pool, `SELECT username FROM mailbox WHERE authsource = 'scim'`)).toEqual([]);
  });

  it('answers INVALID_ARGUMENT for a bad selection, a bad filter or a foreign page token; NOT_FOUND for an unknown token', async () => {
    const base = { tokenId, addresses: [], domains: [], filter: '', moveFromOtherTokens: false };
    const cases: [PlanAdoptionRequest, number, string][] = [
      [{ selection: { ...base, domains: ['other.org'] }, pageSize: 0, pageToken: '' }, 3, 'does not manage other.org'],
      [{ selection: { ...base, filter: 'userName eq "x' }, pageSize: 0, pageToken: '' }, 3, 'unterminated string'],
      [{ selection: { ...base, domains: ['example.org'] }, pageSize: 0, pageToken: 'bogus' }, 3, 'page_token'],
      [{ selection: { ...base, domains: ['example.org'] }, pageSize: 9999, pageToken: '' }, 3, 'page size'],
      [{ selection: base, pageSize: 0, pageToken: '' }, 3, 'Select the mailboxes'],
      [{ selection: { ...base, tokenId: '00000000-0000-4000-8000-000000000000', domains: ['example.org'] }, pageSize: 0, pageToken: '' }, 5, 'No SCIM token'],
    ];
    for (const [req, code, detail] of cases) {
      const err = (await plan(req).catch((e) => e)) as ServiceError;
      expect(err.code, detail).toBe(code);
      expect(err.details).toContain(detail);
    }
    const filterErr = (await plan(cases[1]![0]).catch((e) => e)) as ServiceError;
    expect(filterErr.metadata.get('scim-type')).toEqual(['invalidFilter']);
  });
});

describe('Adopt', () => {
  it('hands over one page per call, one transaction per mailbox; calling again from the start skips what is done', async () => {
    const selection = { tokenId, addresses: [], domains: ['example.org'], filter: 'userName sw "m" and not (userName eq "m6@example.org")', moveFromOtherTokens: false };
    const first = await adopt({ selection, pageSize: 4, pageToken: '' });
    expect(first.results.map((r) => [r.address, r.outcome])).toEqual([
      ['m0@example.org', AdoptionOutcome.ADOPTION_OUTCOME_ADOPTED],
      ['m1@example.org', AdoptionOutcome.ADOPTION_OUTCOME_ADOPTED],
      ['m2@example.org', AdoptionOutcome.ADOPTION_OUTCOME_ADOPTED],
      ['m3@example.org', AdoptionOutcome.ADOPTION_OUTCOME_ADOPTED],
    ]);
    expect(first.counts).toMatchObject({ adopted: 4 });
    // Interrupted here: the panel starts over, and the first page is now all skips.
    const again = await adopt({ selection, pageSize: 4, pageToken: '' });
    expect(again.counts).toMatchObject({ adopted: 0, skipped: 4 });
    const rest = await adopt({ selection, pageSize: 4, pageToken: again.nextPageToken });
    expect(rest.results.map((r) => r.address)).toEqual(['m4@example.org', 'm5@example.org']);
    expect(rest.counts).toMatchObject({ adopted: 2 });
    expect(rest.nextPageToken).toBe('');
    const adopted = await rowsOf(t.db.pool, `SELECT username FROM mailbox WHERE authsource = 'scim' ORDER BY username`);
    expect(adopted.map((r) => r.username)).toEqual(['m0@example.org', 'm1@example.org', 'm2@example.org', 'm3@example.org', 'm4@example.org', 'm5@example.org']);
  });
});
