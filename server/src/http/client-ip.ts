/**
 * The real client address for the IP allow-list. nginx sets X-Real-IP; it is believed only
 * on the Unix socket (only nginx can reach it) or from a configured proxy on TCP.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { isAddressInCidr } from '../tokens/index.js';

export function resolveClientIp(req: IncomingMessage, trustedProxies: readonly string[]): string | null {
  const peer = req.socket.remoteAddress;
  const header = req.headers['x-real-ip'];
  const claimed = typeof header === 'string' ? header.trim() : undefined;
  // No peer address means the Unix socket, which only nginx reaches.
  const peerIsTrusted = peer === undefined || trustedProxies.some((cidr) => isAddressInCidr(peer, cidr));
  if (peerIsTrusted && claimed && isIP(claimed)) return claimed;
  return peer ?? null;
}
