import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/src/config.js';

describe('loadConfig', () => {
  it('gives the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      mariadbUrl: 'mysql://root@127.0.0.1:3306/mailcow',
      httpSocket: '/run/mailcow-scim/http.sock',
      httpHost: '127.0.0.1',
      rpcSocket: '/run/mailcow-scim/rpc.sock',
      socketMode: 0o660,
      logLevel: 'info',
    });
    expect(c.httpPort).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads every documented variable', () => {
    const c = loadConfig({
      MARIADB_URL: 'mysql://mailcow:secret@mysql-mailcow:3306/mailcow',
      SCIM_HTTP_SOCKET: '/tmp/h.sock',
      SCIM_HTTP_PORT: '8080',
      SCIM_HTTP_HOST: '0.0.0.0',
      SCIM_RPC_SOCKET: '/tmp/r.sock',
      SCIM_METRICS_PORT: '9464',
      REDIS_URL: 'redis://:pw@redis-mailcow:6379',
      MEMCACHED_URL: 'memcached-mailcow:11211',
      LOG_LEVEL: 'DEBUG',
    });
    expect(c).toMatchObject({ httpPort: 8080, httpHost: '0.0.0.0', metricsPort: 9464, memcachedUrl: 'memcached-mailcow:11211', logLevel: 'debug' });
  });

  it('reads the in-flight bounds and the netfilter switch', () => {
    expect(loadConfig({})).toMatchObject({ maxInFlight: 128, maxInFlightPerToken: 32, netfilter: true });
    expect(loadConfig({ SCIM_MAX_IN_FLIGHT: '10', SCIM_MAX_IN_FLIGHT_PER_TOKEN: '3', SCIM_NETFILTER: 'false' })).toMatchObject({ maxInFlight: 10, maxInFlightPerToken: 3, netfilter: false });
    expect(() => loadConfig({ SCIM_MAX_IN_FLIGHT: '0' })).toThrow(/SCIM_MAX_IN_FLIGHT must be an integer/);
  });

  it('reads the outbox sweep interval and lease, within bounds', () => {
    expect(loadConfig({})).toMatchObject({ outboxIntervalMs: 10_000, outboxLeaseMs: 30_000 });
    expect(loadConfig({ SCIM_OUTBOX_INTERVAL_MS: '0', SCIM_OUTBOX_LEASE_MS: '2000' })).toMatchObject({ outboxIntervalMs: 0, outboxLeaseMs: 2_000 });
    expect(() => loadConfig({ SCIM_OUTBOX_LEASE_MS: '10' })).toThrow(/SCIM_OUTBOX_LEASE_MS must be an integer from 100 to 3600000/);
  });

  it('names every problem in one error', () => {
    try {
      loadConfig({ MARIADB_URL: 'postgres://x/y', SCIM_HTTP_PORT: '99999', LOG_LEVEL: 'loud', REDIS_URL: 'http://r', SCIM_TRUSTED_PROXIES: '10.0.0.0/99' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      for (const name of ['MARIADB_URL', 'SCIM_HTTP_PORT', 'LOG_LEVEL', 'REDIS_URL', 'SCIM_TRUSTED_PROXIES']) expect(msg).toContain(name);
      expect((e as ConfigError).problems).toHaveLength(5);
    }
  });

  it('refuses a surface that would listen nowhere', () => {
    expect(() => loadConfig({ SCIM_HTTP_SOCKET: '' })).toThrow(/listen nowhere/);
  });
});
