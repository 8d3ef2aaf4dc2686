/**
 * Replays recorded IdP lifecycles (tests/idp/fixtures/<idp>/<case>.json, one case per file)
 * against a real sidecar on real MariaDB with mailcow's schema, and checks after each step both
 * the SCIM answer and the mailbox rows mailcow would read. The fixture format is described in
 * tests/idp/README.md; elimity-com/scim's internal/idp_test is the model (CONTRIBUTING.md "Tests").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimRequest } from '../helpers/http.js';
import { rowsOf } from '../helpers/mailcow-rows.js';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const FIXTURES = join(HERE, 'fixtures');

/** What mailcow shows for one mailbox after a step; only the fields given are checked. */
interface MailboxExpectation {
  /** mailbox.active: 1, 2 (login off, mail delivered) or 0. */
  active?: 0 | 1 | 2;
  /** mailbox.name. */
  name?: string;
  /** Addresses of the aliases that deliver to this mailbox (its own self-alias excluded), sorted. */
  aliases?: string[];
  /** mailbox.authsource. */
  authsource?: string;
  /** Whether a SCIM user of any token is linked to the mailbox (false after DELETE in deactivate mode). */
  linked?: boolean;
}

/** A mailcow alias (distribution list) after a step; only the fields given are checked. */
interface AliasExpectation {
  /** The goto addresses, sorted. */
  goto?: string[];
  active?: 0 | 1;
}

interface Step {
  name: string;
  request: {
    method: string;
    /** Path below /scim/v2 with the query string exactly as the client encodes it. */
    path: string;
    headers?: Record<string, string>;
    /** A JSON body (sent as JSON text) … */
    body?: unknown;
    /** … or the raw body text, byte for byte. */
    rawBody?: string;
  };
  response: {
    status: number;
    /** A partial body: every member given must match (arrays element by element, same length). */
    body?: unknown;
    /** Dot paths that must be absent from the body (e.g. a password). */
    absent?: string[];
    /** Text the raw body must contain (e.g. the allowed domains in an error detail). */
    textContains?: string[];
    /** Response headers that must match (regular expressions). */
    headers?: Record<string, string>;
  };
  /** Values to remember for later steps: placeholder name → dot path into the response body. */
  save?: Record<string, string>;
  /** Mailbox rows after the step, by mailbox address; null: no such mailbox. */
  mailboxes?: Record<string, MailboxExpectation | null>;
  /** mailcow aliases after the step, by alias address; null: no such alias. */
  aliases?: Record<string, AliasExpectation | null>;
}

interface Fixture {
  client: string;
  description: string;
  /** Where the request shapes come from (docs/idp/clients.md keys, vendor docs, source files). */
  sources: string[];
  /** The policy of the token this case runs with (its domains are created as mailcow domains). */
  token: Record<string, unknown> & { domains: string[] };
  steps: Step[];
}

interface Case {
  idp: string;
  file: string;
  fixture: Fixture;
}

function loadCases(root: string): Case[] {
  const idps = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  return idps.flatMap((idp) =>
    readdirSync(join(root, idp))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((file) => ({ idp, file, fixture: JSON.parse(readFileSync(join(root, idp, file), 'utf8')) as Fixture })),
  );
}

const cases = loadCases(FIXTURES);

/** `{{name}}` placeholders, replaced by values saved from earlier steps of the same case. */
const PLACEHOLDER = /\{\{([A-Za-z0-9_.-]+)\}\}/g;

function substitute<T>(value: T, vars: Record<string, string>): T {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (_m, name: string) => {
      if (!(name in vars)) throw new Error(`placeholder {{${name}}} used before a step saved it`);
      return vars[name]!;
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [substitute(k, vars), substitute(v, vars)])) as T;
  }
  return value;
}

function at(body: unknown, path: string): unknown {
  let cur: unknown = body;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

let t: TestSidecar;

beforeAll(async () => {
  // One sidecar for all cases; each case runs with its own token, so userNames never meet.
  const domains = [...new Set(cases.flatMap((c) => c.fixture.token.domains))].sort();
  t = await startTestSidecar({ domains: domains.map((domain) => ({ domain, mailboxes: 1000, quotaMiB: 10_000_000, maxquotaMiB: 10_240 })) });
});
afterAll(async () => {
  await t?.stop();
});

async function checkMailboxes(expected: Record<string, MailboxExpectation | null>, where: string): Promise<void> {
  for (const [address, want] of Object.entries(expected)) {
    const [row] = await rowsOf(t.db.pool, `SELECT username, name, active, authsource FROM mailbox WHERE username = ?`, [address]);
    if (want === null) {
      expect(row, `${where}: mailbox ${address} should not exist`).toBeUndefined();
      continue;
    }
    expect(row, `${where}: mailbox ${address} should exist`).toBeDefined();
    const got: MailboxExpectation = {};
    if (want.active !== undefined) got.active = row!.active as 0 | 1 | 2;
    if (want.name !== undefined) got.name = row!.name as string;
    if (want.authsource !== undefined) got.authsource = row!.authsource as string;
    if (want.aliases !== undefined) {
      const aliases = await rowsOf(t.db.pool, `SELECT address FROM alias WHERE goto = ? AND address <> goto ORDER BY address`, [address]);
      got.aliases = aliases.map((a) => a.address as string);
    }
    if (want.linked !== undefined) {
      got.linked = (await rowsOf(t.db.pool, `SELECT id FROM mailcow_scim_users WHERE mailbox = ?`, [address])).length > 0;
    }
    expect(got, `${where}: mailbox ${address}`).toEqual(want);
  }
}

async function checkAliases(expected: Record<string, AliasExpectation | null>, where: string): Promise<void> {
  for (const [address, want] of Object.entries(expected)) {
    const [row] = await rowsOf(t.db.pool, `SELECT goto, active FROM alias WHERE address = ?`, [address]);
    if (want === null) {
      expect(row, `${where}: alias ${address} should not exist`).toBeUndefined();
      continue;
    }
    expect(row, `${where}: alias ${address} should exist`).toBeDefined();
    const got: AliasExpectation = {};
    if (want.goto !== undefined) got.goto = String(row!.goto).split(',').map((s) => s.trim()).filter(Boolean).sort();
    if (want.active !== undefined) got.active = row!.active as 0 | 1;
    expect(got, `${where}: alias ${address}`).toEqual(want);
  }
}

async function replay(c: Case): Promise<void> {
  const { fixture } = c;
  const token = (await t.sidecar.tokens.create(`${c.idp}/${c.file}`, fixture.token)).secret;
  const vars: Record<string, string> = {};
  for (const [i, raw] of fixture.steps.entries()) {
    const where = `${c.idp}/${c.file} step ${i + 1} "${raw.name}"`;
    const step = { ...raw, request: substitute(raw.request, vars) };
    const r = await scimRequest(t.baseUrl, {
      method: step.request.method,
      path: step.request.path,
      token,
      headers: step.request.headers,
      ...(step.request.rawBody !== undefined ? { raw: step.request.rawBody } : step.request.body !== undefined ? { body: step.request.body } : {}),
    });
    expect(r.status, `${where}: status (body ${r.text.slice(0, 400)})`).toBe(raw.response.status);
    if (raw.response.body !== undefined) expect(r.body, `${where}: body`).toMatchObject(substitute(raw.response.body, vars) as object);
    for (const path of raw.response.absent ?? []) expect(at(r.body, path), `${where}: ${path} must be absent`).toBeUndefined();
    for (const text of substitute(raw.response.textContains ?? [], vars)) expect(r.text, `${where}: body text`).toContain(text);
    for (const [name, pattern] of Object.entries(raw.response.headers ?? {})) {
      expect(String(r.headers[name.toLowerCase()] ?? ''), `${where}: header ${name}`).toMatch(new RegExp(pattern));
    }
    for (const [name, path] of Object.entries(raw.save ?? {})) {
      const value = at(r.body, path);
      expect(typeof value, `${where}: save ${name} from ${path}`).toBe('string');
      vars[name] = value as string;
    }
    if (raw.mailboxes) await checkMailboxes(substitute(raw.mailboxes, vars), where);
    if (raw.aliases) await checkAliases(substitute(raw.aliases, vars), where);
  }
}

describe('recorded IdP lifecycles', () => {
  it('has fixtures for every client in docs/idp/clients.md', () => {
    expect([...new Set(cases.map((c) => c.idp))]).toEqual(['authentik', 'entra', 'entra-aadoptscim062020', 'jumpcloud', 'keycloak', 'okta', 'onelogin']);
  });

  for (const idp of [...new Set(cases.map((c) => c.idp))]) {
    describe(idp, () => {
      for (const c of cases.filter((x) => x.idp === idp)) {
        it(`${c.file}: ${c.fixture.description}`, () => replay(c));
      }
    });
  }
});
