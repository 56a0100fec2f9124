import { expect } from 'vitest';
import type { CheckSettings, StoreUnderTest } from './store-under-test.js';
import { elapse, lapseMarginMs } from './store-under-test.js';

const LONG_TTL_MS = 30_000;

export async function checkAcquireOnEmpty(sut: StoreUnderTest): Promise<void> {
  const { store } = sut;
  expect(await store.lastEpoch()).toBe(0);
  expect(await store.readLease()).toBeUndefined();
  const result = await store.acquireLease('a', LONG_TTL_MS);
  expect(result.acquired).toBe(true);
  if (!result.acquired) return;
  expect(result.lease.holder).toBe('a');
  expect(result.lease.epoch).toBe(1);
  expect(result.lease.remainingMs).toBeGreaterThan(0);
  expect(result.lease.remainingMs).toBeLessThanOrEqual(LONG_TTL_MS);
  expect(await store.lastEpoch()).toBe(1);
  expect(await store.readLease()).toMatchObject({ holder: 'a', epoch: 1 });
}

export async function checkSecondNodeCannotAcquire(sut: StoreUnderTest): Promise<void> {
  const { store } = sut;
  await store.acquireLease('a', LONG_TTL_MS);
  const result = await store.acquireLease('b', LONG_TTL_MS);
  expect(result.acquired).toBe(false);
  if (result.acquired) return;
  expect(result.current).toMatchObject({ holder: 'a', epoch: 1 });
  // Another node is not "another process of the same node".
  expect(result.heldByOtherProcess).toBeUndefined();
  expect(await store.lastEpoch()).toBe(1);
}

export async function checkHolderReacquireRenews(sut: StoreUnderTest, settings: CheckSettings): Promise<void> {
  const { store } = sut;
  // The holder is node and process: the same token both times.
  await store.acquireLease('a', settings.ttlMs, 'process-1');
  await elapse(sut, Math.floor(settings.ttlMs / 2));
  const again = await store.acquireLease('a', LONG_TTL_MS, 'process-1');
  expect(again).toMatchObject({ acquired: true, lease: { holder: 'a', epoch: 1 } });
  if (!again.acquired) return;
  expect(again.lease.remainingMs).toBeGreaterThan(settings.ttlMs);
  // The renewal outlives the first ttl.
  await elapse(sut, lapseMarginMs(sut, settings.ttlMs));
  expect(await store.readLease()).toMatchObject({ holder: 'a', epoch: 1 });
  expect(await store.lastEpoch()).toBe(1);
}

/**
 * Two processes using one node name (an agent restarted while its lease
 * lives, a second cluster's agent configured with the same name): the one
 * whose token the lease is not under can neither take it, nor renew it, nor
 * release it, on another client of the store; once the holder releases, it
 * acquires with the next epoch, and then the first is the other process.
 */
export async function checkOtherProcessSameNodeCannotTakeLease(sut: StoreUnderTest): Promise<void> {
  const first = sut.store;
  const second = await sut.connect();
  try {
    expect(await first.acquireLease('a', LONG_TTL_MS, 'process-1')).toMatchObject({ acquired: true, lease: { holder: 'a', epoch: 1 } });
    const taken = await second.acquireLease('a', LONG_TTL_MS, 'process-2');
    expect(taken).toMatchObject({ acquired: false, current: { holder: 'a', epoch: 1 }, heldByOtherProcess: true });
    // A caller that gives no token is another process too.
    expect(await second.acquireLease('a', LONG_TTL_MS)).toMatchObject({ acquired: false, current: { holder: 'a', epoch: 1 }, heldByOtherProcess: true });
    expect(await second.renewLease('a', 1, LONG_TTL_MS, 'process-2')).toMatchObject({ acquired: false, current: { holder: 'a', epoch: 1 } });
    expect(await second.releaseLease('a', 1, 'process-2')).toBe(false);
    expect(await second.releaseLease('a', 1)).toBe(false);
    expect(await first.readLease()).toMatchObject({ holder: 'a', epoch: 1 });
    expect(await first.lastEpoch()).toBe(1);
    // The holder's own calls still work.
    expect(await first.renewLease('a', 1, LONG_TTL_MS, 'process-1')).toMatchObject({ acquired: true, lease: { holder: 'a', epoch: 1 } });
    expect(await first.releaseLease('a', 1, 'process-1')).toBe(true);
    expect(await second.acquireLease('a', LONG_TTL_MS, 'process-2')).toMatchObject({ acquired: true, lease: { holder: 'a', epoch: 2 } });
    expect(await first.acquireLease('a', LONG_TTL_MS, 'process-1')).toMatchObject({ acquired: false, current: { holder: 'a', epoch: 2 }, heldByOtherProcess: true });
    expect(await first.renewLease('a', 2, LONG_TTL_MS, 'process-1')).toMatchObject({ acquired: false });
    expect(await first.lastEpoch()).toBe(2);
  } finally {
    if (second !== sut.store) await second.close();
  }
}

export async function checkRenewNeedsHolderAndEpoch(sut: StoreUnderTest): Promise<void> {
  const { store } = sut;
  await store.acquireLease('a', LONG_TTL_MS);
  const wrongHolder = await store.renewLease('b', 1, LONG_TTL_MS);
  expect(wrongHolder).toMatchObject({ acquired: false, current: { holder: 'a', epoch: 1 } });
  const wrongEpoch = await store.renewLease('a', 2, LONG_TTL_MS);
  expect(wrongEpoch.acquired).toBe(false);
  const right = await store.renewLease('a', 1, LONG_TTL_MS);
  expect(right).toMatchObject({ acquired: true, lease: { holder: 'a', epoch: 1 } });
  expect(await store.lastEpoch()).toBe(1);
}

export async function checkRenewOnEmptyFails(sut: StoreUnderTest): Promise<void> {
  const result = await sut.store.renewLease('a', 1, LONG_TTL_MS);
  expect(result).toEqual({ acquired: false, current: undefined });
  expect(await sut.store.readLease()).toBeUndefined();
  expect(await sut.store.lastEpoch()).toBe(0);
}

export async function checkExpiryGivesNextEpoch(sut: StoreUnderTest, settings: CheckSettings): Promise<void> {
  const { store } = sut;
  await store.acquireLease('a', settings.ttlMs);
  await elapse(sut, lapseMarginMs(sut, settings.ttlMs));
  expect(await store.readLease()).toBeUndefined();
  const renewLate = await store.renewLease('a', 1, LONG_TTL_MS);
  expect(renewLate.acquired).toBe(false);
  const taken = await store.acquireLease('b', LONG_TTL_MS);
  expect(taken).toMatchObject({ acquired: true, lease: { holder: 'b', epoch: 2 } });
  // The old holder coming back does not get its old epoch back, nor the lease.
  expect((await store.acquireLease('a', LONG_TTL_MS)).acquired).toBe(false);
  expect(await store.lastEpoch()).toBe(2);
}

export async function checkReleaseKeepsEpochCounter(sut: StoreUnderTest): Promise<void> {
  const { store } = sut;
  await store.acquireLease('a', LONG_TTL_MS);
  expect(await store.releaseLease('a', 1)).toBe(true);
  expect(await store.readLease()).toBeUndefined();
  expect(await store.releaseLease('a', 1)).toBe(false);
  expect(await store.lastEpoch()).toBe(1);
  // The same node taking it again gets a new epoch: epochs are never reused.
  expect(await store.acquireLease('a', LONG_TTL_MS)).toMatchObject({ acquired: true, lease: { epoch: 2 } });
  expect(await store.releaseLease('a', 2)).toBe(true);
  expect(await store.acquireLease('b', LONG_TTL_MS)).toMatchObject({ acquired: true, lease: { holder: 'b', epoch: 3 } });
}

export async function checkReleaseByNonHolderFails(sut: StoreUnderTest): Promise<void> {
  const { store } = sut;
  expect(await store.releaseLease('a', 1)).toBe(false);
  await store.acquireLease('a', LONG_TTL_MS);
  expect(await store.releaseLease('b', 1)).toBe(false);
  expect(await store.releaseLease('a', 7)).toBe(false);
  expect(await store.readLease()).toMatchObject({ holder: 'a', epoch: 1 });
}

export async function checkEpochsStrictlyIncrease(sut: StoreUnderTest): Promise<void> {
  const { store } = sut;
  const epochs: number[] = [];
  for (let round = 0; round < 10; round++) {
    const node = `n${round % 3}`;
    const result = await store.acquireLease(node, LONG_TTL_MS);
    expect(result.acquired).toBe(true);
    if (!result.acquired) return;
    epochs.push(result.lease.epoch);
    expect(await store.releaseLease(node, result.lease.epoch)).toBe(true);
  }
  expect(epochs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect(await store.lastEpoch()).toBe(10);
}

/** N clients on separate connections race for a free lease: exactly one wins, all losers see the winner. */
export async function checkConcurrentAcquireOneWinner(sut: StoreUnderTest, settings: CheckSettings): Promise<void> {
  const clients = await Promise.all(Array.from({ length: settings.racers }, () => sut.connect()));
  try {
    for (let round = 1; round <= 3; round++) {
      const results = await Promise.all(clients.map((c, i) => c.acquireLease(`racer-${i}`, LONG_TTL_MS)));
      const winners = results.flatMap((r) => (r.acquired ? [r.lease] : []));
      expect(winners).toHaveLength(1);
      const winner = winners[0];
      if (winner === undefined) return;
      expect(winner.epoch).toBe(round);
      for (const r of results) {
        if (!r.acquired) expect(r.current).toMatchObject({ holder: winner.holder, epoch: round });
      }
      expect(await sut.store.releaseLease(winner.holder, winner.epoch)).toBe(true);
    }
  } finally {
    await Promise.all(clients.filter((c) => c !== sut.store).map((c) => c.close()));
  }
}
