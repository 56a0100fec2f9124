import { readFileSync } from 'node:fs';
import { TandemError, type Clock, type CoordinationStore, type Logger, type StoreConfig } from '@tandem/core';
import type { RedisConnectionSettings } from './redis-connection-options.js';
import { RedisCoordinationStore } from './redis-coordination-store.js';

export type RedisStoreConfig = Extract<StoreConfig, { type: 'redis' }>;

export interface RedisStoreContext {
  readonly clock: Clock;
  readonly logger: Logger;
  /** timing.storeTimeoutMs. */
  readonly timeoutMs?: number;
  /** The config's cluster name: the default key prefix is `tandem:<cluster>:`. */
  readonly cluster?: string;
}

function readPem(path: string | undefined, option: string): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new TandemError('invalidConfig', `cannot read the redis TLS ${option} file`, {
      cause: error,
      problems: [{ path: `store.tls.${option}`, message: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, fix: 'point it at a readable PEM file' }],
    });
  }
}

/** Turn the validated config section into connection settings: read TLS files, reveal the password. */
export function redisConnectionSettings(config: RedisStoreConfig): RedisConnectionSettings {
  if (config.mode === 'sentinel' && (config.masterName === undefined || config.sentinels.length === 0)) {
    throw new TandemError('invalidConfig', 'redis sentinel mode needs masterName and sentinels', {
      problems: [{ path: 'store', message: 'mode is sentinel but masterName or sentinels is missing', fix: 'set store.masterName and list store.sentinels (host, port)' }],
    });
  }
  const tls = config.tls === undefined
    ? undefined
    : Object.fromEntries(
        Object.entries({
          ca: readPem(config.tls.ca, 'ca'),
          cert: readPem(config.tls.cert, 'cert'),
          key: readPem(config.tls.key, 'key'),
          servername: config.tls.servername,
        }).filter(([, v]) => v !== undefined),
      );
  return {
    mode: config.mode,
    host: config.host,
    port: config.port,
    sentinels: config.sentinels,
    ...(config.masterName === undefined ? {} : { masterName: config.masterName }),
    ...(config.username === undefined ? {} : { username: config.username }),
    ...(config.password === undefined ? {} : { password: config.password.reveal() }),
    ...(tls === undefined ? {} : { tls }),
  };
}

/**
 * Build the Redis store from the `store` section of a config (`type:
 * redis`). The CLI chooses this factory or the embedded one by `store.type`;
 * it does not connect yet (the first call does, within the timeout).
 */
export function createRedisStore(config: RedisStoreConfig, context: RedisStoreContext): CoordinationStore {
  return new RedisCoordinationStore({
    connection: redisConnectionSettings(config),
    // Two clusters on one Redis with the old shared default ("tandem:") read each other's lease.
    keyPrefix: config.keyPrefix ?? (context.cluster === undefined ? 'tandem:' : `tandem:${context.cluster}:`),
    minReplicaAcks: config.minReplicaAcks,
    eventsMax: config.eventsMax,
    timeoutMs: context.timeoutMs ?? 1000,
    clock: context.clock,
    logger: context.logger.child({ component: 'store-redis' }),
  });
}
