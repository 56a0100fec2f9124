import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkStoreIdentity, FileNodeMemory, openStore } from '@tandem/agent';
import { ActionExecutor, MemoryLogger, parseConfig, readStoreView, SystemClock, TandemError, type Action, type ActionResult, type CoordinationStore } from '@tandem/core';
import { startRedisServer, type RedisServer } from '@tandem/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Rows of issue 14's table, with the real stores: an agent refuses an empty, foreign or replaced store.

const clock = new SystemClock();
const logger = new MemoryLogger();
let dir: string;
let redis: RedisServer;

function config(cluster: string, store: string, bootstrap = true) {
  return parseConfig(`cluster: ${cluster}\nbootstrap: ${bootstrap}\nstore: ${store}\nnodes:\n  s1: { nics: { public: 192.0.2.1 } }\n`).config;
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => undefined, (error: unknown) => error);
  expect(e).toBeInstanceOf(TandemError);
  expect((e as TandemError).kind).toBe('refused');
  return (e as TandemError).message;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-identity-'));
  for (const d of ['a', 'b', 'c']) mkdirSync(join(dir, d));
  redis = await startRedisServer();
});

afterAll(async () => {
  await redis.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('cluster identity with real stores', () => {
  it("deleted the embedded store's file while the demo ran, then restarted one agent: the restarted agent refuses the empty store", async () => {
    const stateDir = join(dir, 'embedded');
    mkdirSync(stateDir, { recursive: true });
    const c = config('demo', `{ type: embedded, path: ${join(stateDir, 'store.sqlite')} }`);
    const first = openStore(c, { clock, logger, stateDir });
    const memory = FileNodeMemory.forNode(stateDir, 's1');
    const made = await checkStoreIdentity(first, c, memory, clock);
    expect(memory.current().clusterId).toBe(made?.clusterId);
    await first.close();
    rmSync(join(stateDir, 'store.sqlite'), { force: true });
    rmSync(join(stateDir, 'store.sqlite-wal'), { force: true });
    rmSync(join(stateDir, 'store.sqlite-shm'), { force: true });
    const again = openStore(c, { clock, logger, stateDir });
    try {
      // Same node, its record on disk: bootstrap: true does not apply to a node that joined a cluster.
      expect(await refusal(checkStoreIdentity(again, c, FileNodeMemory.forNode(stateDir, 's1'), clock))).toContain('the store lost its data');
      expect(await again.readIdentity()).toBeUndefined();
    } finally {
      await again.close();
    }
  });

  it('restarted Redis empty (no persistence): agents refuse it, and the loop does not trust its epochs', async () => {
    const stateDir = join(dir, 'redis-empty');
    mkdirSync(stateDir, { recursive: true });
    const c = config('orders', `{ type: redis, host: 127.0.0.1, port: ${redis.port} }`);
    const store = openStore(c, { clock, logger, stateDir });
    const memory = FileNodeMemory.forNode(stateDir, 's1');
    try {
      await checkStoreIdentity(store, c, memory, clock);
      await store.acquireLease('s1', 5000);
      await store.releaseLease('s1', 1);
      await store.acquireLease('s1', 5000);
      await memory.update({ highestEpoch: await store.lastEpoch() });
      const flush = new Redis({ host: '127.0.0.1', port: redis.port, protocol: 2 });
      await flush.flushall();
      flush.disconnect();
      expect(await refusal(checkStoreIdentity(store, c, memory, clock))).toContain('the store lost its data');
      // A running agent's loop: the empty store's answers are not trusted, so nobody is fenced with epoch 1.
      const view = await readStoreView(clock, store, 1000, { cluster: 'orders', memory: memory.current() });
      expect(view).toMatchObject({ reachable: false, untrusted: true });
      // With the identity back but the counter reset, the epoch going back is caught.
      const id = memory.current().clusterId as string;
      await store.initIdentity({ clusterId: id, cluster: 'orders', createdAtWallMs: 0 });
      const reset = await readStoreView(clock, store, 1000, { cluster: 'orders', memory: memory.current() });
      expect(reset).toMatchObject({ reachable: false, reason: expect.stringContaining('epoch went back to 0 although this node saw epoch 2') as string });
    } finally {
      await store.close();
    }
  });

  it("a second cluster's agent with the same node name on the same Redis: separate keys by default, and a foreign identity is refused", async () => {
    const a = config('orders', `{ type: redis, host: 127.0.0.1, port: ${redis.port} }`);
    const b = config('billing', `{ type: redis, host: 127.0.0.1, port: ${redis.port} }`);
    const storeA: CoordinationStore = openStore(a, { clock, logger, stateDir: join(dir, 'a') });
    const storeB: CoordinationStore = openStore(b, { clock, logger, stateDir: join(dir, 'b') });
    try {
      const lease = await storeA.acquireLease('s1', 5000);
      expect(lease.acquired).toBe(true);
      // The default prefix carries the cluster name: billing's s1 does not see orders' lease.
      expect(await storeB.readLease()).toBeUndefined();
      // Both clusters pointed at one prefix on purpose: the second agent is refused, not handed the live lease.
      const shared = config('billing', `{ type: redis, host: 127.0.0.1, port: ${redis.port}, keyPrefix: "tandem:orders:" }`);
      const storeShared = openStore(shared, { clock, logger, stateDir: join(dir, 'c') });
      try {
        await checkStoreIdentity(storeA, a, FileNodeMemory.forNode(join(dir, 'a'), 's1'), clock).catch(() => undefined);
        expect(await refusal(checkStoreIdentity(storeShared, shared, FileNodeMemory.forNode(join(dir, 'c'), 's1'), clock))).toContain('belongs to cluster "orders"');
      } finally {
        await storeShared.close();
      }
    } finally {
      await storeA.close();
      await storeB.close();
    }
  });

  it("a second cluster's agent with the same node name on the same Redis and the same keys: it cannot take or renew the live lease, and is told another process holds it", async () => {
    // Past the identity check (say both clusters were bootstrapped onto one prefix by hand): the lease alone must hold.
    const keyPrefix = 'tandem:shared-lease:';
    const a = config('orders', `{ type: redis, host: 127.0.0.1, port: ${redis.port}, keyPrefix: "${keyPrefix}" }`);
    const b = config('billing', `{ type: redis, host: 127.0.0.1, port: ${redis.port}, keyPrefix: "${keyPrefix}" }`);
    const storeA = openStore(a, { clock, logger, stateDir: join(dir, 'a') });
    const storeB = openStore(b, { clock, logger, stateDir: join(dir, 'b') });
    // Each agent process's executor, both configured as node s1; each makes its own lease token.
    const executor = (store: CoordinationStore): ActionExecutor =>
      new ActionExecutor({
        clock,
        store,
        composition: { node: { name: 's1', nics: {} }, fencingLevels: [], recovery: [], resources: [] },
        nodes: [{ name: 's1', nics: {} }],
        gateway: { check: () => new Promise(() => undefined) },
        timing: a.timing,
      });
    const run = async (e: ActionExecutor, action: Action): Promise<ActionResult | undefined> => {
      e.submit([action]);
      await e.idle();
      return e.takeResults()[0];
    };
    const acquire: Action = { kind: 'acquire-lease', fenceTargets: [], failed: undefined, reason: 'failover', requestId: undefined, compensate: true, timeoutMs: 2000 };
    try {
      const orders = executor(storeA);
      const billing = executor(storeB);
      expect(billing.leaseToken).not.toBe(orders.leaseToken);
      expect(await run(orders, acquire)).toMatchObject({ code: 'ok', data: { acquired: true, lease: { holder: 's1', epoch: 1 } } });
      // Before tokens, this "acquired" the live lease at epoch 1 and fenced nobody.
      const taken = await run(billing, acquire);
      expect(taken).toMatchObject({ code: 'ok', data: { acquired: false, heldByOtherProcess: true, lease: { holder: 's1', epoch: 1 } } });
      expect(taken?.reason).toContain("held under this node's name (s1) by another agent process");
      expect(await run(billing, { kind: 'renew-lease', epoch: 1, timeoutMs: 2000 })).toMatchObject({ code: 'ok', data: { acquired: false } });
      expect(await run(billing, { kind: 'release-lease', epoch: 1, timeoutMs: 2000 })).toMatchObject({ code: 'failed' });
      // The real holder goes on as before, and no epoch was spent.
      expect(await run(orders, { kind: 'renew-lease', epoch: 1, timeoutMs: 2000 })).toMatchObject({ code: 'ok', data: { acquired: true, lease: { epoch: 1 } } });
      expect(await storeB.readLease()).toMatchObject({ holder: 's1', epoch: 1 });
      expect(await storeB.lastEpoch()).toBe(1);
      // Once the holder lets go, the other process gets a new epoch: a fencing token the real cluster's peers can see.
      expect(await run(orders, { kind: 'release-lease', epoch: 1, timeoutMs: 2000 })).toMatchObject({ code: 'ok' });
      expect(await run(billing, acquire)).toMatchObject({ code: 'ok', data: { acquired: true, lease: { holder: 's1', epoch: 2 } } });
    } finally {
      await storeA.close();
      await storeB.close();
    }
  });
});
