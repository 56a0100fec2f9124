import { describeStoreConformance, startRedisServer, type RedisServer } from '@tandem/testkit';
import { afterAll, beforeAll } from 'vitest';
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
