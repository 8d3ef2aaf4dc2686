/**
 * Microsoft's "SCIM Tests" Postman collection (./entra/, MIT, used to check
 * SCIM endpoints for Entra ID provisioning) replayed with newman against a real sidecar on
 * loopback and real MariaDB. Every request runs; every expectation passes or is listed, with its
 * reason, in entra-deviations.json. The list is checked exactly both ways: an unexpected failure
 * fails this test, and so does a listed deviation that now passes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../helpers/mailcow-rows.js';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar.js';
import { runCollectionFolders, type CollectionExecution } from './run-collection.js';

/** Kept in the repository with its licence and origin (entra/README.md). */
const COLLECTION = fileURLToPath(new URL('./entra/PostmanCollection.json', import.meta.url));
const DEVIATIONS = fileURLToPath(new URL('./entra-deviations.json', import.meta.url));

/**
 * Everything after the first folder ("Get Token" calls Microsoft's reference app, not SCIM), in
 * collection order. The last two are top-level requests (the final clean-up checks).
 */
const FOLDERS = [
  'Endpoint tests',
  'User tests',
  'Group tests',
  'ComplexAttribute tests',
  'User tests with garbage',
  'Group tests with garbage',
  'Teardown garbage',
  'Get all users',
  'Get all groups',
];

/** The domain the token places plain user names in (UserName123 → username123@<this>). */
const TEST_DOMAIN = 'conformance.example.org';

interface Deviation {
  key: string;
  reason: string;
}

let t: TestSidecar;
let executions: CollectionExecution[];

beforeAll(async () => {
  t = await startTestSidecar({ domains: [{ domain: TEST_DOMAIN, mailboxes: 1000, quotaMiB: 10_000_000, maxquotaMiB: 10_240 }] });
  // The collection's users have e-mails in domains this token does not manage (bob.com,
  // example.com, gmail.com): they are kept as SCIM data and the mailbox is <userName>@TEST_DOMAIN.
  // Managing those domains would be wrong for this collection: UserName333 and UserName444 share
  // testing@bob2.com, emp1…emp3 share anna33@example.com, so one mailbox each cannot exist.
  const token = (await t.sidecar.tokens.create('Entra conformance', { domains: [TEST_DOMAIN], defaultDomain: TEST_DOMAIN })).secret;
  const base = new URL(t.baseUrl);
  executions = await runCollectionFolders({
    collection: COLLECTION,
    folders: FOLDERS,
    environment: { Protocol: 'http', Server: base.hostname, Port: `:${base.port}`, Api: 'scim/v2', token },
  });
}, 180_000);
afterAll(async () => {
  await t?.stop();
});

describe("Microsoft's SCIM test collection (Entra)", () => {
  it('runs every request of the collection except GET /Token, and none gets a 5xx', () => {
    const collection = JSON.parse(readFileSync(COLLECTION, 'utf8')) as { item: { item?: unknown[] }[] };
    const requests = collection.item.slice(1).reduce((n, entry) => n + (entry.item ? entry.item.length : 1), 0);
    expect(executions.length).toBe(requests);
    const broken = executions.filter((e) => e.status === 0 || e.status >= 500).map((e) => `${e.folder} › ${e.request}: ${e.status} ${e.body}`);
    expect(broken).toEqual([]);
  });

  it("places the collection's plain user names (UserName123, OMalley…) at the token's default domain, never in bob.com", async () => {
    const rows = await rowsOf(t.db.pool, `SELECT username, active, authsource FROM mailbox ORDER BY username`);
    const names = ['emp1', 'emp2', 'emp3', 'enterprise', 'omalley', 'username111', 'username123', 'username222', 'username333', 'username444'];
    // Every user was deleted in the end; the default token keeps the mailbox at active 2.
    expect(rows).toEqual(names.map((n) => ({ username: `${n}@${TEST_DOMAIN}`, active: 2, authsource: 'scim' })));
  });

  it('passes every expectation except the justified deviations, and every listed deviation still fails', () => {
    const deviations = (JSON.parse(readFileSync(DEVIATIONS, 'utf8')) as { deviations: Deviation[] }).deviations;
    for (const d of deviations) expect(d.reason.trim().length, d.key).toBeGreaterThan(20);
    const expectations = executions.flatMap((e) => e.expectations);
    const failed = expectations.filter((x) => !x.passed);
    console.log(`entra conformance: ${expectations.length - failed.length}/${expectations.length} assertions passed, ${deviations.length} justified deviations`);

    const listed = new Set(deviations.map((d) => d.key));
    const unexpected = executions.flatMap((e) =>
      e.expectations
        .filter((x) => failed.includes(x) && !listed.has(x.key))
        .map((x) => `${x.key}: ${x.message} [${e.method} ${e.url} → ${e.status} ${e.body.slice(0, 300)}]`),
    );
    const nowPassing = deviations.filter((d) => !failed.some((x) => x.key === d.key)).map((d) => d.key);
    expect(unexpected, 'failed and not listed in entra-deviations.json').toEqual([]);
    expect(nowPassing, 'listed in entra-deviations.json but passing (or gone): remove them').toEqual([]);
  });
});
