/**
 * Which methods a SCIM path answers, from the routes as registered: the Allow header of a 405
 * and of an OPTIONS answer (RFC 9110 §10.2.1, §9.3.7). Matching follows the router's options:
 * case-insensitive, a trailing slash and repeated slashes ignored.
 */
import type { RouteOptions } from 'fastify';

interface Pattern {
  re: RegExp;
  methods: Set<string>;
}

function toRegExp(url: string): RegExp {
  const parts = url
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    });
  return new RegExp(`^/${parts.join('/')}$`, 'i');
}

export class AllowedMethods {
  private readonly patterns = new Map<string, Pattern>();

  /** fastify's onRoute hook. */
  readonly onRoute = (route: RouteOptions): void => {
    const key = route.url.toLowerCase();
    let p = this.patterns.get(key);
    if (!p) {
      p = { re: toRegExp(route.url), methods: new Set() };
      this.patterns.set(key, p);
    }
    for (const m of Array.isArray(route.method) ? route.method : [route.method]) p.methods.add(m.toUpperCase());
  };

  /** The methods registered for this request path (no query), sorted; empty for an unknown path. */
  of(path: string): string[] {
    const clean = `/${path.split('/').filter(Boolean).join('/')}`;
    const out = new Set<string>();
    for (const p of this.patterns.values()) if (p.re.test(clean)) for (const m of p.methods) out.add(m);
    return [...out].sort();
  }
}
