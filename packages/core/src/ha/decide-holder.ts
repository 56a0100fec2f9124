import type { Action } from './actions.js';
import { decision, healthyReplicas, heartbeatAction, type DecideContext, type Decision } from './decide-context.js';
import { RESOURCE_FAILURE, type FailoverProgress, type HeldLease } from './local-state.js';
import { fenceActionTimeoutMs, RESTARTS_MAX } from './timing-rules.js';

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
    return decision(`switchover: reporting ${c.s.node} as replica before releasing lease epoch ${lease.epoch}`, [heartbeatAction(c, 'replica')]);
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
    // Only a target that says it could finish the promotion: demoting for one that cannot hands the lease to nobody.
    const target = c.s.store.reachable ? c.s.store.members.find((m) => m.node === req.target) : undefined;
    if (!healthyReplicas(c).has(req.target) || target?.facts['eligible'] !== true) {
      const why = target === undefined ? 'no heartbeat from it' : String(target.facts['ineligible'] ?? (target.role === 'replica' ? 'eligibility not reported' : `it reports ${target.role}`));
      return decision(`no action: primary ${me} holds lease epoch ${lease.epoch}; ${req.kind} to ${req.target} waits until it is a healthy replica that could take over (${req.target}: ${why})`);
    }
    if (c.workBusy) return decision(`switchover: waiting for the running action before demoting ${me}`);
    return decision(`switchover: demoting ${me} at epoch ${lease.epoch} to hand over to ${req.target}`, [{ kind: 'demote', reason: 'switchover', epoch: lease.epoch, timeoutMs: c.t.actionTimeoutMs }], 'switchover');
  }
  const prefix = c.maintenance ? 'maintenance: no automatic action' : 'no action';
  if (c.maintenance) return decision(`${prefix}: primary ${me} holds lease epoch ${lease.epoch}`);
  return watchResources(c, lease) ?? decision(`${prefix}: primary ${me} holds lease epoch ${lease.epoch}`);
}

/**
 * A primary keeps checking its resource group. After `confirmFailures`
 * failed monitors it restarts the group at the same epoch, up to
 * RESTARTS_MAX times; after that it demotes and hands the lease back so a
 * replica takes over.
 */
function watchResources(c: DecideContext, lease: HeldLease): Decision | undefined {
  const me = c.s.node;
  const h = c.s.local.resources;
  if (h !== undefined && h.failures >= c.s.confirmFailures) {
    if (c.workBusy) return decision(`recover: resources of ${me} failed ${h.failures} checks; waiting for the running action`);
    if (h.restarts >= RESTARTS_MAX) {
      return decision(`recover: resources of ${me} still fail after ${h.restarts} restarts (${h.reason}); demoting to hand over epoch ${lease.epoch}`, [
        { kind: 'demote', reason: RESOURCE_FAILURE, epoch: lease.epoch, timeoutMs: c.t.actionTimeoutMs },
      ], 'demote');
    }
    return decision(`recover: resources of ${me} failed ${h.failures} checks (${h.reason}); restart ${h.restarts + 1} of ${RESTARTS_MAX} at epoch ${lease.epoch}`, [
      { kind: 'restart', epoch: lease.epoch, reason: h.reason, timeoutMs: c.t.actionTimeoutMs },
    ], 'recover');
  }
  const due = h === undefined || c.now - h.checkedAtMs >= c.t.probeIntervalMs;
  if (!due || c.monitorBusy) return undefined;
  const health = h === undefined || h.failures === 0 ? '' : `; resources failed ${h.failures} check(s)`;
  return decision(`no action: primary ${me} holds lease epoch ${lease.epoch}${health}`, [{ kind: 'monitor', epoch: lease.epoch, timeoutMs: Math.max(2 * c.t.probeIntervalMs, 2000) }]);
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
    const acceptDataLoss = c.request?.kind === 'failover' && c.request.target === c.s.node && c.request.acceptDataLoss === true;
    return decision(summary, [{ kind: 'compensate', failed, epoch: f.epoch, planned: f.reason === 'switchover', acceptDataLoss, timeoutMs: c.t.actionTimeoutMs }], 'compensate');
  }
  const summary = `failover step promote: promoting ${c.s.node} at epoch ${f.epoch}${running}`;
  if (c.workBusy) return decision(summary);
  return decision(summary, [{ kind: 'promote', epoch: f.epoch, timeoutMs: c.t.actionTimeoutMs }], 'promote');
}
