/**
 * A record of named checks, each passed or failed with what was seen, so that the schema-truth
 * test can compare the failures with its reasoned exception list both ways.
 */

export interface CheckResult {
  key: string;
  ok: boolean;
  detail: string;
}

export class CheckLog {
  private readonly results = new Map<string, CheckResult>();

  /** Record one check; a key is recorded once (two checks under one name would hide one). */
  record(key: string, ok: boolean, detail = ''): void {
    if (this.results.has(key)) throw new Error(`check recorded twice: ${key}`);
    this.results.set(key, { key, ok, detail });
  }

  all(): CheckResult[] {
    return [...this.results.values()];
  }

  has(key: string): boolean {
    return this.results.has(key);
  }
}

/** Runs `fn` over `items` with at most `limit` at a time (the sidecar serves requests concurrently). */
export async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
