import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../ports/coordination-store.js';
import { SimulatedClock } from '../ports/simulated-clock.js';
import { MemoryCoordinationStore } from './memory-store.js';

// The shared conformance suite runs against this store in packages/testkit/src/store; these are the memory-only parts.
describe('MemoryCoordinationStore', () => {
  it('judges expiry on monotonic time, not wall time', async () => {
    expect.hasAssertions();
    const clock = new SimulatedClock();
    const store = new MemoryCoordinationStore({ clock });
    await store.acquireLease('a', 1000);
    clock.jumpWall(3_600_000);
    expect(await store.readLease()).toEqual({ holder: 'a', epoch: 1, remainingMs: 1000 });
    await clock.advance(999);
    expect((await store.readLease())?.remainingMs).toBe(1);
    await clock.advance(1);
    expect(await store.readLease()).toBeUndefined();
  });

  it('hands out copies: mutating a result does not change the store', async () => {
    expect.hasAssertions();
    const store = new MemoryCoordinationStore({ clock: new SimulatedClock() });
    await store.heartbeat({ node: 'db1', role: 'replica', epoch: 0, facts: { lag: 1 }, updatedAtWallMs: 0 }, 1000);
    const [member] = await store.members();
    (member?.facts as Record<string, number>).lag = 99;
    const event = await store.appendEvent({ atWallMs: 0, node: 'db1', type: 't', message: 'm', data: { x: 1 } });
    (event.data as Record<string, number>).x = 2;
    expect((await store.members())[0]?.facts).toEqual({ lag: 1 });
    expect((await store.readEvents())[0]?.data).toEqual({ x: 1 });
  });

  it('rejects with StoreUnavailableError once closed', async () => {
    expect.hasAssertions();
    const store = new MemoryCoordinationStore({ clock: new SimulatedClock() });
    await store.close();
    await expect(store.acquireLease('a', 1000)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.readEvents()).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('refuses a ttl that is not a positive integer and a bound below 1', async () => {
    expect.hasAssertions();
    const store = new MemoryCoordinationStore({ clock: new SimulatedClock() });
    await expect(store.acquireLease('a', 0)).rejects.toBeInstanceOf(RangeError);
    await expect(store.heartbeat({ node: 'a', role: 'unknown', epoch: 0, facts: {}, updatedAtWallMs: 0 }, -5)).rejects.toBeInstanceOf(RangeError);
    expect(() => new MemoryCoordinationStore({ clock: new SimulatedClock(), eventsMax: 0 })).toThrow(RangeError);
    expect(await store.lastEpoch()).toBe(0);
  });

  it('caps a page at the read limit', async () => {
    expect.hasAssertions();
    const store = new MemoryCoordinationStore({ clock: new SimulatedClock(), eventsMax: 5000 });
    for (let i = 0; i < 1500; i++) await store.appendEvent({ atWallMs: i, node: 'n', type: 't', message: String(i) });
    expect(await store.readEvents({ limit: 5000 })).toHaveLength(1000);
    expect(await store.readEvents()).toHaveLength(100);
    expect(await store.readEvents({ limit: 0 })).toHaveLength(1);
  });
});
