/**
 * IPv4/IPv6 CIDR matching for a token's IP allow-list. IPv4-mapped IPv6 addresses
 * (::ffff:192.0.2.1, what Node reports on dual-stack sockets) match IPv4 rules.
 */
import { isIP } from 'node:net';

function toBigInt(address: string): { family: 4 | 6; value: bigint } | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) address = mapped[1]!;
  const family = isIP(address);
  if (family === 4) {
    const parts = address.split('.').map(Number);
    return { family: 4, value: parts.reduce((acc, p) => (acc << 8n) + BigInt(p), 0n) };
  }
  if (family === 6) {
    const [head, tail] = address.split('::') as [string, string | undefined];
    const parse = (s: string | undefined): string[] => (s ? s.split(':') : []);
    let h = parse(head);
    let t = parse(tail);
    // An embedded IPv4 tail (::ffff:1.2.3.4 forms other than the mapped one above).
    const fix = (groups: string[]): string[] => {
      const last = groups[groups.length - 1];
      if (last?.includes('.')) {
        const p = last.split('.').map(Number);
        return [...groups.slice(0, -1), ((p[0]! << 8) | p[1]!).toString(16), ((p[2]! << 8) | p[3]!).toString(16)];
      }
      return groups;
    };
    h = fix(h);
    t = fix(t);
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
    return { family: 6, value: groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n) };
  }
  return undefined;
}

export function isValidCidr(text: string): boolean {
  const [addr, bits, ...rest] = text.trim().split('/');
  if (rest.length || !addr) return false;
  const parsed = toBigInt(addr);
  if (!parsed) return false;
  if (bits === undefined) return true;
  return /^\d+$/.test(bits) && Number(bits) <= (parsed.family === 4 ? 32 : 128);
}

export function isAddressInCidr(address: string, cidr: string): boolean {
  const [net, bitsText] = cidr.trim().split('/');
  const a = toBigInt(address);
  const n = toBigInt(net ?? '');
  if (!a || !n || a.family !== n.family) return false;
  const width = a.family === 4 ? 32 : 128;
  const bits = bitsText === undefined ? width : Number(bitsText);
  const shift = BigInt(width - bits);
  return a.value >> shift === n.value >> shift;
}

/** True when the list is empty (any address) or one of its CIDRs contains the address. */
export function isAllowedByList(address: string | undefined, allowList: readonly string[]): boolean {
  if (allowList.length === 0) return true;
  if (!address) return false;
  return allowList.some((cidr) => isAddressInCidr(address, cidr));
}
