import { MemoryCoordinationStore, MemoryLogger, SimulatedClock, type AgentLoop } from '@tandem/core';
import { describe, expect, it } from 'vitest';
import { handOverOnStop } from './graceful-stop.js';

const timing = { probeIntervalMs: 1000, gatewayTimeoutMs: 4000, leaseTtlMs: 10_000, leaseRenewIntervalMs: 2000, fenceTimeoutMs: 5000, storeTimeoutMs: 1000, actionTimeoutMs: 30_000 };

/** A stopping primary at epoch 1 (only `status()` is read). */
const writingLoop = { status: () => ({ writing: true, epoch: 1 }) } as unknown as AgentLoop;

describe('handOverOnStop', () => {
  it("releases the lease with the executor's token, so the store hands it back; another token releases nothing", async () => {
    expect.hasAssertions();
    const clock = new SimulatedClock();
    const store = new MemoryCoordinationStore({ clock });
    await store.acquireLease('db1', 10_000, 'this-process');
    const parts = { loop: writingLoop, store, clock, logger: new MemoryLogger(), composition: { resources: [] }, timing, node: 'db1' };
    // A process that is not the holder (another token) cannot give the lease away.
    expect(await handOverOnStop({ ...parts, leaseToken: 'another-process' })).toBe('handed-over');
    expect(await store.readLease()).toMatchObject({ holder: 'db1', epoch: 1 });
    expect(await handOverOnStop({ ...parts, leaseToken: 'this-process' })).toBe('handed-over');
    expect(await store.readLease()).toBeUndefined();
    expect(await store.lastEpoch()).toBe(1);
  });
});
