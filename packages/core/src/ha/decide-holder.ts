import type { Action } from './actions.js';
import { decision, healthyReplicas, type DecideContext, type Decision } from './decide-context.js';
import type { FailoverProgress, HeldLease } from './local-state.js';
import { fenceActionTimeoutMs } from './timing-rules.js';

/** Decisions for a node that holds the lease: primary, candidate mid-failover, or handing the lease back. */
export function decideHolder(c: DecideContext): Decision | undefined {
  const l = c.s.local;
  if (l.lease === undefined || !c.leaseValid) return undefined;
  if (l.releasing) return handBack(c, l.lease);
  const renew = renewIfDue(c, l.lease);
  if (l.failover !== undefined) return withActions(continueFailover(c, l.failover), renew);
  if (l.role === 'primary') return withActions(primary(c, l.lease), renew);
  return undefined;
}

function withActions(d: Decision, extra: readonly Action[]): Decision {
  return extra.length === 0 ? d : { ...d, actions: [...extra, ...d.actions] };
}

function renewIfDue(c: DecideContext, lease: HeldLease): Action[] {
  if (c.leaseBusy || c.now - lease.renewedAtMs < c.t.leaseRenewIntervalMs) return [];
  return [{ kind: 'renew-lease', epoch: lease.epoch, timeoutMs: c.t.storeTimeoutMs }];
}

/** After a switchover demotion (or an abandoned election): report `replica` first, then release, so the next holder sees a healthy replica and need not fence us. */
function handBack(c: DecideContext, lease: HeldLease): Decision {
  if (c.leaseBusy) return decision(`switchover: handing lease epoch ${lease.epoch} back (store call in progress)`);
  if (c.s.local.lastHeartbeat?.role !== 'replica') {
    return decision(`switchover: reporting ${c.s.node} as replica before releasing lease epoch ${lease.epoch}`, [
      { kind: 'heartbeat', role: 'replica', epoch: lease.epoch, timeoutMs: c.t.storeTimeoutMs },
    ]);
  }
  return decision(`switchover: releasing lease epoch ${lease.epoch}`, [{ kind: 'release-lease', epoch: lease.epoch, timeoutMs: c.t.storeTimeoutMs }], 'switchover');
}

function primary(c: DecideContext, lease: HeldLease): Decision {
  const me = c.s.node;
  const doneId = c.s.local.completeRequestId;
  if (doneId !== undefined && !c.leaseBusy) {
    return decision(`announce: primary ${me} holds lease epoch ${lease.epoch}; clearing request ${doneId}`, [{ kind: 'complete-request', id: doneId, timeoutMs: c.t.storeTimeoutMs }]);
  }
  const req = c.request;
  if (req !== undefined && !c.maintenance && req.target !== undefined && req.target !== me) {
    if (!healthyReplicas(c).has(req.target)) return decision(`no action: primary ${me} holds lease epoch ${lease.epoch}; ${req.kind} to ${req.target} waits until it is a healthy replica`);
    if (c.workBusy) return decision(`switchover: waiting for the running action before demoting ${me}`);
    return decision(`switchover: demoting ${me} at epoch ${lease.epoch} to hand over to ${req.target}`, [{ kind: 'demote', reason: 'switchover', epoch: lease.epoch, timeoutMs: c.t.actionTimeoutMs }], 'switchover');
  }
  const prefix = c.maintenance ? 'maintenance: no automatic action' : 'no action';
  return decision(`${prefix}: primary ${me} holds lease epoch ${lease.epoch}`);
}

function continueFailover(c: DecideContext, f: FailoverProgress): Decision {
  if (c.maintenance) return decision(`maintenance: failover at epoch ${f.epoch} paused in step ${f.phase}`);
  const running = c.workBusy ? ' (in progress)' : '';
  if (f.phase === 'fence') {
    const next = f.targets.find((t) => !f.fenced.includes(t)) ?? '';
    const levels = `${c.s.fenceLevelCount} level${c.s.fenceLevelCount === 1 ? '' : 's'}`;
    const summary = `failover step fence: fencing ${next} at epoch ${f.epoch} (${levels}, attempt ${f.fenceFailures + 1})${running}`;
    if (c.workBusy) return decision(summary);
    const reason = f.failed === next ? `${f.reason} of ${next}` : `${f.reason}: ${next} may still write`;
    return decision(summary, [{ kind: 'fence', node: next, epoch: f.epoch, reason, timeoutMs: fenceActionTimeoutMs(c.t, c.s.fenceLevelCount) }], 'fence');
  }
  if (f.phase === 'compensate') {
    const failed = f.failed ?? 'none';
    const summary = `failover step compensate: replaying what ${failed} left at epoch ${f.epoch}${running}`;
    if (c.workBusy) return decision(summary);
    return decision(summary, [{ kind: 'compensate', failed, epoch: f.epoch, planned: f.reason === 'switchover', timeoutMs: c.t.actionTimeoutMs }], 'compensate');
  }
  const summary = `failover step promote: promoting ${c.s.node} at epoch ${f.epoch}${running}`;
  if (c.workBusy) return decision(summary);
  return decision(summary, [{ kind: 'promote', epoch: f.epoch, timeoutMs: c.t.actionTimeoutMs }], 'promote');
}
