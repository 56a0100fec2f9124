import { contextOf, decide, gatewayFreshMs, healthyReplicas, laneOf, type Action, type Decision, type Snapshot } from '@tandem/core';

/**
 * Planted bugs: broken variants of the real `decide`, each of which an
 * invariant must catch (simulation.test.ts runs them through the real loop
 * and requires a stated share of seeds to fail). None is used by `npm run sim`.
 */

/** Forgets to name anyone to fence when it stands for election. */
export function decideWithoutFencing(snapshot: Snapshot, nowMs: number): Decision {
  const d = decide(snapshot, nowMs);
  return { ...d, actions: d.actions.map((a) => (a.kind === 'acquire-lease' ? { ...a, fenceTargets: [] } : a)) };
}

/**
 * Stands for election as soon as the lease has lapsed and its gateway
 * answered, without asking whether it could finish the promotion (the
 * decide before issue 13): a node whose database is stopped, or a former
 * primary never rejoined, takes the lease and fences its peers.
 */
export function decideIgnoringEligibility(snapshot: Snapshot, nowMs: number): Decision {
  const d = decide(snapshot, nowMs);
  const s = snapshot;
  const l = s.local;
  if (d.actions.some((a) => a.kind === 'acquire-lease')) return d;
  if (!s.store.reachable || s.store.lease !== undefined || l.lease !== undefined || l.writing || l.role !== 'replica') return d;
  if (s.inFlight.some((f) => laneOf(f.action.kind) === 'lease')) return d;
  if (l.standDownUntilMs !== undefined && nowMs < l.standDownUntilMs) return d;
  const c = contextOf(s, nowMs);
  if (c.maintenance || c.request !== undefined) return d;
  const g = l.gateway;
  if (g === undefined || nowMs - g.atMs > gatewayFreshMs(s.timing)) {
    if (c.workBusy || d.actions.some((a) => a.kind === 'check-gateway')) return d;
    return { summary: `planted: ${s.node} checks its gateway before standing (eligibility not asked)`, actions: [{ kind: 'check-gateway', timeoutMs: s.timing.gatewayTimeoutMs }], step: 'self-check' };
  }
  if (!g.ok) return d;
  const healthy = healthyReplicas(c);
  const seen = l.lastSeenLease;
  const neverLed = seen === undefined && s.store.lastEpoch === 0;
  const acquire: Action = {
    kind: 'acquire-lease',
    fenceTargets: neverLed ? [] : s.peers.filter((p) => !healthy.has(p)),
    failed: seen !== undefined && seen.holder !== s.node ? seen.holder : undefined,
    reason: seen === undefined ? 'bootstrap' : 'failover',
    requestId: undefined,
    compensate: !neverLed,
    timeoutMs: s.timing.storeTimeoutMs,
  };
  const rest = d.actions.filter((a) => laneOf(a.kind) !== 'lease' && a.kind !== 'check-eligibility');
  return { summary: `planted: ${s.node} stands without checking eligibility`, actions: [acquire, ...rest], step: 'elect' };
}

/** Does not know who was promoted last: it reads the store as one where nobody was ever promoted (so nothing to compensate). */
export function decideWithoutLastPrimary(snapshot: Snapshot, nowMs: number): Decision {
  const store = snapshot.store;
  if (!store.reachable || store.lastPrimary === undefined) return decide(snapshot, nowMs);
  const { lastPrimary: _dropped, ...rest } = store;
  return decide({ ...snapshot, store: rest }, nowMs);
}

/** A primary that fences every peer at every lease renewal (issue 15: the old liveness check passed it in 60 of 60 seeds). */
export function decideFencingAtRenewal(snapshot: Snapshot, nowMs: number): Decision {
  const d = decide(snapshot, nowMs);
  const renew = d.actions.find((a) => a.kind === 'renew-lease');
  if (renew === undefined) return d;
  const fences: Action[] = snapshot.peers.map((node) => ({ kind: 'fence', node, epoch: renew.epoch, reason: 'planted: fence at renewal', timeoutMs: 2 * snapshot.timing.fenceTimeoutMs }));
  return { ...d, actions: [...d.actions, ...fences] };
}
