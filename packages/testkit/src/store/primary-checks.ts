import { expect } from 'vitest';
import type { PrimaryRecord } from '@tandem/core';
import type { CheckSettings, StoreUnderTest } from './store-under-test.js';

const T0_MS = 1_767_225_600_000;

function primary(node: string, epoch: number, atWallMs = T0_MS + epoch): PrimaryRecord {
  return { node, epoch, atWallMs };
}

export async function checkNoPrimaryBeforeFirstRecord(sut: StoreUnderTest): Promise<void> {
  const other = await sut.connect();
  try {
    expect(await sut.store.lastPrimary()).toBeUndefined();
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
  expect(await store.recordPrimary(primary('db1', 3))).toBe(true);
  expect(await store.recordPrimary(primary('db2', 5))).toBe(true);
  expect(await store.lastPrimary()).toEqual(primary('db2', 5));
  // The same node promoted again later is a new record too.
  expect(await store.recordPrimary(primary('db2', 6, T0_MS + 600))).toBe(true);
  expect(await store.lastPrimary()).toEqual(primary('db2', 6, T0_MS + 600));
}

export async function checkSameOrLowerEpochPrimaryRefused(sut: StoreUnderTest): Promise<void> {
  const { store } = sut;
  const first = primary('db1', 5);
  expect(await store.recordPrimary(first)).toBe(true);
  expect(await store.recordPrimary(primary('db2', 5, T0_MS + 999))).toBe(false);
  expect(await store.recordPrimary(primary('db2', 4))).toBe(false);
  expect(await store.recordPrimary(primary('db2', 0))).toBe(false);
  // Not even the recorded node itself rewrites its epoch (a new atWallMs would misdate the promotion).
  expect(await store.recordPrimary(primary('db1', 5, T0_MS + 999))).toBe(false);
  expect(await store.lastPrimary()).toEqual(first);
}

/** N clients on separate connections record a promotion at the same epoch: exactly one is told it did, and it is the one stored. */
export async function checkConcurrentRecordPrimaryOneWinner(sut: StoreUnderTest, settings: CheckSettings): Promise<void> {
  const clients = await Promise.all(Array.from({ length: Math.max(2, settings.racers) }, () => sut.connect()));
  try {
    for (let epoch = 1; epoch <= 3; epoch++) {
      const results = await Promise.all(clients.map((c, i) => c.recordPrimary(primary(`racer-${i}`, epoch))));
      const winners = results.flatMap((written, i) => (written ? [`racer-${i}`] : []));
      expect(winners).toHaveLength(1);
      expect(await sut.store.lastPrimary()).toEqual(primary(winners[0] ?? '', epoch));
    }
  } finally {
    await Promise.all(clients.filter((c) => c !== sut.store).map((c) => c.close()));
  }
}
