import type { Lease } from '../ports/coordination-store.js';
import type { Action } from './actions.js';
import { decision, healthyReplicas, type DecideContext, type Decision } from './decide-context.js';
import { gatewayFreshMs, REJOIN_TIMEOUT_MS } from './timing-rules.js';

/** Decisions for a node without a lease: watch the primary, or self-check and stand for election. */
export function decideReplica(c: DecideContext): Decision {
  const s = c.s;
  if (!s.store.reachable) return decision(`no action: store unreachable (${s.store.reason}), not standing for election`);
  const lease = s.store.lease;
  if (lease !== undefined && lease.holder !== s.node) return watch(c, lease);
  if (c.maintenance) return decision('maintenance: no automatic action while no node holds the lease');
  return stand(c);
}

function gatewayFresh(c: DecideContext): boolean {
  const g = c.s.local.gateway;
  return g !== undefined && c.now - g.atMs <= gatewayFreshMs(c.t);
}

function gatewayCheck(c: DecideContext): Action[] {
  return gatewayFresh(c) || c.workBusy ? [] : [{ kind: 'check-gateway', timeoutMs: c.t.gatewayTimeoutMs }];
}

/** Detect and confirm: probes may confirm a failure early, but the store will not hand out the lease before it lapses; meanwhile refresh the self-check. */
function watch(c: DecideContext, lease: Lease): Decision {
  const p = c.s.probes;
  const confirmed = p !== undefined && p.target === lease.holder ? p.tallies.filter((t) => t.consecutiveFailures >= c.s.confirmFailures) : [];
  if (confirmed.length === 0) return c.rejoin !== undefined || c.s.local.completeRequestId !== undefined ? rejoin(c, lease) : follow(c, lease);
  const what = confirmed.map((t) => `${t.id} x${t.consecutiveFailures}`).join(', ');
  if (c.maintenance) return decision(`maintenance: no automatic action although ${lease.holder} failed ${what}`);
  return decision(
    `failover step detect: ${lease.holder} failed ${what}; waiting for its lease epoch ${lease.epoch} to lapse in ${lease.remainingMs} ms`,
    gatewayCheck(c),
    'detect',
  );
}

/** Carry out an operator's rejoin of this node, then clear the request. */
function rejoin(c: DecideContext, lease: Lease): Decision {
  const l = c.s.local;
  if (l.completeRequestId !== undefined) {
    if (c.leaseBusy) return decision(`rejoin done; clearing request ${l.completeRequestId}`);
    return decision(`rejoin done; clearing request ${l.completeRequestId}`, [{ kind: 'complete-request', id: l.completeRequestId, timeoutMs: c.t.storeTimeoutMs }]);
  }
  const req = c.rejoin;
  if (req === undefined) return decision(`no action: primary ${lease.holder} holds lease epoch ${lease.epoch}`);
  if (l.writing) return decision(`rejoin waits: ${l.node} must stop writing first`);
  if (c.workBusy) return decision(`rejoin: ${l.node} becomes a replica of ${lease.holder} (in progress)`);
  return decision(`rejoin: ${l.node} becomes a replica of ${lease.holder} at epoch ${lease.epoch} (request ${req.id})`, [
    { kind: 'rejoin', primary: lease.holder, epoch: lease.epoch, requestId: req.id, timeoutMs: REJOIN_TIMEOUT_MS },
  ]);
}

/** Keep this replica's resources and transports pointed at the current primary. */
function follow(c: DecideContext, lease: Lease): Decision {
  const l = c.s.local;
  const idle = `no action: primary ${lease.holder} holds lease epoch ${lease.epoch}`;
  if (l.writing || c.workBusy) return decision(idle);
  if (l.following?.primary === lease.holder && l.following.epoch === lease.epoch) return decision(idle);
  if (l.followRetryAtMs !== undefined && c.now < l.followRetryAtMs) return decision(`${idle}; following it failed, trying again in ${l.followRetryAtMs - c.now} ms`);
  return decision(`replica upkeep: follow ${lease.holder} at epoch ${lease.epoch}`, [{ kind: 'follow', primary: lease.holder, epoch: lease.epoch, timeoutMs: c.t.actionTimeoutMs }]);
}

function stand(c: DecideContext): Decision {
  const s = c.s;
  const me = s.node;
  const l = s.local;
  if (l.standDownUntilMs !== undefined && c.now < l.standDownUntilMs) {
    return decision(`no action: standing down for ${l.standDownUntilMs - c.now} ms after an abandoned election`);
  }
  const req = c.request;
  if (req?.target !== undefined && req.target !== me) return decision(`no action: waiting for ${req.target} to take over (${req.kind} ${req.id})`);
  const check = gatewayCheck(c);
  if (check.length > 0) return decision(`failover step self-check: ${me} checks its gateway before standing for election`, check, 'self-check');
  const g = l.gateway;
  // Only a fresh answer counts: an old one must not stand in while a new check is still running.
  if (g === undefined || !gatewayFresh(c)) return decision(`failover step self-check: gateway check in progress`);
  if (!g.ok) return decision(`no action: gateway check failed (${g.reason}), not standing for election`);
  if (c.leaseBusy) return decision(`failover step elect: lease request in progress`);
  const seen = l.lastSeenLease;
  const failed = seen !== undefined && seen.holder !== me ? seen.holder : undefined;
  const reason = req?.target === me && req.kind === 'switchover' ? 'switchover' : seen === undefined ? 'bootstrap' : 'failover';
  const healthy = healthyReplicas(c);
  // A cluster whose store never granted a lease has no writer to fence: resources
  // start demoted and promotion needs a lease. Fencing silent peers then would
  // power off nodes that are merely slower to boot.
  const neverLed = seen === undefined && s.store.reachable && s.store.lastEpoch === 0;
  const fenceTargets = neverLed ? [] : s.peers.filter((p) => !healthy.has(p));
  const why = neverLed ? 'first lease of this cluster' : seen === undefined ? 'no lease seen yet' : `lease epoch ${seen.epoch} of ${seen.holder} lapsed`;
  return decision(
    `failover step elect: ${me} takes the lease with a new epoch (${why}; will fence ${fenceTargets.length === 0 ? 'nobody' : fenceTargets.join(', ')})`,
    [{ kind: 'acquire-lease', fenceTargets, failed, reason, requestId: req?.id, timeoutMs: c.t.storeTimeoutMs }],
    'elect',
  );
}
