import { describe, expect, it } from 'vitest';
import { reconnectDelayMs, redisOptions } from './redis-connection-options.js';

describe('redisOptions', () => {
  it('bounds every call: no offline queue, no retries, command and connect timeouts, RESP2', () => {
    expect.hasAssertions();
    const options = redisOptions({ mode: 'standalone', host: '127.0.0.1', port: 6380, sentinels: [] }, 750);
    expect(options).toMatchObject({
      host: '127.0.0.1', port: 6380, protocol: 2, enableOfflineQueue: false, maxRetriesPerRequest: 0,
      commandTimeout: 750, connectTimeout: 750, lazyConnect: true, autoResendUnfulfilledCommands: false,
    });
    expect(options.reconnectOnError?.(new Error('READONLY You can\'t write against a read only replica.'))).toBe(true);
    expect(options.reconnectOnError?.(new Error('NOPERM no permissions'))).toBe(false);
  });

  it('uses the sentinels and master name in sentinel mode, with a failover detector', () => {
    expect.hasAssertions();
    const options = redisOptions(
      { mode: 'sentinel', host: 'ignored', port: 1, sentinels: [{ host: '127.0.0.1', port: 26379 }], masterName: 'db', username: 'u', password: 'p' },
      1000,
    );
    expect(options).toMatchObject({ name: 'db', role: 'master', sentinels: [{ host: '127.0.0.1', port: 26379 }], failoverDetector: true, username: 'u', password: 'p', sentinelCommandTimeout: 1000 });
    expect(options.host).toBeUndefined();
    expect(() => redisOptions({ mode: 'sentinel', host: 'h', port: 1, sentinels: [] }, 1000)).toThrow(/masterName/);
  });

  it('backs off reconnects but never slower than once a second', () => {
    expect.hasAssertions();
    expect([1, 5, 20, 1000].map(reconnectDelayMs)).toEqual([50, 250, 1000, 1000]);
  });
});
