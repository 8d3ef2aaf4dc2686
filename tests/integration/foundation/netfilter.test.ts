/**
 * Refused bearer credentials reach mailcow's netfilter: the sidecar publishes them on Redis
 * F2B_CHANNEL with the client's real address (nginx's X-Real-IP), in the form mailcow's default
 * netfilter rule bans on, never with the secret; doctor reads F2B_REGEX and says whether the
 * rules there would ban on it. Real Redis, real sidecar.
 */
import { execFileSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkNetfilterRules, probeNetfilter, rulesMatching } from '../../../server/src/install/netfilter-probe.js';
import { scimRequest } from '../../helpers/http.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

const REDIS = 'redis://127.0.0.1:6379';
/**
 * mailcow's default rules 1 and 2 as netfilter seeds F2B_REGEX when the key is empty
 * (data/Dockerfiles/netfilter/main.py, refreshF2bregex, mailcow 2026-07a); rule 1 is the one
 * mailcow's own UI login failures match.
 */
const MAILCOW_DEFAULT_RULES: Record<string, string> = {
  '1': String.raw`mailcow UI: Invalid password for .+ by ([0-9a-f\.:]+)`,
  '2': String.raw`Rspamd UI: Invalid password by ([0-9a-f\.:]+)`,
};

let t: TestSidecar;
let sub: Redis;
const messages: string[] = [];

beforeAll(async () => {
  t = await startTestSidecar({ env: { REDIS_URL: REDIS } });
  sub = new Redis(REDIS);
  await sub.subscribe('F2B_CHANNEL');
  sub.on('message', (_channel, message) => messages.push(message));
});
afterAll(async () => {
  sub?.disconnect();
  await t?.stop();
});

async function messageFor(address: string, ms = 3000): Promise<string | undefined> {
  for (let waited = 0; waited < ms; waited += 20) {
    const m = messages.find((x) => x.endsWith(` by ${address}`));
    if (m) return m;
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

/** netfilter's own matching: Python's re.search, first group. */
function pythonBans(rule: string, message: string): string | null {
  const out = execFileSync('python3', ['-c', 'import re,sys\nm=re.search(sys.argv[1], sys.argv[2])\nprint(m.group(1) if m else "")', rule, message]);
  return out.toString().trim() || null;
}

const hasPython = (() => {
  try {
    execFileSync('python3', ['-c', 'pass']);
    return true;
  } catch {
    return false;
  }
})();

describe('refused credentials are published on F2B_CHANNEL', () => {
  it('a wrong bearer token: the real client address, in the form of mailcow UI failures, without the token', async () => {
    const secret = 'mcs_notarealtokennotarealtokennotarealtoken12';
    const res = await scimRequest(t.baseUrl, { method: 'GET', path: '/Users', token: secret, headers: { 'x-real-ip': '203.0.113.77', connection: 'close' } });
    expect(res.status).toBe(401);
    const message = await messageFor('203.0.113.77');
    expect(message).toBe('mailcow UI: Invalid password for SCIM bearer token by 203.0.113.77');
    expect(message).not.toContain('notarealtoken');
    expect(rulesMatching(MAILCOW_DEFAULT_RULES, message!, '203.0.113.77')).toEqual(['1']);
    if (hasPython) expect(pythonBans(MAILCOW_DEFAULT_RULES['1']!, message!)).toBe('203.0.113.77');
  });

  it('a good token from outside its allow-list: the address and the token id', async () => {
    const issued = await t.sidecar.tokens.create('allow-listed', { domains: ['example.org'], ipAllowList: ['198.51.100.0/24'] });
    const res = await scimRequest(t.baseUrl, { method: 'GET', path: '/Users', token: issued.secret, headers: { 'x-real-ip': '2001:db8::4d', connection: 'close' } });
    expect(res.status).toBe(403);
    const message = await messageFor('2001:db8::4d');
    expect(message).toBe(`mailcow UI: Invalid password for SCIM token ${issued.token.id} (address not in its allow-list) by 2001:db8::4d`);
    expect(message).not.toContain(issued.secret);
    expect(rulesMatching(MAILCOW_DEFAULT_RULES, message!, '2001:db8::4d')).toEqual(['1']);
    if (hasPython) expect(pythonBans(MAILCOW_DEFAULT_RULES['1']!, message!)).toBe('2001:db8::4d');
  });

  it('no Authorization header at all is not a guess and is not published', async () => {
    const res = await scimRequest(t.baseUrl, { method: 'GET', path: '/Users', headers: { 'x-real-ip': '203.0.113.79', connection: 'close' } });
    expect(res.status).toBe(401);
    expect(await messageFor('203.0.113.79', 400)).toBeUndefined();
  });
});

describe('doctor: would netfilter ban on it?', () => {
  // A database of its own: the machine's Redis is shared, and F2B_REGEX is netfilter's key.
  const url = `${REDIS}/9`;
  let r: Redis;
  beforeAll(() => {
    r = new Redis(url);
  });
  afterAll(async () => {
    await r.del('F2B_REGEX');
    r.disconnect();
  });

  it("ok with mailcow's default rules, naming the rule", async () => {
    await r.set('F2B_REGEX', JSON.stringify(MAILCOW_DEFAULT_RULES));
    expect(await probeNetfilter({ redisUrl: url, netfilter: true })).toMatchObject({ status: 'ok', detail: 'rule 1 of F2B_REGEX' });
  });

  it('a warning with the fix when an admin removed the rule', async () => {
    await r.set('F2B_REGEX', JSON.stringify({ '1': MAILCOW_DEFAULT_RULES['2'] }));
    const check = await probeNetfilter({ redisUrl: url, netfilter: true });
    expect(check.status).toBe('warn');
    expect(check.fix).toContain('mailcow UI: Invalid password for .+ by');
  });

  it('a warning when netfilter never seeded its rules, skip when reporting is off', async () => {
    await r.del('F2B_REGEX');
    expect((await probeNetfilter({ redisUrl: url, netfilter: true })).status).toBe('warn');
    expect((await probeNetfilter({ redisUrl: url, netfilter: false })).status).toBe('skip');
    expect((await probeNetfilter({})).status).toBe('skip');
    expect(checkNetfilterRules('not json').status).toBe('warn');
  });
});
