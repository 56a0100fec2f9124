import { expect } from 'vitest';
import { EVENTS_READ_LIMIT_MAX, type CoordinationStore, type StoredEvent } from '@tandem/core';
import type { CheckSettings, StoreUnderTest } from './store-under-test.js';

const T0_MS = 1_767_225_600_000;

async function appendNumbered(store: CoordinationStore, count: number): Promise<StoredEvent[]> {
  const stored: StoredEvent[] = [];
  for (let i = 1; i <= count; i++) {
    stored.push(await store.appendEvent({ atWallMs: T0_MS + i, node: 'db1', type: 'test', message: `event ${i}`, data: { i, nested: { ok: true } } }));
  }
  return stored;
}

async function readAll(store: CoordinationStore): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  let after: string | undefined;
  // Bounded: a store that keeps returning pages would otherwise loop forever.
  for (let page = 0; page < 1000; page++) {
    const batch = await store.readEvents(after === undefined ? { limit: EVENTS_READ_LIMIT_MAX } : { after, limit: EVENTS_READ_LIMIT_MAX });
    if (batch.length === 0) return all;
    all.push(...batch);
    after = batch[batch.length - 1]?.id;
  }
  throw new Error('readEvents never returned an empty page');
}

export async function checkEventsOrderedAndPaged(sut: StoreUnderTest): Promise<void> {
  const { store } = sut;
  expect(await store.readEvents()).toEqual([]);
  const stored = await appendNumbered(store, 5);
  expect(new Set(stored.map((e) => e.id)).size).toBe(5);
  expect(stored[0]).toEqual({ id: stored[0]?.id, atWallMs: T0_MS + 1, node: 'db1', type: 'test', message: 'event 1', data: { i: 1, nested: { ok: true } } });
  const all = await store.readEvents();
  expect(all).toEqual(stored);
  const page = await store.readEvents({ after: stored[1]?.id, limit: 2 });
  expect(page.map((e) => e.message)).toEqual(['event 3', 'event 4']);
  const rest = await store.readEvents({ after: page[1]?.id });
  expect(rest.map((e) => e.message)).toEqual(['event 5']);
  expect(await store.readEvents({ after: stored[4]?.id })).toEqual([]);
  // An event without data reads back without data.
  const bare = await store.appendEvent({ atWallMs: T0_MS, node: 'db2', type: 'bare', message: 'no data' });
  const [readBack] = await store.readEvents({ after: stored[4]?.id });
  expect(readBack).toEqual(bare);
  expect(readBack?.data).toBeUndefined();
}

export async function checkEventsBounded(sut: StoreUnderTest, settings: CheckSettings): Promise<void> {
  const { store } = sut;
  const extra = 7;
  const stored = await appendNumbered(store, settings.eventsMax + extra);
  const kept = await readAll(store);
  expect(kept).toHaveLength(settings.eventsMax);
  expect(kept[0]?.message).toBe(`event ${extra + 1}`);
  expect(kept[kept.length - 1]).toEqual(stored[stored.length - 1]);
  // Reading from an id that has been dropped continues with what is left after it.
  const fromDropped = await store.readEvents({ after: stored[0]?.id, limit: 3 });
  expect(fromDropped.map((e) => e.message)).toEqual([`event ${extra + 1}`, `event ${extra + 2}`, `event ${extra + 3}`]);
}
