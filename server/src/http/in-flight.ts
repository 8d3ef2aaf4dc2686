/**
 * Bounds the SCIM requests being worked on, overall and per token. Past a bound a request is
 * refused at once with 429 and Retry-After (as Slack, GitHub and AWS do) instead of queueing for
 * a database connection until the IdP's own timeout: the IdP backs off and retries, and one
 * token's burst cannot starve the others.
 */
import { ScimError } from '../scim/index.js';

export interface InFlightLimits {
  /** Requests behind the bearer check being worked on at once, all tokens together. */
  maxInFlight: number;
  /** The same for one token. */
  maxInFlightPerToken: number;
  /** Seconds sent as Retry-After with the 429. */
  retryAfterSeconds: number;
}

export type OverloadScope = 'overall' | 'token';

/** Frees a slot; calling it again does nothing. */
export type Release = () => void;

export class InFlightLimiter {
  private overall = 0;
  private readonly perToken = new Map<string, number>();
  private readonly refusals: Record<OverloadScope, number> = { overall: 0, token: 0 };

  constructor(
    readonly limits: InFlightLimits,
    /** Told of every 429, for metrics. */
    private readonly onRefused?: (scope: OverloadScope) => void,
  ) {}

  /** Requests in flight now. */
  get inFlight(): number {
    return this.overall;
  }

  /** 429s given so far, by the bound that was reached. */
  refused(scope: OverloadScope): number {
    return this.refusals[scope];
  }

  /** A slot of the overall bound, taken before the token is even checked (checking costs a read). */
  enter(): Release {
    if (this.overall >= this.limits.maxInFlight) {
      this.refusals.overall++;
      this.onRefused?.('overall');
      throw this.overloaded(`This server is already working on ${this.limits.maxInFlight} SCIM requests; retry after ${this.limits.retryAfterSeconds} s.`);
    }
    this.overall++;
    return once(() => {
      this.overall--;
    });
  }

  /** A slot of the token's own bound. */
  enterToken(tokenId: string): Release {
    const n = this.perToken.get(tokenId) ?? 0;
    if (n >= this.limits.maxInFlightPerToken) {
      this.refusals.token++;
      this.onRefused?.('token');
      throw this.overloaded(
        `This token already has ${this.limits.maxInFlightPerToken} SCIM requests in progress; send fewer at once or retry after ${this.limits.retryAfterSeconds} s.`,
      );
    }
    this.perToken.set(tokenId, n + 1);
    return once(() => {
      const left = (this.perToken.get(tokenId) ?? 1) - 1;
      if (left <= 0) this.perToken.delete(tokenId);
      else this.perToken.set(tokenId, left);
    });
  }

  private overloaded(detail: string): ScimError {
    return new ScimError('overloaded', detail, { retryAfter: this.limits.retryAfterSeconds });
  }
}

function once(fn: () => void): Release {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
