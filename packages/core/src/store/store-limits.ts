/** Default bound on the event history when a store is not told otherwise (matches the redis config default). */
export const DEFAULT_EVENTS_MAX = 10_000;

/** Largest page `readEvents` returns, whatever `limit` asks for, so one call cannot pull the whole history. */
export const EVENTS_READ_LIMIT_MAX = 1000;

/** Page size when `readEvents` is called without `limit`. */
export const DEFAULT_EVENTS_READ_LIMIT = 100;

/**
 * A ttl must be a positive whole number of ms: a zero or negative ttl would
 * grant a lease that is already over, which is always a caller bug.
 */
export function assertTtlMs(ttlMs: number, what: string): void {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`${what}: ttlMs must be a positive integer, got ${String(ttlMs)}`);
  }
}

/** Clamp a requested page size into 1..EVENTS_READ_LIMIT_MAX. */
export function eventsPageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_EVENTS_READ_LIMIT;
  if (!Number.isFinite(limit) || limit < 1) return 1;
  return Math.min(Math.floor(limit), EVENTS_READ_LIMIT_MAX);
}
