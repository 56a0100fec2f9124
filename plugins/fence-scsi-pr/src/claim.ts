import { ok, outcome, type Outcome } from '@tandem/core';
import type { PrCall } from './pr-call.js';
import { decodeKey, type KeyScheme } from './pr-key.js';

/** What a claim must reach on one device. */
export interface ClaimGoal {
  /** Our key at the claim's epoch. */
  readonly ours: bigint;
  readonly epoch: number;
  readonly localNodeId: number;
  /** Registrations that must be gone afterwards (the fenced node's, or every other node's on promotion). */
  readonly isVictim: (key: bigint) => boolean;
  readonly type: 5 | 6;
}

/** What was verified on one device after the claim. */
export interface DeviceClaim {
  readonly device: string;
  readonly holder: bigint;
  /** Victim keys this call removed (empty when the device was already in the goal state). */
  readonly removed: readonly bigint[];
}

interface TableView {
  readonly keys: readonly bigint[];
  readonly holder: bigint | undefined;
  readonly type: string | undefined;
}

async function readTable(call: PrCall, device: string): Promise<Outcome<TableView>> {
  const keys = await call.readKeys(device);
  if (keys.code !== 'ok' || !keys.data) return { code: keys.code, reason: keys.reason };
  const res = await call.readReservation(device);
  if (res.code !== 'ok' || !res.data) return { code: res.code, reason: res.reason };
  return ok('read', { keys: keys.data.keys, holder: res.data.holder?.key, type: res.data.holder?.type });
}

/**
 * A later epoch always wins: if the device carries a key of a configured node
 * at a newer epoch than ours, someone was elected after us and this claim is
 * stale. Our own node at a newer epoch is the same node having moved on; the
 * claim then has nothing to add when the victims are already gone.
 */
function newerThanUs(scheme: KeyScheme, t: TableView, goal: ClaimGoal): { key: bigint; ours: boolean } | undefined {
  const all = t.holder === undefined ? t.keys : [...t.keys, t.holder];
  const newer = all.filter((k) => scheme.ownerOf(k) !== undefined && decodeKey(k).epoch > goal.epoch);
  const other = newer.find((k) => decodeKey(k).nodeId !== goal.localNodeId);
  if (other !== undefined) return { key: other, ours: false };
  return newer.length > 0 ? { key: newer[0]!, ours: true } : undefined;
}

/** Keys no configured node owns can write under a registrants-only reservation; we neither trust nor remove them. */
function foreign(scheme: KeyScheme, t: TableView): bigint[] {
  return t.keys.filter((k) => scheme.ownerOf(k) === undefined);
}

/**
 * Make `goal.ours` the registered reservation holder on `device` and remove the
 * victims' registrations, then read the table back and check it. Order: our
 * registration first (PREEMPT needs a registered initiator), then preempt the
 * holder (which hands the reservation to us in the same command) or reserve
 * when nobody holds it, then preempt the remaining victim keys.
 */
export async function claimDevice(call: PrCall, scheme: KeyScheme, device: string, goal: ClaimGoal): Promise<Outcome<DeviceClaim>> {
  const before = await readTable(call, device);
  if (before.code !== 'ok' || !before.data) return { code: before.code, reason: before.reason };
  const t = before.data;
  const newer = newerThanUs(scheme, t, goal);
  const victims = [...new Set(t.keys.filter(goal.isVictim))];
  if (newer && !(newer.ours && victims.length === 0 && t.holder === newer.key)) {
    return outcome('failed', `${device}: carries ${scheme.describe(newer.key)}, newer than epoch ${goal.epoch}; a later primary exists, so this stale claim must not preempt it`);
  }
  if (newer) return ok(`${device}: already held by ${scheme.describe(newer.key)}`, { device, holder: newer.key, removed: [] });
  const strangers = foreign(scheme, t);
  if (strangers.length > 0) return outcome('failed', `${device}: registered key(s) ${strangers.map((k) => scheme.describe(k)).join(', ')} belong to no configured node and could still write; clear them (sg_persist --out --clear) or list their node under nodeIds`);
  if (victims.length === 0 && t.holder === goal.ours && t.keys.includes(goal.ours)) {
    return ok(`${device}: already held by ${scheme.describe(goal.ours)}`, { device, holder: goal.ours, removed: [] });
  }
  const steps = await changeTable(call, device, t, goal, victims);
  if (steps.code !== 'ok') return { code: steps.code, reason: steps.reason };
  return verify(call, scheme, device, goal, victims);
}

async function changeTable(call: PrCall, device: string, t: TableView, goal: ClaimGoal, victims: readonly bigint[]): Promise<Outcome> {
  let holder = t.holder;
  if (!t.keys.includes(goal.ours)) {
    const reg = await call.send({ kind: 'register-ignore', key: goal.ours }, device);
    if (reg.code !== 'ok') return { code: reg.code, reason: reg.reason };
    // If our initiator held the reservation under an older key of ours, it now holds it under the new one.
    if (holder !== undefined && decodeKey(holder).nodeId === goal.localNodeId) {
      const res = await call.readReservation(device);
      if (res.code !== 'ok' || !res.data) return { code: res.code, reason: res.reason };
      holder = res.data.holder?.key;
    }
  }
  if (holder === undefined) {
    const reserve = await call.send({ kind: 'reserve', key: goal.ours, type: goal.type }, device);
    if (reserve.code !== 'ok') return { code: reserve.code, reason: reserve.reason };
  } else if (holder !== goal.ours) {
    const take = await call.send({ kind: 'preempt-abort', key: goal.ours, victim: holder, type: goal.type }, device);
    if (take.code !== 'ok') return { code: take.code, reason: take.reason };
  }
  for (const victim of victims.filter((v) => v !== holder)) {
    const drop = await call.send({ kind: 'preempt-abort', key: goal.ours, victim, type: goal.type }, device);
    if (drop.code !== 'ok') return { code: drop.code, reason: drop.reason };
  }
  return ok('changed');
}

/** Read the table back: the claim is only as good as what the device now says. */
async function verify(call: PrCall, scheme: KeyScheme, device: string, goal: ClaimGoal, victims: readonly bigint[]): Promise<Outcome<DeviceClaim>> {
  const after = await readTable(call, device);
  if (after.code !== 'ok' || !after.data) return { code: after.code === 'ok' ? 'unknown' : after.code, reason: `${device}: could not read the table back after the claim: ${after.reason}` };
  const a = after.data;
  const left = a.keys.filter(goal.isVictim);
  if (left.length > 0) return outcome('failed', `${device}: after preempting, ${left.map((k) => scheme.describe(k)).join(', ')} still registered`);
  if (a.holder !== goal.ours) {
    return outcome('failed', `${device}: after the claim the reservation is ${a.holder === undefined ? 'held by nobody' : `held by ${scheme.describe(a.holder)}`}, not by ${scheme.describe(goal.ours)}`);
  }
  return ok(`${device}: held by ${scheme.describe(goal.ours)}`, { device, holder: goal.ours, removed: victims });
}
