import { join } from 'node:path';
import type { Clock, CoordinationStore, Logger, StoreConfig } from '@tandem/core';
import { SqliteCoordinationStore } from './sqlite-coordination-store.js';

export type EmbeddedStoreConfig = Extract<StoreConfig, { type: 'embedded' }>;

export interface EmbeddedStoreContext {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where the file goes when the config gives no `path`. */
  readonly stateDir: string;
  /** timing.storeTimeoutMs: how long a call may wait for another process's lock. */
  readonly timeoutMs?: number;
  readonly eventsMax?: number;
}

/** The file name used inside the state directory when `store.path` is not set. */
export const DEFAULT_STORE_FILE = 'tandem-store.sqlite';

/**
 * Build the embedded store from the `store` section of a config
 * (`type: embedded`). The CLI picks this factory or the Redis one by
 * `store.type`; each store package has its own so the CLI only loads the
 * driver it needs.
 */
export function createEmbeddedStore(config: EmbeddedStoreConfig, context: EmbeddedStoreContext): CoordinationStore {
  const path = config.path ?? join(context.stateDir, DEFAULT_STORE_FILE);
  context.logger.debug({ path }, 'opening the embedded coordination store');
  return new SqliteCoordinationStore({
    path,
    clock: context.clock,
    busyTimeoutMs: context.timeoutMs ?? 1000,
    ...(context.eventsMax === undefined ? {} : { eventsMax: context.eventsMax }),
  });
}
