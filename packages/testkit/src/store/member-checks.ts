import { expect } from 'vitest';
import type { MemberRecord } from '@tandem/core';
import type { CheckSettings, StoreUnderTest } from './store-under-test.js';
import { elapse, lapseMarginMs } from './store-under-test.js';

const LONG_TTL_MS = 30_000;

function record(node: string, overrides: Partial<MemberRecord> = {}): MemberRecord {
  return { node, role: 'replica', epoch: 0, facts: { lagBytes: 0 }, updatedAtWallMs: 1_767_225_600_000, ...overrides };
}

export async function checkMembersSortedWithFacts(sut: StoreUnderTest): Promise<void> {
  const { store } = sut;
  expect(await store.members()).toEqual([]);
  await store.heartbeat(record('db3'), LONG_TTL_MS);
  await store.heartbeat(record('db1', { role: 'primary', epoch: 4, facts: { lsn: '0/3000060', healthy: true, note: null } }), LONG_TTL_MS);
  await store.heartbeat(record('db2'), LONG_TTL_MS);
  const members = await store.members();
  expect(members.map((m) => m.node)).toEqual(['db1', 'db2', 'db3']);
  expect(members[0]).toMatchObject({ role: 'primary', epoch: 4, facts: { lsn: '0/3000060', healthy: true, note: null } });
  for (const m of members) {
    expect(m.remainingMs).toBeGreaterThan(0);
    expect(m.remainingMs).toBeLessThanOrEqual(LONG_TTL_MS);
    expect(m.updatedAtWallMs).toBe(1_767_225_600_000);
  }
}

export async function checkHeartbeatReplacesRecord(sut: StoreUnderTest): Promise<void> {
  const { store } = sut;
  await store.heartbeat(record('db1', { facts: { lagBytes: 10, stale: true } }), LONG_TTL_MS);
  await store.heartbeat(record('db1', { role: 'candidate', facts: { lagBytes: 5 } }), LONG_TTL_MS);
  const members = await store.members();
  expect(members).toHaveLength(1);
  expect(members[0]).toMatchObject({ node: 'db1', role: 'candidate' });
  // The new record replaces the old one whole; facts are not merged.
  expect(members[0]?.facts).toEqual({ lagBytes: 5 });
}

export async function checkHeartbeatsLapse(sut: StoreUnderTest, settings: CheckSettings): Promise<void> {
  const { store } = sut;
  await store.heartbeat(record('short'), settings.ttlMs);
  await store.heartbeat(record('long'), LONG_TTL_MS);
  expect((await store.members()).map((m) => m.node)).toEqual(['long', 'short']);
  await elapse(sut, lapseMarginMs(sut, settings.ttlMs));
  expect((await store.members()).map((m) => m.node)).toEqual(['long']);
  // A member that heartbeats again is back.
  await store.heartbeat(record('short'), LONG_TTL_MS);
  expect((await store.members()).map((m) => m.node)).toEqual(['long', 'short']);
}
