import { describeStoreConformance, startRedisServer, type RedisServer } from '@tandem/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCoordinationStore } from './redis-coordination-store.js';

let server: RedisServer | undefined;
let run = 0;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.cleanup();
});

// One real redis-server; each check gets a fresh key prefix, so it starts from an empty store.
describeStoreConformance('RedisCoordinationStore (real redis-server, standalone)', {
  create: async ({ eventsMax }) => {
    if (server === undefined) throw new Error('redis-server did not start');
    const { host, port } = server;
    const keyPrefix = `conformance-${++run}:`;
    const open = (): RedisCoordinationStore =>
      new RedisCoordinationStore({ connection: { mode: 'standalone', host, port, sentinels: [] }, keyPrefix, eventsMax, timeoutMs: 2000 });
    return {
      store: open(),
      // A separate TCP connection per client: the race happens in the server, as between agents.
      connect: async () => open(),
      cleanup: async () => undefined,
    };
  },
});

describe('RedisCoordinationStore lease written before tokens', () => {
  it("reads a lease hash without a token field as token '': a tokenless caller still holds it, a process with a token does not", async () => {
    expect.hasAssertions();
    if (server === undefined) throw new Error('redis-server did not start');
    const { host, port } = server;
    const keyPrefix = `pre-token-${++run}:`;
    const raw = new Redis({ host, port, protocol: 2 });
    const store = new RedisCoordinationStore({ connection: { mode: 'standalone', host, port, sentinels: [] }, keyPrefix, timeoutMs: 2000 });
    try {
      // What an agent before tokens left: holder and epoch only.
      await raw.set(`${keyPrefix}epoch`, '4');
      await raw.hset(`${keyPrefix}lease`, 'holder', 'db1', 'epoch', '4');
      await raw.pexpire(`${keyPrefix}lease`, 30_000);
      expect(await store.acquireLease('db1', 30_000, 'new-process')).toMatchObject({ acquired: false, current: { holder: 'db1', epoch: 4 }, heldByOtherProcess: true });
      expect(await store.renewLease('db1', 4, 30_000, 'new-process')).toMatchObject({ acquired: false });
      expect(await store.renewLease('db1', 4, 30_000)).toMatchObject({ acquired: true, lease: { holder: 'db1', epoch: 4 } });
      expect(await store.releaseLease('db1', 4)).toBe(true);
      expect(await store.acquireLease('db1', 30_000, 'new-process')).toMatchObject({ acquired: true, lease: { holder: 'db1', epoch: 5 } });
      expect(await raw.hget(`${keyPrefix}lease`, 'token')).toBe('new-process');
    } finally {
      raw.disconnect();
      await store.close();
    }
  });
});
