import type { Logger } from '@tandem/core';
import type { Redis } from 'ioredis';

export interface ConnectionWatch {
  /** Resolves when the connection is ready; starts the first (lazy) connect. Never rejects: the caller's deadline bounds it. */
  ready(): Promise<void>;
  /** A short phrase for error messages: status and the last connection error. */
  describe(): string;
  stop(): void;
}

/**
 * Keep one listener for "ready" however many calls wait for it, and log
 * connection trouble once per change instead of once per retry. ioredis
 * prints "Unhandled error event" unless someone listens for errors.
 */
export function watchConnection(redis: Redis, logger: Logger | undefined): ConnectionWatch {
  let lastError: string | undefined;
  let waiting: Promise<void> | undefined;
  const onError = (error: Error): void => {
    if (error.message !== lastError) logger?.warn({ error: error.message, status: redis.status }, 'redis store connection error');
    lastError = error.message;
  };
  const onReady = (): void => {
    if (lastError !== undefined) logger?.info({ previousError: lastError }, 'redis store connection is back');
    lastError = undefined;
  };
  redis.on('error', onError);
  redis.on('ready', onReady);
  return {
    ready(): Promise<void> {
      if (redis.status === 'ready') return Promise.resolve();
      if (redis.status === 'wait') redis.connect().catch(() => undefined);
      waiting ??= new Promise<void>((resolve) => {
        redis.once('ready', () => {
          waiting = undefined;
          resolve();
        });
      });
      return waiting;
    },
    describe(): string {
      return lastError === undefined ? `connection ${redis.status}` : `connection ${redis.status}, last error: ${lastError}`;
    },
    stop(): void {
      redis.off('ready', onReady);
    },
  };
}
