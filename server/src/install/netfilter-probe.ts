/**
 * doctor's netfilter check: would mailcow's netfilter ban an address that guesses SCIM tokens?
 * It reads the regexes netfilter really uses (Redis key F2B_REGEX) and runs our messages
 * (mailcow/netfilter.ts) through them, as netfilter does with Python's re.search: a rule counts
 * when its first group captures the address.
 */
import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { F2B_REGEX_KEY, netfilterMessage, type RefusedCredential } from '../mailcow/netfilter.js';

export interface NetfilterCheck {
  name: string;
  status: 'ok' | 'warn' | 'skip';
  detail?: string;
  fix?: string;
}

const NAME = "refused tokens reach mailcow's netfilter";
const DEFAULT_RULE = String.raw`mailcow UI: Invalid password for .+ by ([0-9a-f\.:]+)`;

const SAMPLES: RefusedCredential[] = [
  { reason: 'invalid_token', clientIp: '203.0.113.7' },
  { reason: 'address_not_allowed', clientIp: '2001:db8::7', tokenId: '00000000-0000-4000-8000-000000000000' },
];

/** Python's re syntax as JavaScript's, for the constructs a netfilter rule may use. */
function fromPython(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>'));
  } catch {
    return undefined;
  }
}

/** The ids of the rules that ban on this message, i.e. whose first group is the address. */
export function rulesMatching(rules: Record<string, string>, message: string, address: string): string[] {
  return Object.entries(rules)
    .filter(([, pattern]) => fromPython(pattern)?.exec(message)?.[1] === address)
    .map(([id]) => id);
}

/** The check for a set of rules as F2B_REGEX holds them (JSON object of id → regex). */
export function checkNetfilterRules(raw: string | null): NetfilterCheck {
  const fix = `add the rule ${DEFAULT_RULE} in mailcow's UI (Fail2ban parameters, regex filters), or reset the filters to mailcow's defaults`;
  if (raw === null) {
    return { name: NAME, status: 'warn', detail: `Redis has no ${F2B_REGEX_KEY} key`, fix: 'is netfilter-mailcow running? It writes its default rules there when it starts' };
  }
  let rules: Record<string, string>;
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
    rules = Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return { name: NAME, status: 'warn', detail: `${F2B_REGEX_KEY} is not JSON (netfilter refuses to start on it too)`, fix };
  }
  const missed: string[] = [];
  const used = new Set<string>();
  for (const sample of SAMPLES) {
    const message = netfilterMessage(sample)!;
    const ids = rulesMatching(rules, message, sample.clientIp!);
    if (ids.length === 0) missed.push(message);
    ids.forEach((id) => used.add(id));
  }
  if (missed.length) return { name: NAME, status: 'warn', detail: `no rule in ${F2B_REGEX_KEY} bans on "${missed.join('" nor "')}"`, fix };
  return { name: NAME, status: 'ok', detail: `rule ${[...used].join(', ')} of ${F2B_REGEX_KEY}` };
}

/** Reads F2B_REGEX from mailcow's Redis and checks it; skipped when reporting is off. */
export async function probeNetfilter(config: Partial<Pick<Config, 'redisUrl' | 'netfilter'>>): Promise<NetfilterCheck> {
  if (!config.redisUrl) return { name: NAME, status: 'skip', detail: 'REDIS_URL is not set: refused tokens are not reported' };
  if (config.netfilter === false) return { name: NAME, status: 'skip', detail: 'SCIM_NETFILTER is off' };
  const redis = new Redis(config.redisUrl, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 3_000, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return checkNetfilterRules(await redis.get(F2B_REGEX_KEY));
  } catch (e) {
    return { name: NAME, status: 'warn', detail: `Redis: ${e instanceof Error ? e.message : String(e)}`, fix: 'check REDIS_URL and that redis-mailcow runs' };
  } finally {
    redis.disconnect();
  }
}
