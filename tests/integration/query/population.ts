/**
 * A population of Users for the query tests: every attribute type of the User schema and its
 * extensions, values that differ only by case, accent, trailing space or LIKE wildcard,
 * attributes present, empty and absent, several versions, quota usage, and group memberships.
 * Created through the real HTTP API, so the stored rows are exactly what an IdP would leave.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { scimClient } from '../../helpers/http.js';
import type { TestSidecar } from '../../helpers/sidecar.js';
import { startTestSidecar } from '../../helpers/sidecar.js';
import { ENTERPRISE_USER_SCHEMA as ENT, GROUP_SCHEMA as GROUP, MAILCOW_USER_SCHEMA as MC, PATCH_OP_SCHEMA as PATCH_OP, USER_SCHEMA as CORE } from '../../../server/src/scim/schema/index.js';

export {
  USER_SCHEMA as CORE,
  ENTERPRISE_USER_SCHEMA as ENT,
  MAILCOW_USER_SCHEMA as MC,
  GROUP_SCHEMA as GROUP,
  PATCH_OP_SCHEMA as PATCH_OP,
  SEARCH_REQUEST_SCHEMA as SEARCH,
} from '../../../server/src/scim/schema/index.js';

type Client = ReturnType<typeof scimClient>;

const LONG_NAME = `Dr. ${'Very Long Name '.repeat(20)}End`; // > 255 characters
const NAME_255 = 'N'.repeat(255);

/** The POST bodies, in creation order (so meta.created increases along the list). */
const USER_BODIES: Record<string, unknown>[] = [
  {
    userName: 'alice', externalId: 'ext-A', displayName: 'Alice Archer', nickName: 'Al', title: 'Engineer', userType: 'Employee',
    preferredLanguage: 'en-US', locale: 'en-US', timezone: 'Europe/Berlin', active: true, profileUrl: 'https://example.com/Alice',
    name: { givenName: 'Alice', familyName: 'Archer', formatted: 'Ms. Alice Archer', honorificPrefix: 'Ms.' },
    emails: [{ value: 'Alice@Example.org', type: 'work', primary: true }, { value: 'alice@example.com', type: 'home', display: 'Private' }],
    phoneNumbers: [{ value: '+49 30 1111', type: 'work' }],
    addresses: [{ type: 'work', locality: 'Berlin', country: 'DE', primary: true, formatted: 'Unter den Linden 1\nBerlin' }],
    roles: [{ value: 'admin', primary: true }, { value: 'user' }],
    [ENT]: { employeeNumber: '0001', department: 'Engineering', costCenter: 'CC-1', organization: 'ACME', division: 'R&D', manager: { value: 'mgr-1', displayName: 'Boss One' } },
    [MC]: { quota: 1024, tags: ['vip', 'Engineering'], protocolAccess: { imap: true, pop3: false, sogo: true } },
  },
  {
    userName: 'Bob.Smith@Example.org', externalId: 'EXT-a', displayName: 'bob smith', title: 'engineer', active: false,
    name: { givenName: 'Bob', familyName: 'Smith' },
    emails: [{ value: 'bob.smith@example.org', type: 'work' }, { value: 'BOB@example.net', type: 'other', primary: true }],
    ims: [{ value: 'bob@xmpp.example', type: 'xmpp' }],
    [ENT]: { department: 'engineering', manager: { value: 'mgr-1' } },
    [MC]: { quota: 2048, tags: ['VIP'], protocolAccess: { imap: false } },
  },
  {
    userName: 'carol', displayName: 'René Ärger', nickName: 'Ré', title: 'Ingénieure', locale: 'fr-FR',
    name: { givenName: 'Carol', familyName: 'Ärger', middleName: 'Zoë' },
    emails: [{ value: 'carol@example.org', type: 'work', primary: true }],
    x509Certificates: [{ value: 'MIIBaseSixtyFour==' }],
    [ENT]: { department: 'Sales', employeeNumber: '0003' },
  },
  {
    userName: 'dave', displayName: 'Rene Arger', nickName: 're', title: 'Ingenieure',
    name: { givenName: 'Dave', familyName: 'Arger' },
    emails: [{ value: 'dave@example.org', type: 'work' }, { value: 'dave%50_off@example.com', type: 'home' }],
    [ENT]: { department: 'Sales ', costCenter: 'cc-1' },
    [MC]: { tags: [] },
  },
  {
    userName: 'erin', displayName: 'Rene ', externalId: 'ext-b ', title: '100% Sales_Rep', nickName: 'back\\slash',
    emails: [{ value: 'erin@example.org' }],
    photos: [{ value: 'https://example.com/Erin.png', type: 'photo' }],
    entitlements: [{ value: 'Building-7', type: 'access' }],
  },
  {
    userName: 'frank', externalId: 'ext-F', active: true,
    name: { middleName: 'Middle' },
    emails: [{ value: 'frank@example.org', type: 'Work', primary: true }, { type: 'home', display: 'no address here' }],
    addresses: [{ type: 'home', locality: 'München', country: 'de' }, { type: 'work', locality: 'Berlin-Mitte', country: 'DE', primary: true }],
    [MC]: { quota: 512, protocolAccess: { sogo: false } },
  },
  {
    userName: 'grace', displayName: LONG_NAME, title: '',
    emails: [{ value: 'grace@example.org', type: 'work', primary: true }, { value: 'grace@EXAMPLE.com', type: 'work' }],
    roles: [{ value: 'Admin' }],
  },
  {
    userName: 'heidi', displayName: NAME_255, nickName: 'HEIDI', userType: 'Contractor',
    emails: [{ value: 'heidi@example.org', type: 'home' }],
    [ENT]: { organization: 'acme', manager: { value: 'MGR-1' } },
  },
  {
    userName: 'ivan', displayName: 'Ivan 🙂 Smile', title: 'Engineer', timezone: 'America/New_York',
    name: { givenName: 'Ivan', familyName: 'Ｆullwidth' },
    emails: [{ value: 'ivan@example.org', type: 'work', primary: true }],
    phoneNumbers: [{ value: '+1 555 0100', type: 'mobile', primary: true }, { value: '+1 555 0101', type: 'work' }],
    [MC]: { quota: 1024, tags: ['a_b', 'a%b'] },
  },
  {
    userName: 'judy', active: false, title: 'Engineer',
    emails: [{ value: 'judy@example.org', type: 'work', primary: false }],
    [ENT]: { department: 'Engineering', division: 'R&D' },
  },
  {
    userName: 'ken', displayName: 'Ken', externalId: 'ext-K',
    emails: [{ value: 'ken@example.org', type: 'work', primary: true }, { value: 'ken.private@example.net', type: 'home' }],
    ims: [{ value: 'KEN@xmpp.example', type: 'xmpp', primary: true }],
    [MC]: { protocolAccess: { imap: true, smtp: true } },
  },
  {
    userName: 'lena', displayName: 'Léna', name: { givenName: 'Léna', familyName: 'Ünal', formatted: 'Léna Ünal' },
    emails: [{ value: 'lena@example.org', type: 'work', primary: true }],
    addresses: [{ type: 'work', country: 'TR', locality: 'İstanbul' }],
  },
];

export interface Population {
  t: TestSidecar;
  api: Client;
  /** The bearer token `api` uses. */
  token: string;
  /** User ids in creation order (USER_BODIES order). */
  ids: string[];
  groups: { staff: string; sales: string };
  /** Every user as GET /Users returns it now. */
  resources(): Promise<Record<string, unknown>[]>;
}

/** Starts a sidecar, creates the population, a few later changes, quota usage and two groups. */
async function createPopulation(): Promise<Population> {
  const t = await startTestSidecar({ domains: [{ domain: 'example.org', mailboxes: 1000, quotaMiB: 1024 * 1024, maxquotaMiB: 10240 }] });
  const token = (await t.sidecar.tokens.create('query', { domains: ['example.org'], defaultDomain: 'example.org' })).secret;
  const { scimClient } = await import('../../helpers/http.js');
  const api = scimClient(t.baseUrl, token);
  const ids: string[] = [];
  for (const body of USER_BODIES) {
    const r = await api.post('/Users', { schemas: [CORE, ...Object.keys(body).filter((k) => k.startsWith('urn:'))], ...body });
    expect(r.status, `${String(body.userName)}: ${r.text}`).toBe(201);
    ids.push(r.body.id);
    // Distinct creation times, a millisecond apart at least.
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
  // Later changes: new versions and lastModified values.
  for (const i of [0, 3, 3, 7]) {
    const r = await api.patch(`/Users/${ids[i]}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'nickName', value: `nick-${i}` }] });
    expect(r.status, r.text).toBe(200);
  }
  // What mailcow's dovecot writes: used bytes and messages.
  const mailbox = async (i: number) => (await api.get(`/Users/${ids[i]}`)).body[MC].mailboxAddress as string;
  for (const [i, bytes, messages] of [[0, 5_000_000, 120], [1, 1, 1], [4, 5_000_000, 3]] as const) {
    await t.db.pool.query(`UPDATE quota2 SET bytes = ?, messages = ? WHERE username = ?`, [bytes, messages, await mailbox(i)]);
  }
  const group = async (displayName: string, members: number[]) => {
    const r = await api.post('/Groups', { schemas: [GROUP], displayName, members: members.map((i) => ({ value: ids[i] })) });
    expect(r.status, r.text).toBe(201);
    return r.body.id as string;
  };
  const groups = { staff: await group('Staff', [0, 1, 2, 5]), sales: await group('Sales Team', [2, 3]) };
  const resources = async () => {
    const r = await api.get('/Users?count=500');
    expect(r.status, r.text).toBe(200);
    expect(r.body.totalResults).toBe(USER_BODIES.length);
    return r.body.Resources as Record<string, unknown>[];
  };
  return { t, api, token, ids, groups, resources };
}

/**
 * The population for one test file: created before its tests, stopped after them. Read
 * `pop` and `users` (every user as GET /Users returned it after creation) inside tests.
 */
export function usePopulation(): { pop: Population; users: Record<string, unknown>[] } {
  const ctx = {} as { pop: Population; users: Record<string, unknown>[] };
  beforeAll(async () => {
    ctx.pop = await createPopulation();
    ctx.users = await ctx.pop.resources();
  });
  afterAll(async () => {
    await ctx.pop?.t.stop();
  });
  return ctx;
}
