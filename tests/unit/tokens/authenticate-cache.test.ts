/**
 * TokenService.authenticate reuses a token it read less than cacheMs ago (one statement less per
 * request), yet a change made through the service applies to the very next request.
 */
import { describe, expect, it } from 'vitest';
import { TokenService, type TokenRecord, type TokenStore } from '../../../server/src/tokens/index.js';

/** A TokenStore in memory that counts hash lookups. */
function memoryStore() {
  const rows = new Map<string, { record: TokenRecord; hash: Buffer }>();
  const store: TokenStore & { lookups: number } = {
    lookups: 0,
    async insert(record, hash) {
      rows.set(record.id, { record: { ...record }, hash });
    },
    async list() {
      return [...rows.values()].map((r) => r.record);
    },
    async get(id) {
      return rows.get(id)?.record;
    },
    async findByHash(hash) {
      store.lookups++;
      const row = [...rows.values()].find((r) => r.hash.equals(hash));
      return row && { record: { ...row.record }, hash: row.hash };
    },
    async update(id, changes) {
      const row = rows.get(id)!;
      const { hash, ...fields } = changes;
      row.record = { ...row.record, ...fields, revokedAt: changes.revokedAt ?? row.record.revokedAt };
      if (hash) row.hash = hash;
    },
    async touch() {},
    async missingDomains() {
      return [];
    },
    async missingTemplates() {
      return [];
    },
  };
  return store;
}

const now = () => new Date().toISOString();

describe('authenticate with a token cache', () => {
  it('reads a token once for requests within cacheMs, and again after it', async () => {
    const store = memoryStore();
    const tokens = new TokenService({ store, now, validateRuleFilter: () => undefined, cacheMs: 50 });
    const { secret } = await tokens.create('idp', { domains: [] });
    for (let i = 0; i < 5; i++) await tokens.authenticate(secret, null);
    expect(store.lookups).toBe(1);
    await new Promise((r) => setTimeout(r, 60));
    await tokens.authenticate(secret, null);
    expect(store.lookups).toBe(2);
  });

  it('a disable, a revoke or a rotation through the service applies to the next request', async () => {
    const store = memoryStore();
    const tokens = new TokenService({ store, now, validateRuleFilter: () => undefined, cacheMs: 60_000 });
    const issued = await tokens.create('idp', { domains: [] });
    await tokens.authenticate(issued.secret, null);
    await tokens.update(issued.token.id, { active: false });
    await expect(tokens.authenticate(issued.secret, null)).rejects.toMatchObject({ status: 401 });
    await tokens.update(issued.token.id, { active: true });
    const rotated = await tokens.rotate(issued.token.id);
    await expect(tokens.authenticate(issued.secret, null)).rejects.toMatchObject({ status: 401 });
    await tokens.authenticate(rotated.secret, null);
    await tokens.revoke(issued.token.id);
    await expect(tokens.authenticate(rotated.secret, null)).rejects.toMatchObject({ status: 401 });
  });

  it('never caches an unknown secret, and cacheMs 0 reads every time', async () => {
    const store = memoryStore();
    const tokens = new TokenService({ store, now, validateRuleFilter: () => undefined, cacheMs: 0 });
    const { secret } = await tokens.create('idp', { domains: [] });
    await tokens.authenticate(secret, null);
    await tokens.authenticate(secret, null);
    expect(store.lookups).toBe(2);
    const unknown = `${secret.slice(0, -4)}AAAA`;
    await expect(tokens.authenticate(unknown, null)).rejects.toMatchObject({ status: 401 });
    await expect(tokens.authenticate(unknown, null)).rejects.toMatchObject({ status: 401 });
    expect(store.lookups).toBe(4);
  });
});
