/**
 * Names a SCIM request for metrics from its method and the route pattern fastify matched (never
 * from the raw URL, so ids and filters never become label values): `Users.create`,
 * `Users.get`, `Groups.patch`, `Bulk`, `ServiceProviderConfig`... and `unmatched` for 404s.
 * RFC 7644 §3.2 (endpoints) and §3.4.3 (/.search).
 */

const RESOURCES = new Set(['Users', 'Groups']);
const DISCOVERY = new Map([
  ['serviceproviderconfig', 'ServiceProviderConfig'],
  ['serviceconfiguration', 'ServiceProviderConfig'],
  ['schemas', 'Schemas'],
  ['resourcetypes', 'ResourceTypes'],
]);

export interface ScimOperation {
  /** e.g. Users.create; `unmatched` when no route matched. */
  operation: string;
  /** User or Group for provisioning changes, else undefined. */
  resource?: 'User' | 'Group';
  /** create, replace, patch, delete for provisioning changes. */
  change?: 'create' | 'replace' | 'patch' | 'delete';
}

export function scimOperationOf(method: string, routePattern: string | undefined): ScimOperation {
  if (!routePattern) return { operation: 'unmatched' };
  const parts = routePattern.replace(/^\/scim\/v2/i, '').split('/').filter(Boolean);
  const head = parts[0] ?? '';
  const m = method.toUpperCase();
  const canonical = [...RESOURCES].find((r) => r.toLowerCase() === head.toLowerCase());
  if (canonical) {
    const resource = canonical === 'Users' ? 'User' : 'Group';
    const hasId = parts.length > 1 && parts[1]!.startsWith(':');
    if (parts[1] === '.search') return { operation: `${canonical}.search` };
    if (!hasId) {
      if (m === 'GET') return { operation: `${canonical}.list` };
      if (m === 'POST') return { operation: `${canonical}.create`, resource, change: 'create' };
    } else {
      if (m === 'GET') return { operation: `${canonical}.get` };
      if (m === 'PUT') return { operation: `${canonical}.replace`, resource, change: 'replace' };
      if (m === 'PATCH') return { operation: `${canonical}.patch`, resource, change: 'patch' };
      if (m === 'DELETE') return { operation: `${canonical}.delete`, resource, change: 'delete' };
    }
    return { operation: `${canonical}.other` };
  }
  if (head.toLowerCase() === 'bulk') return { operation: 'Bulk' };
  if (head.toLowerCase() === '.search') return { operation: 'search' };
  if (head.toLowerCase() === 'me') return { operation: 'Me' };
  const discovery = DISCOVERY.get(head.toLowerCase());
  if (discovery) return { operation: discovery };
  return { operation: 'other' };
}
