import type { RedisOptions } from 'ioredis';

export interface RedisEndpoint {
  readonly host: string;
  readonly port: number;
}

/** How to reach Redis; mirrors the `store` section (type: redis) of a Tandem config, with secrets and files already read. */
export interface RedisConnectionSettings {
  readonly mode: 'standalone' | 'sentinel';
  readonly host: string;
  readonly port: number;
  readonly sentinels: readonly RedisEndpoint[];
  readonly masterName?: string;
  readonly username?: string;
  /** The revealed password (the config holds a Secret; the factory calls `.reveal()`). */
  readonly password?: string;
  /** PEM contents, not paths. */
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string; readonly servername?: string };
}

/** Reconnect backoff: quick at first, never slower than once a second, never giving up (an agent must come back). */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(50 * attempt, 1000);
}

/**
 * ioredis options that make every call bounded: no offline queue (a call
 * while disconnected fails at once instead of waiting), a command timeout,
 * a connect timeout, no per-request retries. RESP2 keeps script replies
 * plain arrays. A READONLY reply means we are talking to a demoted master
 * after a failover: reconnect (Sentinel then names the new master) but do
 * not resend; the caller decides whether to retry.
 */
export function redisOptions(settings: RedisConnectionSettings, timeoutMs: number): RedisOptions {
  const common: RedisOptions = {
    protocol: 2,
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: true,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    retryStrategy: reconnectDelayMs,
    reconnectOnError: (error: Error): boolean | 1 => error.message.startsWith('READONLY') || error.message.startsWith('LOADING'),
    ...(settings.username === undefined ? {} : { username: settings.username }),
    ...(settings.password === undefined ? {} : { password: settings.password }),
    ...(settings.tls === undefined ? {} : { tls: { ...settings.tls } }),
  };
  if (settings.mode === 'standalone') return { ...common, host: settings.host, port: settings.port };
  if (settings.masterName === undefined || settings.sentinels.length === 0) {
    throw new RangeError('sentinel mode needs masterName and at least one sentinel');
  }
  return {
    ...common,
    sentinels: settings.sentinels.map((s) => ({ host: s.host, port: s.port })),
    name: settings.masterName,
    role: 'master',
    sentinelCommandTimeout: timeoutMs,
    sentinelRetryStrategy: reconnectDelayMs,
    // Subscribe to +switch-master so a failover is noticed without waiting for a failed command.
    failoverDetector: true,
    ...(settings.tls === undefined ? {} : { enableTLSForSentinelMode: true }),
  };
}
