import { describe, expect, it } from 'vitest';
import { ok } from '../contracts/outcome.js';
import type { ResourceAgent } from '../contracts/resource-agent.js';
import { InMemoryNodeMemory } from '../ports/node-memory.js';
import { SimulatedClock } from '../ports/simulated-clock.js';
import { MemoryCoordinationStore } from '../store/memory-store.js';
import { executorOnDb2 } from './executor.test-support.js';

// Issue 13, campaign seed 816665698 (3 servers): s3 promoted with `afterPromote: accept-writes`, acknowledged
// writes with its own copy, was powered off, and s1 promoted without them. The promotion now says so in the store.


function setup(soleCopyAfterPromote: boolean) {
  const clock = new SimulatedClock();
  const store = new MemoryCoordinationStore({ clock });
  const seen: string[] = [];
  const copies = { soleCopy: true };
  const db: ResourceAgent = {
    defaultTimeoutsMs: {},
    soleCopyAfterPromote,
    start: async () => ok(),
    stop: async () => ok(),
    monitor: async () => ok('x', { role: 'primary' as const, soleCopy: copies.soleCopy }),
    promote: async () => (seen.push(`promote with the store's mark ${String((await store.lastPrimary())?.soleCopy)}`), ok()),
    demote: async () => ok(),
  };
  const run = executorOnDb2({ clock, store, memory: new InMemoryNodeMemory(), db });
  return { store, seen, copies, run };
}

describe('ActionExecutor: a promotion that acknowledges with one copy', () => {
  it('is recorded as the sole copy before the resource is promoted, and the mark is cleared once a second copy is reported', async () => {
    const { store, seen, copies, run } = setup(true);
    await store.acquireLease('db2', 60_000);
    expect(await run({ kind: 'promote', epoch: 1, timeoutMs: 30_000 })).toMatchObject({ code: 'ok' });
    expect(seen).toEqual(['promote with the store\'s mark true']);
    // Still alone: the mark stays.
    expect(await run({ kind: 'monitor', epoch: 1, timeoutMs: 1000 })).toMatchObject({ code: 'ok', reason: '1 resource(s) running' });
    expect((await store.lastPrimary())?.soleCopy).toBe(true);
    copies.soleCopy = false;
    const cleared = await run({ kind: 'monitor', epoch: 1, timeoutMs: 1000 });
    expect(cleared?.reason).toBe('1 resource(s) running; acknowledged writes have a second copy: the store no longer records epoch 1 as the sole copy');
    expect(cleared?.data?.soleCopyCleared).toBe(true);
    expect(await store.lastPrimary()).toEqual({ node: 'db2', epoch: 1, atWallMs: expect.any(Number) as number });
    // Once cleared, the store is not written again at every monitor.
    expect((await run({ kind: 'monitor', epoch: 1, timeoutMs: 1000 }))?.reason).toBe('1 resource(s) running');
  });

  it('a clear the store refuses (the lease is gone) keeps the mark and says why', async () => {
    const { store, copies, run } = setup(true);
    await store.acquireLease('db2', 60_000);
    await run({ kind: 'promote', epoch: 1, timeoutMs: 30_000 });
    await store.releaseLease('db2', 1);
    copies.soleCopy = false;
    const refused = await run({ kind: 'monitor', epoch: 1, timeoutMs: 1000 });
    expect(refused?.reason).toContain('the store still records epoch 1 as the sole copy: the store refused it');
    expect(refused?.data?.soleCopyCleared).toBe(false);
    expect((await store.lastPrimary())?.soleCopy).toBe(true);
  });

  it('promoting again in the same term (lease re-acquired) puts the mark back first', async () => {
    const { store, seen, copies, run } = setup(true);
    await store.acquireLease('db2', 60_000);
    await run({ kind: 'promote', epoch: 1, timeoutMs: 30_000 });
    copies.soleCopy = false;
    await run({ kind: 'monitor', epoch: 1, timeoutMs: 1000 });
    expect((await store.lastPrimary())?.soleCopy).toBeUndefined();
    expect(await run({ kind: 'promote', epoch: 1, timeoutMs: 30_000 })).toMatchObject({ code: 'ok' });
    expect(seen).toEqual(['promote with the store\'s mark true', 'promote with the store\'s mark true']);
  });

  it('a group whose resources all wait for a standby records no mark', async () => {
    const { store, seen, run } = setup(false);
    await store.acquireLease('db2', 60_000);
    await run({ kind: 'promote', epoch: 1, timeoutMs: 30_000 });
    expect(seen).toEqual(['promote with the store\'s mark undefined']);
  });
});
