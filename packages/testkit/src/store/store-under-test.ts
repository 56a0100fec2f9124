import type { CoordinationStore } from '@tandem/core';

/** What a conformance run needs from one fresh, empty store. */
export interface StoreUnderTest {
  readonly store: CoordinationStore;
  /**
   * Another client of the same store: a separate connection (Redis) or
   * database handle (SQLite), so races are real. The suite closes what it
   * opens. Stores with no such notion may return `store` itself.
   */
  readonly connect: () => Promise<CoordinationStore>;
  /** Stop whatever `create` started and remove its files. */
  readonly cleanup: () => Promise<void>;
  /** Move the store's clock forward. Absent: the suite really waits, so keep ttls short. */
  readonly advanceMs?: (ms: number) => Promise<void>;
}

export interface StoreFactoryOptions {
  /** Bound on the event history the store must be created with. */
  readonly eventsMax: number;
}

export interface StoreConformanceOptions {
  readonly create: (options: StoreFactoryOptions) => Promise<StoreUnderTest>;
  /** Lease and heartbeat ttl for the expiry checks; 300 ms by default (real stores really wait). */
  readonly ttlMs?: number;
  /** Clients racing in the concurrent-acquire check; 8 by default. */
  readonly racers?: number;
}

export interface CheckSettings {
  readonly ttlMs: number;
  readonly racers: number;
  readonly eventsMax: number;
}

export const DEFAULT_CHECK_SETTINGS: CheckSettings = { ttlMs: 300, racers: 8, eventsMax: 20 };

/** Let `ms` pass as the store sees it: simulated when the store allows, else a real wait. */
export async function elapse(sut: StoreUnderTest, ms: number): Promise<void> {
  if (sut.advanceMs !== undefined) {
    await sut.advanceMs(ms);
    return;
  }
  await new Promise<void>((resolve) => setTimeout(resolve, ms));
}

/**
 * Extra time past a ttl before a check expects the lapse: real stores judge
 * expiry on their own clocks (Redis expires keys lazily and in a background
 * cycle), so a bare ttl is not enough to be sure.
 */
export function lapseMarginMs(sut: StoreUnderTest, ttlMs: number): number {
  return sut.advanceMs === undefined ? ttlMs + 200 : ttlMs + 1;
}
