/** Small statistics for the benchmark: percentiles of latency samples and rates. */

/** The p-th percentile (0–100) of `samples` by nearest rank; 0 for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** Operations per second. */
export function ratePerSecond(operations: number, ms: number): number {
  return ms > 0 ? (operations * 1000) / ms : 0;
}

/** Milliseconds since `start` (a process.hrtime.bigint() value). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Runs `task(i)` for i in [0, count) with at most `concurrency` in flight and returns the
 * wall time and each task's own duration, in ms. A task that throws stops the run.
 */
export async function runConcurrently(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<{ ms: number; samples: number[] }> {
  const samples: number[] = new Array(count);
  let next = 0;
  const start = process.hrtime.bigint();
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const t = process.hrtime.bigint();
      await task(i);
      samples[i] = msSince(t);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { ms: msSince(start), samples };
}
