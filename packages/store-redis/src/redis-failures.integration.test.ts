import { MemoryLogger, StoreUnavailableError } from '@tandem/core';
import { freeLoopbackPort, startRedisServer, type RedisServer } from '@tandem/testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RedisCoordinationStore } from './redis-coordination-store.js';

const TIMEOUT_MS = 500;
// Scheduling slack on a busy 2-core machine; the point is "about the timeout", not "eventually".
const SLACK_MS = 400;

const servers: RedisServer[] = [];
const stores: RedisCoordinationStore[] = [];

async function server(options: Parameters<typeof startRedisServer>[0] = {}): Promise<RedisServer> {
  const s = await startRedisServer(options);
  servers.push(s);
  return s;
}

function store(port: number, extra: Partial<ConstructorParameters<typeof RedisCoordinationStore>[0]> = {}): RedisCoordinationStore {
  const s = new RedisCoordinationStore({
    connection: { mode: 'standalone', host: '127.0.0.1', port, sentinels: [], ...extra.connection },
    timeoutMs: TIMEOUT_MS,
    ...extra,
  });
  stores.push(s);
  return s;
}

async function timed(promise: Promise<unknown>): Promise<{ error: unknown; elapsedMs: number }> {
  const started = performance.now();
  try {
    await promise;
    return { error: undefined, elapsedMs: performance.now() - started };
  } catch (error) {
    return { error, elapsedMs: performance.now() - started };
  }
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.cleanup()));
});

describe('RedisCoordinationStore when Redis is unreachable', () => {
  it('rejects with StoreUnavailableError within the timeout when nothing listens', async () => {
    expect.hasAssertions();
    const s = store(await freeLoopbackPort());
    for (const call of [s.acquireLease('a', 1000), s.readLease(), s.members(), s.readEvents()]) {
      const { error, elapsedMs } = await timed(call);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(elapsedMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    }
  });

  it('rejects within the timeout after redis-server is killed, and works again once it is back', async () => {
    expect.hasAssertions();
    const redis = await server();
    const logger = new MemoryLogger();
    const s = store(redis.port, { logger });
    expect(await s.acquireLease('a', 10_000)).toMatchObject({ acquired: true, lease: { epoch: 1 } });
    await redis.kill();
    for (let i = 0; i < 3; i++) {
      const { error, elapsedMs } = await timed(s.renewLease('a', 1, 10_000));
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(String(error)).toMatch(/renewLease/);
      expect(elapsedMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    }
    // Same port again: the client reconnects by itself. This server starts empty (no persistence in tests).
    await server({ port: redis.port });
    await expect.poll(() => s.lastEpoch().catch(() => -1), { timeout: 5000, interval: 100 }).toBe(0);
    expect(await s.acquireLease('b', 10_000)).toMatchObject({ acquired: true });
  });

  it('rejects within the timeout when redis-server is frozen (SIGSTOP), and recovers on SIGCONT', async () => {
    expect.hasAssertions();
    const redis = await server();
    const s = store(redis.port);
    expect(await s.acquireLease('a', 10_000)).toMatchObject({ acquired: true });
    redis.pause();
    try {
      const { error, elapsedMs } = await timed(s.readLease());
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(String(error)).toMatch(/within 500 ms|timed out/);
      expect(elapsedMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    } finally {
      redis.resume();
    }
    await expect.poll(() => s.readLease().catch(() => undefined), { timeout: 5000, interval: 100 }).toMatchObject({ holder: 'a', epoch: 1 });
  });
});

describe('RedisCoordinationStore with minReplicaAcks (WAIT)', () => {
  it('counts a lease write as not acquired when no replica acknowledges it, and as acquired once one does', async () => {
    expect.hasAssertions();
    const master = await server();
    const logger = new MemoryLogger();
    const s = store(master.port, { minReplicaAcks: 1, logger });
    const lonely = await s.acquireLease('a', 10_000);
    expect(lonely.acquired).toBe(false);
    if (lonely.acquired) return;
    // The master holds the write, but it is not durable: the caller must not act as holder.
    expect(lonely.current).toMatchObject({ holder: 'a', epoch: 1 });
    expect(logger.lines.some((l) => l.message.includes('not acknowledged by enough replicas'))).toBe(true);
    await server({ replicaOfPort: master.port });
    // A started replica acknowledges only once its initial sync is done: wait until the master lists it online.
    const admin = new Redis({ host: '127.0.0.1', port: master.port, protocol: 2 });
    await expect.poll(async () => /slave0:.*state=online/.test(String(await admin.info('replication'))), { timeout: 15_000, interval: 100 }).toBe(true);
    admin.disconnect();
    // WAIT has half the call budget (250 ms here); on a loaded machine a fresh replica's first ack can miss it,
    // which the store rightly reports as not acquired. The property: once acks arrive, the same lease is held.
    await expect.poll(async () => (await s.acquireLease('a', 10_000)).acquired, { timeout: 10_000, interval: 200 }).toBe(true);
    expect(await s.readLease()).toMatchObject({ holder: 'a', epoch: 1 });
    expect(await s.renewLease('a', 1, 10_000)).toMatchObject({ acquired: true });
  });

  it('rejects a primary record no replica acknowledges (it stays on the master), and resolves once one does', async () => {
    expect.hasAssertions();
    const master = await server();
    const logger = new MemoryLogger();
    const s = store(master.port, { minReplicaAcks: 1, logger });
    // The lease is not acknowledged either (so not granted), but it is on the master: 'a' holds epoch 1 there.
    expect(await s.acquireLease('a', 60_000)).toMatchObject({ acquired: false, current: { holder: 'a', epoch: 1 } });
    const lonely = s.recordPrimary({ node: 'a', epoch: 1, atWallMs: 1 });
    await expect(lonely).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(lonely).rejects.toThrow(/not acknowledged by 1 replica/);
    // Written on the master, with no TTL to undo it: the same epoch is refused from now on.
    expect(await s.lastPrimary()).toEqual({ node: 'a', epoch: 1, atWallMs: 1 });
    expect(await s.recordPrimary({ node: 'b', epoch: 1, atWallMs: 2 })).toBe(false);
    await server({ replicaOfPort: master.port });
    const admin = new Redis({ host: '127.0.0.1', port: master.port, protocol: 2 });
    await expect.poll(async () => /slave0:.*state=online/.test(String(await admin.info('replication'))), { timeout: 15_000, interval: 100 }).toBe(true);
    admin.disconnect();
    // A slow first ack rejects again and burns that epoch (the record is on the master); each try leases the next one.
    expect(await s.releaseLease('a', 1)).toBe(true);
    let epoch = 1;
    const promoteB = async (): Promise<boolean> => {
      const lease = await s.acquireLease('b', 60_000);
      const held = lease.acquired ? lease.lease : lease.current;
      if (held?.holder !== 'b') return false;
      epoch = held.epoch;
      const written = await s.recordPrimary({ node: 'b', epoch, atWallMs: 3 }).catch(() => false);
      if (!written) await s.releaseLease('b', epoch);
      return written;
    };
    await expect.poll(promoteB, { timeout: 10_000, interval: 200 }).toBe(true);
    expect(await s.lastPrimary()).toEqual({ node: 'b', epoch, atWallMs: 3 });
  });
});

describe('RedisCoordinationStore with an ACL user', () => {
  it('works as a restricted user, and refuses a wrong password or keys outside its pattern', async () => {
    expect.hasAssertions();
    const redis = await server();
    const admin = new Redis({ host: '127.0.0.1', port: redis.port, protocol: 2, lazyConnect: true });
    await admin.connect();
    // Only its own keys, only the commands the store uses; the default user is turned off.
    await admin.call('ACL', 'SETUSER', 'tandem', 'on', '>s3cret-pass', '~tandem:*', '+@read', '+@write', '+@scripting', '+@stream', '+info', '+ping', '+wait', '-flushall', '-flushdb');
    await admin.call('ACL', 'SETUSER', 'default', 'off');
    await admin.quit();
    const connection = { mode: 'standalone' as const, host: '127.0.0.1', port: redis.port, sentinels: [], username: 'tandem' };
    const good = store(redis.port, { connection: { ...connection, password: 's3cret-pass' } });
    expect(await good.acquireLease('a', 10_000)).toMatchObject({ acquired: true, lease: { epoch: 1 } });
    expect(await good.appendEvent({ atWallMs: 1, node: 'a', type: 't', message: 'm' })).toMatchObject({ message: 'm' });
    const wrong = store(redis.port, { connection: { ...connection, password: 'nope' } });
    const denied = await timed(wrong.readLease());
    expect(denied.error).toBeInstanceOf(StoreUnavailableError);
    expect(denied.elapsedMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    const outside = store(redis.port, { connection: { ...connection, password: 's3cret-pass' }, keyPrefix: 'other:' });
    await expect(outside.readLease()).rejects.toThrow(/NOPERM/);
  });
});
