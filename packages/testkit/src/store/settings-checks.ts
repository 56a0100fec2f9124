import { expect } from 'vitest';
import type { OperatorRequest } from '@tandem/core';
import type { StoreUnderTest } from './store-under-test.js';

const switchover: OperatorRequest = { id: 'req-1', kind: 'switchover', target: 'db2', from: 'db1', requestedAtWallMs: 1_767_225_600_000 };

export async function checkSettingsMerge(sut: StoreUnderTest): Promise<void> {
  const { store } = sut;
  expect(await store.readSettings()).toEqual({ maintenance: false });
  expect(await store.updateSettings({ maintenance: true })).toEqual({ maintenance: true });
  expect(await store.updateSettings({ request: switchover })).toEqual({ maintenance: true, request: switchover });
  // Keys left out of a patch are kept.
  expect(await store.updateSettings({ maintenance: false })).toEqual({ maintenance: false, request: switchover });
  expect(await store.readSettings()).toEqual({ maintenance: false, request: switchover });
  // `request: undefined` clears the request.
  expect(await store.updateSettings({ request: undefined })).toEqual({ maintenance: false });
  expect(await store.readSettings()).toEqual({ maintenance: false });
}

export async function checkCompleteRequestIsCompareAndSet(sut: StoreUnderTest): Promise<void> {
  const { store } = sut;
  expect(await store.completeRequest('req-1')).toBe(false);
  await store.updateSettings({ maintenance: true, request: switchover });
  expect(await store.completeRequest('req-other')).toBe(false);
  expect((await store.readSettings()).request).toEqual(switchover);
  expect(await store.completeRequest('req-1')).toBe(true);
  expect(await store.readSettings()).toEqual({ maintenance: true });
  expect(await store.completeRequest('req-1')).toBe(false);
}

/** Two agents completing the same request at once: only one is told it did. */
export async function checkCompleteRequestRace(sut: StoreUnderTest): Promise<void> {
  const other = await sut.connect();
  try {
    await sut.store.updateSettings({ request: { ...switchover, id: 'req-race' } });
    const results = await Promise.all([sut.store.completeRequest('req-race'), other.completeRequest('req-race')]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await other.readSettings()).toEqual({ maintenance: false });
  } finally {
    if (other !== sut.store) await other.close();
  }
}
