import { StoreUnavailableError } from '@tandem/core';
import { startRedisSentinel, startRedisServer, type RedisServer } from '@tandem/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCoordinationStore } from './redis-coordination-store.js';

const MASTER_NAME = 'tandem-test';
const TTL_MS = 1000;
const STEP_MS = 100;

interface Grant {
  readonly node: string;
  readonly epoch: number;
  readonly grantedAtMs: number;
  /** Until when the holder believed it held the lease: last successful send + ttl, or when it sent its release. */
  validUntilMs: number;
}

interface AgentLog {
  readonly grants: Grant[];
  /** Times of successful calls, to show the client talks to the new master after the failover. */
  readonly okAtMs: number[];
  errors: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One contending agent: renew while holding, give the lease up now and then, try to take it otherwise. */
async function runAgent(store: RedisCoordinationStore, node: string, stop: { now: boolean }, log: AgentLog): Promise<void> {
  let held: Grant | undefined;
  while (!stop.now) {
    const sentAtMs = performance.now();
    if (held !== undefined && sentAtMs >= held.validUntilMs) held = undefined;
    try {
      if (held !== undefined && sentAtMs - held.grantedAtMs > 600 + Math.random() * 400) {
        // Stop believing before asking, as a demoting primary does.
        held.validUntilMs = Math.min(held.validUntilMs, sentAtMs);
        await store.releaseLease(node, held.epoch);
        held = undefined;
      } else if (held !== undefined) {
        const r = await store.renewLease(node, held.epoch, TTL_MS);
        if (r.acquired) held.validUntilMs = sentAtMs + TTL_MS;
      } else {
        const r = await store.acquireLease(node, TTL_MS);
        if (r.acquired) {
          held = { node, epoch: r.lease.epoch, grantedAtMs: performance.now(), validUntilMs: sentAtMs + TTL_MS };
          log.grants.push(held);
        }
      }
      log.okAtMs.push(performance.now());
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      log.errors++;
    }
    await sleep(STEP_MS / 2 + Math.random() * STEP_MS);
  }
}

describe('RedisCoordinationStore behind Sentinel, through a failover', () => {
  const started: RedisServer[] = [];
  let master: RedisServer;
  let replica: RedisServer;
  let sentinels: RedisServer[];

  beforeAll(async () => {
    master = await startRedisServer();
    started.push(master);
    replica = await startRedisServer({ replicaOfPort: master.port });
    started.push(replica);
    sentinels = [];
    for (let i = 0; i < 3; i++) {
      const s = await startRedisSentinel({ masterName: MASTER_NAME, masterPort: master.port, quorum: 2, downAfterMs: 1000, failoverTimeoutMs: 5000 });
      started.push(s);
      sentinels.push(s);
    }
  });

  afterAll(async () => {
    await Promise.all(started.map((s) => s.cleanup()));
  });

  it('never lets two holders overlap, keeps epochs increasing, and follows the new master', async () => {
    expect.hasAssertions();
    const connection = {
      mode: 'sentinel' as const, host: '127.0.0.1', port: 6379, masterName: MASTER_NAME,
      sentinels: sentinels.map((s) => ({ host: s.host, port: s.port })),
    };
    const stores = ['agent-a', 'agent-b'].map(() => new RedisCoordinationStore({ connection, minReplicaAcks: 1, timeoutMs: 1000, keyPrefix: 'sentinel-test:' }));
    const logs: AgentLog[] = stores.map(() => ({ grants: [], okAtMs: [], errors: 0 }));
    const stop = { now: false };
    const agents = stores.map((s, i) => runAgent(s, `agent-${i}`, stop, logs[i]!));
    try {
      await checkFailover(stores, logs, stop, agents);
    } finally {
      stop.now = true;
      await Promise.allSettled(agents);
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  async function checkFailover(stores: RedisCoordinationStore[], logs: AgentLog[], stop: { now: boolean }, agents: Promise<void>[]): Promise<void> {

    await sleep(3000);
    const sentinel = new Redis({ host: '127.0.0.1', port: sentinels[0]!.port, protocol: 2 });
    const failoverAtMs = performance.now();
    expect(await sentinel.call('SENTINEL', 'FAILOVER', MASTER_NAME)).toBe('OK');
    await expect
      .poll(async () => ((await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)) as string[])[1], { timeout: 8000, interval: 200 })
      .toBe(String(replica.port));
    sentinel.disconnect();
    // Sentinel turns the old master into a replica of the new one a few seconds later. Until then no replica
    // acknowledges a lease write (minReplicaAcks 1), so nobody gets the lease: unavailable, but safe.
    const oldMaster = new Redis({ host: '127.0.0.1', port: master.port, protocol: 2 });
    await expect
      .poll(async () => ((await oldMaster.call('ROLE')) as unknown[]).slice(0, 4).join(' '), { timeout: 30_000, interval: 250 })
      .toBe(`slave 127.0.0.1 ${replica.port} connected`);
    oldMaster.disconnect();
    const switchedAtMs = performance.now();
    await sleep(4000);
    stop.now = true;
    await Promise.all(agents);

    const seen = logs.flatMap((l) => l.grants).sort((a, b) => a.grantedAtMs - b.grantedAtMs);
    // A holder whose acquire wrote but whose WAIT went unacknowledged gets the same epoch back when it
    // asks again: one lease, granted to one node, seen twice. An epoch is never shared between nodes.
    const byEpoch = new Map<number, Grant>();
    for (const g of seen) {
      const first = byEpoch.get(g.epoch);
      if (first === undefined) byEpoch.set(g.epoch, { ...g });
      else {
        expect(g.node, `epoch ${g.epoch} granted to two nodes`).toBe(first.node);
        first.validUntilMs = Math.max(first.validUntilMs, g.validUntilMs);
      }
    }
    // In epoch order (a reply delayed under load may arrive after a later epoch's, so not in arrival order):
    const grants = [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
    // No two holders at once: a grant comes only after the previous holder stopped believing it held the lease.
    for (let i = 1; i < grants.length; i++) {
      const [previous, next] = [grants[i - 1]!, grants[i]!];
      if (previous.node !== next.node) expect(next.grantedAtMs).toBeGreaterThanOrEqual(previous.validUntilMs);
    }
    expect(grants.filter((g) => g.grantedAtMs < failoverAtMs).length).toBeGreaterThan(1);
    expect(grants.filter((g) => g.grantedAtMs > switchedAtMs).length).toBeGreaterThan(0);
    // Both clients reconnected and did real work against the new master.
    for (const log of logs) expect(log.okAtMs.filter((t) => t > switchedAtMs).length).toBeGreaterThan(0);
    const newMaster = new Redis({ host: '127.0.0.1', port: replica.port, protocol: 2 });
    expect(((await newMaster.call('ROLE')) as unknown[])[0]).toBe('master');
    expect(Number(await newMaster.get('sentinel-test:epoch'))).toBe(await stores[0]!.lastEpoch());
    expect(await stores[1]!.lastEpoch()).toBeGreaterThanOrEqual(grants[grants.length - 1]!.epoch);
    await newMaster.quit();
  }
});
