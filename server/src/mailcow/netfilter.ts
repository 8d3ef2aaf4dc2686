/**
 * Tells mailcow's netfilter container about refused bearer credentials, so an address guessing
 * SCIM tokens is banned like one guessing mailbox passwords.
 *
 * mailcow's netfilter subscribes to the Redis channel F2B_CHANNEL and matches each message
 * against the regexes in the Redis key F2B_REGEX (seeded by data/Dockerfiles/netfilter/main.py;
 * rule 1 is `mailcow UI: Invalid password for .+ by ([0-9a-f\.:]+)`, which mailcow's own login
 * code publishes). Our messages take that form, so the default rules ban on them without any
 * change to mailcow; `doctor` checks the rules actually in Redis (netfilterRegexProbe). The
 * message names the address and, for an allow-list refusal, the token id: never the secret.
 * Private and loopback addresses are never banned by netfilter itself.
 */
import { isIP } from 'node:net';
import { Redis } from 'ioredis';
import type { Logger } from '../logging.js';

const F2B_CHANNEL = 'F2B_CHANNEL';
export const F2B_REGEX_KEY = 'F2B_REGEX';

/** What the HTTP surface refused (http/app.ts AuthRefusal). */
export interface RefusedCredential {
  reason: 'invalid_token' | 'address_not_allowed';
  clientIp: string | null;
  tokenId?: string;
}

/** netfilter's address group is `[0-9a-f\.:]+`: lower case, no IPv6 zone. */
function banAddress(ip: string | null): string | undefined {
  if (!ip) return undefined;
  const clean = ip.trim().toLowerCase().replace(/%.*$/, '');
  return isIP(clean) ? clean : undefined;
}

/** The F2B_CHANNEL message for a refusal, or undefined when there is no address to ban. */
export function netfilterMessage(r: RefusedCredential): string | undefined {
  const address = banAddress(r.clientIp);
  if (!address) return undefined;
  const who = r.reason === 'invalid_token' ? 'SCIM bearer token' : `SCIM token ${r.tokenId ?? 'unknown'} (address not in its allow-list)`;
  return `mailcow UI: Invalid password for ${who} by ${address}`;
}

export interface NetfilterReporter {
  /** Publishes the refusal; never throws, never waits. */
  report(r: RefusedCredential): void;
  close(): Promise<void>;
}

export function createNetfilterReporter(redisUrl: string, logger: Logger, onOutcome?: (outcome: 'published' | 'failed') => void): NetfilterReporter {
  // No offline queue: while Redis is away a report fails at once instead of piling up behind it.
  const redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: 'mailcow-scim-netfilter' });
  redis.on('error', (e) => logger.debug({ err: e }, 'netfilter redis error'));
  return {
    report(r) {
      const message = netfilterMessage(r);
      if (!message) return;
      redis.publish(F2B_CHANNEL, message).then(
        () => onOutcome?.('published'),
        (e: unknown) => {
          onOutcome?.('failed');
          logger.warn({ err: e, reason: r.reason }, "could not report a refused SCIM token to mailcow's netfilter");
        },
      );
    },
    async close() {
      redis.disconnect();
    },
  };
}
