import { expect } from 'vitest';
import { EVENT_DATA_BYTES_MAX, EVENT_MESSAGE_BYTES_MAX, MEMBER_RECORD_BYTES_MAX, type MemberRecord } from '@tandem/core';
import type { StoreUnderTest } from './store-under-test.js';

const LONG_TTL_MS = 30_000;
const T0_MS = 1_767_225_600_000;

function record(node: string, facts: MemberRecord['facts']): MemberRecord {
  return { node, role: 'replica', epoch: 0, facts, updatedAtWallMs: T0_MS };
}

export async function checkOversizeHeartbeatRefused(sut: StoreUnderTest): Promise<void> {
  const { store } = sut;
  await store.heartbeat(record('db1', { note: 'x'.repeat(MEMBER_RECORD_BYTES_MAX / 2) }), LONG_TTL_MS);
  await expect(store.heartbeat(record('db1', { note: 'y'.repeat(MEMBER_RECORD_BYTES_MAX) }), LONG_TTL_MS)).rejects.toThrow(RangeError);
  await expect(store.heartbeat(record('db2', { note: 'y'.repeat(MEMBER_RECORD_BYTES_MAX) }), LONG_TTL_MS)).rejects.toThrow(/member record of db2 .* over the \d+-byte limit/);
  // Nothing was written: db1 keeps its last good record, db2 never appeared.
  const members = await store.members();
  expect(members.map((m) => m.node)).toEqual(['db1']);
  expect(String(members[0]?.facts['note'])).toMatch(/^x+$/);
}

export async function checkOversizeEventRefused(sut: StoreUnderTest): Promise<void> {
  const { store } = sut;
  await store.appendEvent({ atWallMs: T0_MS, node: 'db1', type: 'test', message: 'm'.repeat(EVENT_MESSAGE_BYTES_MAX) });
  // Counted in UTF-8 bytes, not characters: 'é' is two bytes.
  const longMessage = 'é'.repeat(EVENT_MESSAGE_BYTES_MAX / 2 + 1);
  await expect(store.appendEvent({ atWallMs: T0_MS, node: 'db1', type: 'test', message: longMessage })).rejects.toThrow(/message of a test event .* over the \d+-byte limit/);
  const bigData = { blob: 'd'.repeat(EVENT_DATA_BYTES_MAX) };
  await expect(store.appendEvent({ atWallMs: T0_MS, node: 'db1', type: 'test', message: 'ok', data: bigData })).rejects.toThrow(RangeError);
  const events = await store.readEvents();
  expect(events).toHaveLength(1);
  expect(events[0]?.message).toHaveLength(EVENT_MESSAGE_BYTES_MAX);
}
