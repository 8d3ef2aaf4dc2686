/** The Prometheus text exposition (format 0.0.4) and the operation names used as labels. */
import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, Registry, scimOperationOf } from '../../../server/src/metrics/index.js';

describe('Registry', () => {
  it('renders counters, gauges and cumulative histogram buckets with escaped labels', () => {
    const r = new Registry();
    const c = r.register(new Counter('x_total', 'Things.'));
    c.inc({ a: 'q"u\\o\nte' });
    c.inc({ a: 'q"u\\o\nte' }, 2);
    r.register(new Gauge('g', 'A gauge.', () => [{ value: 7 }]));
    const h = r.register(new Histogram('h_seconds', 'Latency.', [0.1, 1]));
    h.observe({ op: 'x' }, 0.05);
    h.observe({ op: 'x' }, 0.5);
    h.observe({ op: 'x' }, 3);
    expect(r.render()).toBe(
      [
        '# HELP x_total Things.',
        '# TYPE x_total counter',
        'x_total{a="q\\"u\\\\o\\nte"} 3',
        '# HELP g A gauge.',
        '# TYPE g gauge',
        'g 7',
        '# HELP h_seconds Latency.',
        '# TYPE h_seconds histogram',
        'h_seconds_bucket{op="x",le="0.1"} 1',
        'h_seconds_bucket{op="x",le="1"} 2',
        'h_seconds_bucket{op="x",le="+Inf"} 3',
        'h_seconds_sum{op="x"} 3.55',
        'h_seconds_count{op="x"} 3',
        '',
      ].join('\n'),
    );
    expect(() => r.register(new Counter('x_total', 'again'))).toThrow(/twice/);
  });

  it('a bound series is the same series inc() and observe() update, shown only once used', () => {
    const r = new Registry();
    const c = r.register(new Counter('c_total', 'Things.'));
    const h = r.register(new Histogram('h_seconds', 'Latency.', [1]));
    const incA = c.bound({ a: '1', b: '2' });
    const observeA = h.bound({ op: 'a' });
    expect(r.render()).not.toContain('c_total{');
    expect(r.render()).not.toContain('h_seconds_count');
    incA();
    c.inc({ b: '2', a: '1' }, 2);
    incA(3);
    observeA(0.5);
    h.observe({ op: 'a' }, 2);
    expect(c.get({ a: '1', b: '2' })).toBe(6);
    expect(r.render()).toContain('c_total{a="1",b="2"} 6');
    expect(r.render()).toContain('h_seconds_bucket{op="a",le="1"} 1');
    expect(r.render()).toContain('h_seconds_count{op="a"} 2');
  });
});

describe('scimOperationOf', () => {
  it.each([
    ['GET', '/scim/v2/Users', 'Users.list', undefined],
    ['POST', '/scim/v2/Users', 'Users.create', 'create'],
    ['POST', '/scim/v2/Users/.search', 'Users.search', undefined],
    ['GET', '/scim/v2/Users/:id', 'Users.get', undefined],
    ['PUT', '/scim/v2/Users/:id', 'Users.replace', 'replace'],
    ['PATCH', '/scim/v2/Groups/:id', 'Groups.patch', 'patch'],
    ['DELETE', '/scim/v2/Groups/:id', 'Groups.delete', 'delete'],
    ['POST', '/scim/v2/Bulk', 'Bulk', undefined],
    ['GET', '/scim/v2/serviceConfiguration', 'ServiceProviderConfig', undefined],
    ['GET', '/scim/v2/Schemas/:id', 'Schemas', undefined],
    ['GET', undefined, 'unmatched', undefined],
  ])('%s %s → %s', (method, route, operation, change) => {
    const op = scimOperationOf(method, route);
    expect(op.operation).toBe(operation);
    expect(op.change).toBe(change);
  });
});
