import { describe, expect, it } from 'vitest';
import { ok, outcome, type Outcome } from '../contracts/outcome.js';
import type { InFlight, ReplicationTransport } from '../contracts/replication-transport.js';
import type { PromotionReadiness, ResourceAgent } from '../contracts/resource-agent.js';
import { InMemoryNodeMemory } from '../ports/node-memory.js';
import { SimulatedClock } from '../ports/simulated-clock.js';
import { MemoryCoordinationStore } from '../store/memory-store.js';
import { executorOnDb2 } from './executor.test-support.js';


/** Moves the store's epoch counter on until `node` holds the lease at `epoch`. */
async function leaseAt(store: MemoryCoordinationStore, node: string, epoch: number): Promise<void> {
  while ((await store.lastEpoch()) < epoch - 1) {
    const r = await store.acquireLease('(other)', 1000);
    if (r.acquired) await store.releaseLease('(other)', r.lease.epoch);
  }
  const r = await store.acquireLease(node, 60_000);
  if (!r.acquired || r.lease.epoch !== epoch) throw new Error(`leaseAt: got ${JSON.stringify(r)}`);
}

function setup(readiness: Outcome<PromotionReadiness>, inFlight: Outcome<InFlight> = ok('x', { from: { offset: 1, label: '0/1' }, to: { offset: 1, label: '0/1' }, location: '/m' }), transportReadiness?: Outcome) {
  const clock = new SimulatedClock();
  const store = new MemoryCoordinationStore({ clock });
  const memory = new InMemoryNodeMemory();
  const order: string[] = [];
  const db: ResourceAgent = {
    defaultTimeoutsMs: {},
    start: async () => (order.push('start db'), ok()),
    stop: async () => ok(),
    monitor: async () => ok('x', { role: 'replica' as const }),
    promote: async () => (order.push(`promote db (store: ${(await store.lastPrimary())?.epoch}, disk: ${memory.current().promotedEpoch})`), ok()),
    demote: async () => ok(),
    readiness: async () => readiness,
  };
  const mirror: ReplicationTransport = {
    defaultTimeoutMs: 1000,
    start: async () => ok(),
    stop: async () => ok(),
    status: async () => ok('x', { role: 'sink' as const }),
    inFlight: async () => inFlight,
    ...(transportReadiness === undefined ? {} : { readiness: async () => transportReadiness }),
  };
  const run = executorOnDb2({ clock, store, memory, db, mirror });
  return { store, memory, order, run };
}

describe('ActionExecutor: eligibility and the record of promotions', () => {
  it("a transport read only after a takeover answers with its readiness, not its inFlight (the VM lab's block mirror never stood)", async () => {
    const exported = outcome('failed', 'the WAL disk is still exported to the primary: run the takeover (after fencing) before reading it');
    const armed = setup(ok('standby', {}), exported, ok('the member is here; a takeover can read its WAL'));
    expect(await armed.run({ kind: 'check-eligibility', acceptStopped: false, readTransports: true, timeoutMs: 1000 })).toMatchObject({ code: 'ok', reason: 'could take over: db ready, mirror readable' });
    const gone = setup(ok('standby', {}), exported, outcome('failed', 'the WAL disk is neither exported nor taken over here'));
    expect(await gone.run({ kind: 'check-eligibility', acceptStopped: false, readTransports: true, timeoutMs: 1000 })).toMatchObject({
      code: 'failed',
      reason: 'cannot finish a promotion here: transport mirror unreadable: failed (the WAL disk is neither exported nor taken over here)',
    });
  });

  it('a standby that reports its position and a readable mirror is eligible, with that position', async () => {
    const { run } = setup(ok('standby', { position: { offset: 4096, label: '0/1000' } }));
    expect(await run({ kind: 'check-eligibility', acceptStopped: false, readTransports: true, timeoutMs: 1000 })).toMatchObject({ code: 'ok', data: { position: 4096 }, reason: 'could take over: db ready, mirror readable (at 0/1000)' });
  });

  it('a stopped database is refused unless asked as the last primary', async () => {
    const { run } = setup(outcome('not-running', 'PostgreSQL is stopped'));
    expect(await run({ kind: 'check-eligibility', acceptStopped: false, readTransports: true, timeoutMs: 1000 })).toMatchObject({ code: 'failed', reason: 'cannot finish a promotion here: db: not-running (PostgreSQL is stopped)' });
    expect(await run({ kind: 'check-eligibility', acceptStopped: true, readTransports: true, timeoutMs: 1000 })).toMatchObject({ code: 'ok' });
  });

  it('an unreadable mirror makes the node ineligible; a missing binary says it will not fix itself', async () => {
    const unreadable = setup(ok('standby', {}), outcome('failed', 'mirror dir gone'));
    expect(await unreadable.run({ kind: 'check-eligibility', acceptStopped: false, readTransports: true, timeoutMs: 1000 })).toMatchObject({ code: 'failed', reason: 'cannot finish a promotion here: transport mirror unreadable: failed (mirror dir gone)' });
    const missing = setup(outcome('not-installed', 'no pg_ctl'));
    expect(await missing.run({ kind: 'check-eligibility', acceptStopped: false, readTransports: true, timeoutMs: 1000 })).toMatchObject({ code: 'config-error' });
  });

  it("at the cluster's first election the mirror is not read: nothing was ever mirrored (it may not exist yet)", async () => {
    const { run } = setup(outcome('not-running', 'handed over stopped'), outcome('failed', 'pgmirror does not exist'));
    expect(await run({ kind: 'check-eligibility', acceptStopped: true, readTransports: false, timeoutMs: 1000 })).toMatchObject({ code: 'ok', reason: 'could take over: db stopped' });
  });

  it('promote records the node as last primary in the store, then on its disk, before any resource is promoted', async () => {
    const { store, memory, order, run } = setup(ok('standby', {}));
    await leaseAt(store, 'db2', 5);
    expect(await run({ kind: 'promote', epoch: 5, timeoutMs: 30_000 })).toMatchObject({ code: 'ok' });
    expect(order).toEqual(['start db', 'promote db (store: 5, disk: 5)']);
    expect(await store.lastPrimary()).toMatchObject({ node: 'db2', epoch: 5 });
    expect(memory.current().promotedEpoch).toBe(5);
  });

  it('a promotion the store already records at that epoch or later is refused before anything starts', async () => {
    const { store, memory, order, run } = setup(ok('standby', {}));
    await leaseAt(store, 'db1', 6);
    await store.recordPrimary({ node: 'db1', epoch: 6, atWallMs: 0 });
    expect(await run({ kind: 'promote', epoch: 5, timeoutMs: 30_000 })).toMatchObject({ code: 'failed', reason: 'not promoted: the store already records a promotion at epoch 5 or later' });
    expect(order).toEqual([]);
    expect(memory.current().promotedEpoch).toBe(0);
  });

  it("re-promoting under this node's own record at the same epoch goes ahead (lease lost locally, kept by the store, re-acquired)", async () => {
    // Campaign seed 816665698 (3 servers): s2's renewals went unanswered, it demoted, re-acquired epoch 1, and its promote
    // was refused by its own record; it stood down and another node took over for nothing.
    const { store, order, run } = setup(ok('standby', {}));
    await leaseAt(store, 'db2', 5);
    expect(await store.recordPrimary({ node: 'db2', epoch: 5, atWallMs: 0 })).toBe(true);
    expect(await run({ kind: 'promote', epoch: 5, timeoutMs: 30_000 })).toMatchObject({ code: 'ok' });
    expect(order).toEqual(['start db', 'promote db (store: 5, disk: 5)']);
    expect(await store.lastPrimary()).toEqual({ node: 'db2', epoch: 5, atWallMs: 0 });
    // Not once the lease is gone: the record alone is no licence to write at that epoch.
    await store.releaseLease('db2', 5);
    expect(await run({ kind: 'promote', epoch: 5, timeoutMs: 30_000 })).toMatchObject({ code: 'failed', reason: 'not promoted: the store already records a promotion at epoch 5 or later' });
  });

  it('a promotion whose lease the store no longer holds (restarted empty or replaced mid-failover) stops before anything starts', async () => {
    // Simulation seed 158: the store was swapped while db2 compensated; db2 went on to promote and
    // accept writes, recorded only in the swapped store, and the restored store named an older primary.
    const { store, memory, order, run } = setup(ok('standby', {}));
    expect(await run({ kind: 'promote', epoch: 5, timeoutMs: 30_000 })).toMatchObject({
      code: 'failed',
      reason: 'not promoted: db2 no longer holds the lease at epoch 5 in the store (it lapsed, or the store was restarted or replaced)',
    });
    expect(order).toEqual([]);
    expect(memory.current().promotedEpoch).toBe(0);
    expect(await store.lastPrimary()).toBeUndefined();
  });

  it('a completed rejoin and a switchover demotion mark the node a clean replica; a demotion for a lost lease does not', async () => {
    const { memory, run } = setup(ok('standby', {}));
    await memory.update({ promotedEpoch: 5 });
    await run({ kind: 'demote', reason: 'lease lost', epoch: 5, timeoutMs: 1000 });
    expect(memory.current().rejoinedEpoch).toBe(0);
    await run({ kind: 'demote', reason: 'switchover', epoch: 5, timeoutMs: 1000 });
    expect(memory.current().rejoinedEpoch).toBe(5);
    await run({ kind: 'rejoin', primary: 'db1', epoch: 7, requestId: undefined, timeoutMs: 1000 });
    expect(memory.current().rejoinedEpoch).toBe(7);
  });
});
