/** Summary of a set of durations (ms): nearest-rank percentiles. */
export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentile of already sorted values (q in 0..1). */
export function percentileOfSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('percentileOfSorted: no values');
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

/** p50, p99 and max of the values; undefined when there are none. */
export function percentiles(values: readonly number[]): Percentiles | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentileOfSorted(sorted, 0.5), p99: percentileOfSorted(sorted, 0.99), max: sorted[sorted.length - 1] as number };
}
