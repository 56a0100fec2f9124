import type { ClusterConfig, Clock, CoordinationStore, Logger } from '@tandem/core';
import { createEmbeddedStore } from '@tandem/store-embedded';
import { createRedisStore } from '@tandem/store-redis';

export interface OpenStoreContext {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where the embedded store's file goes when `store.path` is not set. */
  readonly stateDir: string;
}

/** The coordination store the config's `store` section asks for. */
export function openStore(config: ClusterConfig, context: OpenStoreContext): CoordinationStore {
  const timeoutMs = config.timing.storeTimeoutMs;
  if (config.store.type === 'redis') return createRedisStore(config.store, { ...context, timeoutMs, cluster: config.cluster });
  return createEmbeddedStore(config.store, { ...context, timeoutMs });
}
