import { expect } from 'vitest';
import type { CoordinationStore, PrimaryRecord } from '@tandem/core';
import type { CheckSettings, StoreUnderTest } from './store-under-test.js';

const T0_MS = 1_767_225_600_000;
const HOLD_MS = 60_000;

function primary(node: string, epoch: number, atWallMs = T0_MS + epoch): PrimaryRecord {
  return { node, epoch, atWallMs };
}

/** Moves the epoch counter on until `node` holds the lease at exactly `epoch` (a promotion is only recorded under its lease). */
async function holdLeaseAt(store: CoordinationStore, node: string, epoch: number): Promise<void> {
  const current = await store.readLease();
  if (current !== undefined) await store.releaseLease(current.holder, current.epoch);
  while ((await store.lastEpoch()) < epoch - 1) {
    const r = await store.acquireLease('(epoch-mover)', HOLD_MS);
    if (!r.acquired) throw new Error(`holdLeaseAt: the lease is held by ${r.current?.holder ?? 'nobody'}`);
    await store.releaseLease('(epoch-mover)', r.lease.epoch);
  }
  const r = await store.acquireLease(node, HOLD_MS);
  expect(r.acquired && r.lease.epoch).toBe(epoch);
}

export async function checkNoPrimaryBeforeFirstRecord(sut: StoreUnderTest): Promise<void> {
  const other = await sut.connect();
  try {
    expect(await sut.store.lastPrimary()).toBeUndefined();
    await holdLeaseAt(sut.store, 'db1', 1);
    expect(await sut.store.recordPrimary(primary('db1', 1))).toBe(true);
    expect(await sut.store.lastPrimary()).toEqual(primary('db1', 1));
    // Shared state, not a per-client cache: another client reads the same record.
    expect(await other.lastPrimary()).toEqual(primary('db1', 1));
  } finally {
    if (other !== sut.store) await other.close();
  }
}

export async function checkHigherEpochPrimaryReplaces(sut: StoreUnderTest): Promise<void> {
  const { store } = sut;
  await holdLeaseAt(store, 'db1', 3);
  expect(await store.recordPrimary(primary('db1', 3))).toBe(true);
  await holdLeaseAt(store, 'db2', 5);
  expect(await store.recordPrimary(primary('db2', 5))).toBe(true);
  expect(await store.lastPrimary()).toEqual(primary('db2', 5));
  // The same node promoted again later is a new record too.
  await holdLeaseAt(store, 'db2', 6);
  expect(await store.recordPrimary(primary('db2', 6, T0_MS + 600))).toBe(true);
  expect(await store.lastPrimary()).toEqual(primary('db2', 6, T0_MS + 600));
}

export async function checkSameOrLowerEpochPrimaryRefused(sut: StoreUnderTest): Promise<void> {
  const { store } = sut;
  const first = primary('db1', 5);
  await holdLeaseAt(store, 'db1', 5);
  expect(await store.recordPrimary(first)).toBe(true);
  expect(await store.recordPrimary(primary('db2', 5, T0_MS + 999))).toBe(false);
  expect(await store.recordPrimary(primary('db2', 4))).toBe(false);
  expect(await store.recordPrimary(primary('db2', 0))).toBe(false);
  // Not even the recorded node itself rewrites its epoch (a new atWallMs would misdate the promotion).
  expect(await store.recordPrimary(primary('db1', 5, T0_MS + 999))).toBe(false);
  expect(await store.lastPrimary()).toEqual(first);
}

/**
 * N clients on separate connections record the lease holder's promotion at
 * its epoch, each with its own timestamp (a retried call, or two agents
 * sharing a name): exactly one is told it did, and its record is the one stored.
 */
export async function checkConcurrentRecordPrimaryOneWinner(sut: StoreUnderTest, settings: CheckSettings): Promise<void> {
  const clients = await Promise.all(Array.from({ length: Math.max(2, settings.racers) }, () => sut.connect()));
  try {
    for (let epoch = 1; epoch <= 3; epoch++) {
      await holdLeaseAt(sut.store, 'racer', epoch);
      const results = await Promise.all(clients.map((c, i) => c.recordPrimary(primary('racer', epoch, T0_MS + 1000 * epoch + i))));
      const winners = results.flatMap((written, i) => (written ? [i] : []));
      expect(winners).toHaveLength(1);
      expect(await sut.store.lastPrimary()).toEqual(primary('racer', epoch, T0_MS + 1000 * epoch + (winners[0] ?? -1)));
    }
  } finally {
    await Promise.all(clients.filter((c) => c !== sut.store).map((c) => c.close()));
  }
}

/** The lease is the fencing token of a promotion: without holding it at that epoch, nothing is recorded. */
export async function checkRecordPrimaryNeedsTheLease(sut: StoreUnderTest): Promise<void> {
  const { store } = sut;
  // No lease at all: a store restarted empty, or another cluster's.
  expect(await store.recordPrimary(primary('db1', 1))).toBe(false);
  await holdLeaseAt(store, 'db1', 1);
  await store.releaseLease('db1', 1);
  // Released (or lapsed) before the record was written.
  expect(await store.recordPrimary(primary('db1', 1))).toBe(false);
  await holdLeaseAt(store, 'db2', 2);
  // Someone else's lease, or the holder at another epoch.
  expect(await store.recordPrimary(primary('db1', 2))).toBe(false);
  expect(await store.recordPrimary(primary('db2', 3))).toBe(false);
  expect(await store.lastPrimary()).toBeUndefined();
  expect(await store.recordPrimary(primary('db2', 2))).toBe(true);
  expect(await store.lastPrimary()).toEqual(primary('db2', 2));
}

/**
 * A promotion recorded as the sole copy keeps the flag on every read (another
 * client too) until its own holder, at its epoch, marks it otherwise; a
 * later promotion's record starts from what its own call says.
 */
export async function checkSoleCopyMarkedOnlyByItsHolder(sut: StoreUnderTest): Promise<void> {
  const { store } = sut;
  const other = await sut.connect();
  try {
    await holdLeaseAt(store, 'db1', 1);
    const alone = { ...primary('db1', 1), soleCopy: true };
    expect(await store.recordPrimary(alone)).toBe(true);
    expect(await other.lastPrimary()).toEqual(alone);
    // Not by another node, nor at another epoch.
    expect(await store.markSoleCopy('db2', 1, false)).toBe(false);
    expect(await store.markSoleCopy('db1', 2, false)).toBe(false);
    expect(await other.lastPrimary()).toEqual(alone);
    expect(await store.markSoleCopy('db1', 1, false)).toBe(true);
    expect(await other.lastPrimary()).toEqual(primary('db1', 1));
    // Cleared already: still true, nothing changes.
    expect(await store.markSoleCopy('db1', 1, false)).toBe(true);
    // And set again by its holder (a promotion again in the same term), then cleared.
    expect(await store.markSoleCopy('db1', 1, true)).toBe(true);
    expect(await other.lastPrimary()).toEqual(alone);
    expect(await store.markSoleCopy('db1', 1, false)).toBe(true);
    // Not after the lease is gone (the holder lost its term).
    await holdLeaseAt(store, 'db2', 2);
    expect(await store.recordPrimary({ ...primary('db2', 2), soleCopy: true })).toBe(true);
    await store.releaseLease('db2', 2);
    expect(await store.markSoleCopy('db2', 2, false)).toBe(false);
    expect(await other.lastPrimary()).toEqual({ ...primary('db2', 2), soleCopy: true });
    // Nor for a record of an older promotion than the lease's.
    await holdLeaseAt(store, 'db2', 3);
    expect(await store.markSoleCopy('db2', 3, false)).toBe(false);
    expect(await other.lastPrimary()).toEqual({ ...primary('db2', 2), soleCopy: true });
  } finally {
    if (other !== sut.store) await other.close();
  }
}
