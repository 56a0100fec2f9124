import { describe, expect, it } from 'vitest';
import { EMPTY_NODE_RECORD } from '../ports/node-memory.js';
import { backoffLeftMs, recordStreak } from './action-backoff.js';
import type { Action, ActionResult } from './actions.js';
import { decide } from './decide.js';
import { applyResult, initialLocalState, observeStore, type LocalState } from './local-state.js';
import type { Snapshot, StoreView } from './snapshot.js';

const timing = { probeIntervalMs: 100, gatewayTimeoutMs: 4000, leaseTtlMs: 10_000, leaseRenewIntervalMs: 2000, fenceTimeoutMs: 5000, storeTimeoutMs: 1000, actionTimeoutMs: 30_000 };
const lapsed: StoreView = { reachable: true, lease: undefined, lastEpoch: 7, members: [], settings: { maintenance: false } };

/** Run decide every 10 ms for `ms`, failing every action of `failing` at once; count how many were started. */
function drive(local: LocalState, failing: Action['kind'], ms: number): number {
  let state = local;
  let started = 0;
  for (let now = 0; now < ms; now += 10) {
    state = observeStore(state, lapsed, now);
    const s: Snapshot = { node: 'db2', nowMs: now, wallMs: now, local: state, store: lapsed, probes: undefined, inFlight: [], peers: ['db1'], timing, confirmFailures: 3, fenceLevelCount: 1, memory: EMPTY_NODE_RECORD, rejoinPolicy: 'manual' };
    for (const a of decide(s, now).actions) {
      const ok = a.kind !== failing;
      if (!ok) started++;
      const data = a.kind === 'acquire-lease' ? { acquired: false } : undefined;
      const r: ActionResult = { action: a, code: ok ? 'ok' : 'failed', reason: ok ? 'ok' : 'OOM command not allowed when used memory > maxmemory', startedAtMs: now, finishedAtMs: now, ...(data ? { data } : {}) };
      state = applyResult(state, r, timing);
    }
  }
  return started;
}

describe('failed actions back off', () => {
  it('failed acquire or demote: not retried every cycle (1,490 acquire failures in 8 s with Redis at maxmemory)', () => {
    const standing: LocalState = {
      ...initialLocalState('db2'),
      writing: false,
      gateway: { ok: true, atMs: 0, reason: 'ok' },
      eligibility: { ok: true, atMs: 0, reason: 'ready', acceptStopped: false },
      lastSeenLease: { holder: 'db1', epoch: 7, remainingMs: 0 },
    };
    const acquires = drive(standing, 'acquire-lease', 8000);
    // 500 ms doubling to 10 s: a handful in 8 s, not one per cycle (800 cycles).
    expect(acquires).toBeGreaterThan(2);
    expect(acquires).toBeLessThan(8);
    // A safety demote keeps a short floor (200 ms, up to 2 s): retried soon, but not 2,035 times in 6 s.
    const demotes = drive(initialLocalState('db2'), 'demote', 6000);
    expect(demotes).toBeGreaterThan(4);
    expect(demotes).toBeLessThan(12);
  });

  it('a success ends the streak; the jitter keeps two nodes from retrying in step', () => {
    const fail = (n: number): ActionResult => ({ action: { kind: 'heartbeat', role: 'replica', epoch: 0, facts: {}, timeoutMs: 1 }, code: 'failed', reason: 'x', startedAtMs: n, finishedAtMs: n });
    const streaks = recordStreak(recordStreak({}, fail(0)), fail(0));
    expect(streaks.heartbeat?.count).toBe(2);
    expect(backoffLeftMs('db1', streaks, 'heartbeat', 0)).not.toBe(backoffLeftMs('db2', streaks, 'heartbeat', 0));
    expect(recordStreak(streaks, { ...fail(1), code: 'ok' }).heartbeat).toBeUndefined();
  });
});
