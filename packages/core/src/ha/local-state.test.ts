import { describe, expect, it } from 'vitest';
import type { Action, ActionResult } from './actions.js';
import { applyResult, initialLocalState, RESOURCE_FAILURE, type LocalState } from './local-state.js';
import { standDownMs } from './timing-rules.js';

const timing = { probeIntervalMs: 1000, gatewayTimeoutMs: 4000, leaseTtlMs: 10_000, leaseRenewIntervalMs: 2000, fenceTimeoutMs: 5000, storeTimeoutMs: 1000, actionTimeoutMs: 30_000 };
const primary: LocalState = { ...initialLocalState('db2'), role: 'primary', writing: true, lease: { epoch: 7, renewedAtMs: 0, validUntilMs: 9000 } };

function result(action: Action, code: ActionResult['code'], finishedAtMs = 500): ActionResult {
  return { action, code, reason: code === 'ok' ? 'fine' : 'app: not-running', startedAtMs: finishedAtMs - 10, finishedAtMs };
}

describe('applyResult for resource monitoring', () => {
  it('counts consecutive failed monitors and clears them on success', () => {
    const monitor: Action = { kind: 'monitor', epoch: 7, timeoutMs: 2000 };
    const once = applyResult(primary, result(monitor, 'failed'), timing);
    const twice = applyResult(once, result(monitor, 'failed', 900), timing);
    expect(twice.resources).toMatchObject({ failures: 2, restarts: 0, checkedAtMs: 900, reason: 'app: not-running' });
    expect(applyResult(twice, result(monitor, 'ok', 1300), timing).resources?.failures).toBe(0);
  });

  it('a restart counts and gives the group fresh confirmations', () => {
    const failing: LocalState = { ...primary, resources: { checkedAtMs: 100, failures: 3, restarts: 1, reason: 'x' } };
    const after = applyResult(failing, result({ kind: 'restart', epoch: 7, reason: 'x', timeoutMs: 1000 }, 'ok'), timing);
    expect(after.resources).toMatchObject({ failures: 0, restarts: 2 });
  });

  it('demoting for failing resources keeps the lease only to hand it back, and stands down', () => {
    const after = applyResult(primary, result({ kind: 'demote', reason: RESOURCE_FAILURE, epoch: 7, timeoutMs: 1000 }, 'ok', 2000), timing);
    expect(after).toMatchObject({ writing: false, role: 'replica', releasing: true, standDownUntilMs: 2000 + standDownMs(timing) });
    expect(after.lease?.epoch).toBe(7);
  });
});

describe('applyResult for an acquired lease', () => {
  const acquire = (reason: 'bootstrap' | 'failover', fenceTargets: string[]): ActionResult => ({
    action: { kind: 'acquire-lease', reason, fenceTargets, failed: reason === 'failover' ? 'db1' : undefined, requestId: undefined, compensate: true, timeoutMs: 1000 },
    code: 'ok',
    reason: 'lease held',
    data: { acquired: true, lease: { holder: 'db2', epoch: 1, remainingMs: 10_000 } },
    startedAtMs: 100,
    finishedAtMs: 110,
  });

  it('the first lease of a cluster goes straight to promotion: no writer came before it, nothing to compensate', () => {
    expect(applyResult(initialLocalState('db2'), acquire('bootstrap', []), timing).failover?.phase).toBe('promote');
  });

  it('a failover fences first, then compensates; without targets it compensates at once', () => {
    expect(applyResult(initialLocalState('db2'), acquire('failover', ['db1']), timing).failover?.phase).toBe('fence');
    expect(applyResult(initialLocalState('db2'), acquire('failover', []), timing).failover?.phase).toBe('compensate');
  });
});
