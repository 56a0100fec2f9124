import { MemoryCoordinationStore, SimulatedClock, type LeaseResult, type NewEvent, type PrimaryRecord, type StoredEvent } from '@tandem/core';
import { describe, expect, it } from 'vitest';
import { checkEventsBounded } from './event-checks.js';
import {
  checkConcurrentAcquireOneWinner,
  checkHolderReacquireRenews,
  checkOtherProcessSameNodeCannotTakeLease,
  checkReleaseKeepsEpochCounter,
  checkSecondNodeCannotAcquire,
} from './lease-checks.js';
import { checkConcurrentRecordPrimaryOneWinner, checkRecordPrimaryNeedsTheLease, checkSameOrLowerEpochPrimaryRefused } from './primary-checks.js';
import { DEFAULT_CHECK_SETTINGS, type StoreUnderTest } from './store-under-test.js';

// The suite is only worth something if it fails on broken stores; each store below has one planted bug.

class EpochResettingStore extends MemoryCoordinationStore {
  override async releaseLease(node: string, epoch: number): Promise<boolean> {
    const released = await super.releaseLease(node, epoch);
    // Bug: forgets the counter on release, so the next holder reuses an epoch.
    if (released) (this as unknown as { highestEpoch: number }).highestEpoch = 0;
    return released;
  }
}

class StealingStore extends MemoryCoordinationStore {
  override async acquireLease(node: string, ttlMs: number): Promise<LeaseResult> {
    // Bug: no compare-and-set; whoever asks gets the lease.
    await this.releaseLease((await this.readLease())?.holder ?? '', (await this.readLease())?.epoch ?? 0);
    return super.acquireLease(node, ttlMs);
  }
}

class TokenBlindStore extends MemoryCoordinationStore {
  // Bug: the holder is the node name alone; any process using that name re-acquires, renews or releases the lease.
  override async acquireLease(node: string, ttlMs: number): Promise<LeaseResult> {
    return super.acquireLease(node, ttlMs, '');
  }
  override async renewLease(node: string, epoch: number, ttlMs: number): Promise<LeaseResult> {
    return super.renewLease(node, epoch, ttlMs, '');
  }
  override async releaseLease(node: string, epoch: number): Promise<boolean> {
    return super.releaseLease(node, epoch, '');
  }
}

class CheckThenActStore extends MemoryCoordinationStore {
  override async acquireLease(node: string, ttlMs: number): Promise<LeaseResult> {
    // Bug: reads, yields, then writes; racers all see a free lease and all "win".
    const current = await this.readLease();
    if (current !== undefined && current.holder !== node) return { acquired: false, current };
    await new Promise((resolve) => setImmediate(resolve));
    const held = await this.readLease();
    if (held !== undefined) await this.releaseLease(held.holder, held.epoch);
    return super.acquireLease(node, ttlMs);
  }
}

/** Keeps its own primary record, so the planted bugs below do not depend on the memory store's private fields. */
class OwnPrimaryStore extends MemoryCoordinationStore {
  protected held: PrimaryRecord | undefined;
  override async lastPrimary(): Promise<PrimaryRecord | undefined> {
    return this.held === undefined ? undefined : { ...this.held };
  }
}

class EpochBlindPrimaryStore extends OwnPrimaryStore {
  override async recordPrimary(record: PrimaryRecord): Promise<boolean> {
    // Bug: ignores the epoch; every promotion overwrites the last, even an older one.
    this.held = { ...record };
    return true;
  }
}

class LeaseBlindPrimaryStore extends OwnPrimaryStore {
  override async recordPrimary(record: PrimaryRecord): Promise<boolean> {
    // Bug: the epoch compare-and-set without the lease; a store that came back empty records anyone's promotion.
    if (this.held !== undefined && this.held.epoch >= record.epoch) return false;
    this.held = { ...record };
    return true;
  }
}

class CheckThenActPrimaryStore extends OwnPrimaryStore {
  override async recordPrimary(record: PrimaryRecord): Promise<boolean> {
    // Bug: reads, yields, then writes; two candidates at one epoch both see no record there and both "win".
    const current = await this.lastPrimary();
    if (current !== undefined && current.epoch >= record.epoch) return false;
    await new Promise((resolve) => setImmediate(resolve));
    this.held = { ...record };
    return true;
  }
}

class UnboundedStore extends MemoryCoordinationStore {
  private readonly all: StoredEvent[] = [];
  override async appendEvent(event: NewEvent): Promise<StoredEvent> {
    const stored = { ...event, id: String(this.all.length + 1) };
    this.all.push(stored);
    return stored;
  }
  override async readEvents(options: { after?: string; limit?: number } = {}): Promise<readonly StoredEvent[]> {
    return this.all.filter((e) => Number(e.id) > Number(options.after ?? 0)).slice(0, options.limit ?? 100);
  }
}

function sut(store: MemoryCoordinationStore, clock: SimulatedClock): StoreUnderTest {
  return { store, connect: async () => store, cleanup: async () => undefined, advanceMs: (ms) => clock.advance(ms) };
}

describe('store checks catch planted bugs', () => {
  it('an epoch reused after release fails checkReleaseKeepsEpochCounter', async () => {
    expect.hasAssertions();
    const clock = new SimulatedClock();
    await expect(checkReleaseKeepsEpochCounter(sut(new EpochResettingStore({ clock }), clock))).rejects.toThrow();
  });

  it('a lease taken from its holder, or granted by check-then-act, fails the held-lease and race checks', async () => {
    expect.hasAssertions();
    const clock = new SimulatedClock();
    await expect(checkSecondNodeCannotAcquire(sut(new StealingStore({ clock }), clock))).rejects.toThrow();
    await expect(checkConcurrentAcquireOneWinner(sut(new CheckThenActStore({ clock }), clock), DEFAULT_CHECK_SETTINGS)).rejects.toThrow();
  });

  it('a lease that names its holder by node name only passes the one-process checks but fails checkOtherProcessSameNodeCannotTakeLease', async () => {
    expect.hasAssertions();
    const clock = new SimulatedClock();
    await expect(checkOtherProcessSameNodeCannotTakeLease(sut(new TokenBlindStore({ clock }), clock))).rejects.toThrow();
    // The planted bug is invisible to the checks that use one process per node name: the new check is what catches it.
    await expect(checkHolderReacquireRenews(sut(new TokenBlindStore({ clock }), clock), DEFAULT_CHECK_SETTINGS)).resolves.toBeUndefined();
    await expect(checkSecondNodeCannotAcquire(sut(new TokenBlindStore({ clock }), clock))).resolves.toBeUndefined();
  });

  it('a recordPrimary that ignores the epoch, or checks then acts, fails the refusal and race checks', async () => {
    expect.hasAssertions();
    const clock = new SimulatedClock();
    await expect(checkSameOrLowerEpochPrimaryRefused(sut(new EpochBlindPrimaryStore({ clock }), clock))).rejects.toThrow();
    await expect(checkConcurrentRecordPrimaryOneWinner(sut(new EpochBlindPrimaryStore({ clock }), clock), DEFAULT_CHECK_SETTINGS)).rejects.toThrow();
    await expect(checkConcurrentRecordPrimaryOneWinner(sut(new CheckThenActPrimaryStore({ clock }), clock), DEFAULT_CHECK_SETTINGS)).rejects.toThrow();
  });

  it('a recordPrimary that does not ask for the lease fails checkRecordPrimaryNeedsTheLease', async () => {
    expect.hasAssertions();
    const clock = new SimulatedClock();
    await expect(checkRecordPrimaryNeedsTheLease(sut(new LeaseBlindPrimaryStore({ clock }), clock))).rejects.toThrow();
  });

  it('an unbounded history fails checkEventsBounded', async () => {
    expect.hasAssertions();
    const clock = new SimulatedClock();
    await expect(checkEventsBounded(sut(new UnboundedStore({ clock }), clock), DEFAULT_CHECK_SETTINGS)).rejects.toThrow();
  });
});
