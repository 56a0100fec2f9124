import type { MemberRecord } from '@tandem/core';
import { startRedisServer, type RedisServer } from '@tandem/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { RedisCoordinationStore } from './redis-coordination-store.js';

const TTL_MS = 60_000;
const T0_MS = 1_767_225_600_000;

function record(node: string): MemberRecord {
  return { node, role: 'replica', epoch: 3, facts: { lagBytes: 0 }, updatedAtWallMs: T0_MS };
}

let server: RedisServer | undefined;
let run = 0;
let prefix: string;
let store: RedisCoordinationStore;
/** Another client writing under the cluster's keys behind the store's back: a bug, a foreign tool, a hand edit. */
let raw: Redis;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.cleanup();
});

beforeEach(() => {
  if (server === undefined) throw new Error('redis-server did not start');
  prefix = `bad-${++run}:`;
  store = new RedisCoordinationStore({ connection: { mode: 'standalone', host: server.host, port: server.port, sentinels: [] }, keyPrefix: prefix, timeoutMs: 2000 });
  raw = new Redis({ host: server.host, port: server.port, protocol: 2 });
});

afterEach(async () => {
  raw.disconnect();
  await store.close();
});

describe('one malformed member record / one non-JSON event (Redis store, real redis-server)', () => {
  it('a member key of bad JSON is skipped, the others are read, and the skip is reported once naming the key', async () => {
    for (const node of ['db1', 'db2', 'db3']) await store.heartbeat(record(node), TTL_MS);
    const key = `${prefix}member:db2`;
    expect(await raw.exists(key)).toBe(1);
    await raw.set(key, 'not json', 'KEEPTTL');
    expect((await store.members()).map((m) => m.node)).toEqual(['db1', 'db3']);
    expect(store.takeSkippedRecords()).toEqual([{ key, reason: expect.stringMatching(/^not JSON/) as string }]);
    expect((await store.members()).map((m) => m.node)).toEqual(['db1', 'db3']);
    expect(store.takeSkippedRecords()).toEqual([]);
    // Healed by the next heartbeat; broken again later: reported again.
    await store.heartbeat(record('db2'), TTL_MS);
    expect((await store.members()).map((m) => m.node)).toEqual(['db1', 'db2', 'db3']);
    await raw.set(key, JSON.stringify({ ...record('db1'), role: 'primary' }), 'KEEPTTL');
    expect((await store.members()).map((m) => [m.node, m.role])).toEqual([
      ['db1', 'replica'],
      ['db3', 'replica'],
    ]);
    expect(store.takeSkippedRecords()).toEqual([{ key, reason: 'the record claims node "db1", not "db2" as its key says' }]);
  });

  it('a non-JSON event is skipped; the events around it are read, and paging past it works', async () => {
    await store.appendEvent({ atWallMs: T0_MS + 1, node: 'db1', type: 'test', message: 'event 1' });
    const bad = await raw.xadd(`${prefix}events`, '*', 'event', '{not json');
    await store.appendEvent({ atWallMs: T0_MS + 3, node: 'db1', type: 'test', message: 'event 3' });
    expect((await store.readEvents()).map((e) => e.message)).toEqual(['event 1', 'event 3']);
    expect(store.takeSkippedRecords()).toEqual([{ key: `${prefix}events#${bad}`, reason: expect.stringMatching(/^not JSON/) as string }]);
    const first = await store.readEvents({ limit: 1 });
    expect((await store.readEvents({ after: first[0]!.id })).map((e) => e.message)).toEqual(['event 3']);
  });
});
