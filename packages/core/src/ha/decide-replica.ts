import type { Lease } from '../ports/coordination-store.js';
import type { Action } from './actions.js';
import { decision, healthyReplicas, type DecideContext, type Decision } from './decide-context.js';
import { acceptStopped, barredBy, eligibilityDue, eligibilityFresh, firstElection, forcedHere, neverPromoted, standingOf } from './eligibility-rules.js';
import { gatewayFreshMs, heartbeatRoundMs, REJOIN_TIMEOUT_MS } from './timing-rules.js';

/** Decisions for a node without a lease: watch the primary, or self-check and stand for election. */
export function decideReplica(c: DecideContext): Decision {
  const s = c.s;
  if (!s.store.reachable) return decision(`no action: store unreachable (${s.store.reason}), not standing for election`);
  const lease = s.store.lease;
  if (lease !== undefined && lease.holder !== s.node) return watch(c, lease);
  if (lease !== undefined && s.local.leaseOfOtherProcess === lease.epoch) return heldByOtherProcess(c, lease);
  if (c.maintenance) return decision('maintenance: no automatic action while no node holds the lease');
  return stand(c);
}

/**
 * The store's lease names this node, but the store refused it to this process: another agent process holds
 * it under this node's name (the previous run of this agent, or another agent configured with the same
 * name, maybe another cluster's on the same store). Asking again would only be refused again; this node
 * waits for that lease to lapse like any peer's, then stands for election. One alert per such epoch.
 */
function heldByOtherProcess(c: DecideContext, lease: Lease): Decision {
  const me = c.s.node;
  return {
    ...decision(
      `no action: the lease epoch ${lease.epoch} is held under this node's name by another agent process (a previous run of this agent, or another agent configured with the name ${me}); waiting for it to lapse in ${lease.remainingMs} ms`,
    ),
    alert: { type: 'alert.lease-held-by-another-process', key: String(lease.epoch), data: { node: me, epoch: lease.epoch } },
  };
}

function gatewayFresh(c: DecideContext): boolean {
  const g = c.s.local.gateway;
  return g !== undefined && c.now - g.atMs <= gatewayFreshMs(c.t);
}

function gatewayCheck(c: DecideContext): Action[] {
  return gatewayFresh(c) || c.workBusy ? [] : [{ kind: 'check-gateway', timeoutMs: c.t.gatewayTimeoutMs }];
}

/** Ask the resources and transports whether a promotion could finish here (work lane, so after the gateway). */
function eligibilityCheck(c: DecideContext, urgent: boolean): Action[] {
  if (c.workBusy || !eligibilityDue(c, urgent)) return [];
  // Transports hold what a candidate must replay; the last primary replays nothing (its data is the newest, and a
  // WAL mirror cannot even say where a stopped database stands), nor does the first election.
  const readTransports = !firstElection(c) && standingOf(c).kind !== 'last-primary';
  return [{ kind: 'check-eligibility', acceptStopped: acceptStopped(c), readTransports, timeoutMs: c.t.actionTimeoutMs }];
}

/** While a failure is being confirmed: keep both self-checks fresh, so the election need not wait for them. */
function selfChecks(c: DecideContext): Action[] {
  const g = gatewayCheck(c);
  return g.length > 0 ? g : barredBy(standingOf(c)) !== undefined ? [] : eligibilityCheck(c, true);
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
    selfChecks(c),
    'detect',
  );
}

/** Carry out an operator's rejoin of this node, then clear the request. */
function rejoin(c: DecideContext, lease: Lease): Decision {
  const l = c.s.local;
  if (l.completeRequestId !== undefined) return clearRequest(c, l.completeRequestId);
  const req = c.rejoin;
  if (req === undefined) return decision(`no action: primary ${lease.holder} holds lease epoch ${lease.epoch}`);
  if (l.writing) return decision(`rejoin waits: ${l.node} must stop writing first`);
  if (c.workBusy) return decision(`rejoin: ${l.node} becomes a replica of ${lease.holder} (in progress)`);
  return decision(`rejoin: ${l.node} becomes a replica of ${lease.holder} at epoch ${lease.epoch} (request ${req.id})`, [
    { kind: 'rejoin', primary: lease.holder, epoch: lease.epoch, requestId: req.id, timeoutMs: REJOIN_TIMEOUT_MS },
  ]);
}

/**
 * Keep this replica's resources and transports pointed at the current
 * primary, and its eligibility fresh. A stale former primary with
 * `rejoin: auto` rewinds itself first; with `manual` it waits for the
 * operator and says so.
 */
function follow(c: DecideContext, lease: Lease): Decision {
  const l = c.s.local;
  const idle = `no action: primary ${lease.holder} holds lease epoch ${lease.epoch}`;
  if (l.writing || c.workBusy) return decision(idle);
  const retryIn = l.followRetryAtMs !== undefined && c.now < l.followRetryAtMs ? l.followRetryAtMs - c.now : undefined;
  const standing = standingOf(c);
  if (standing.kind === 'stale') {
    if (c.s.rejoinPolicy !== 'auto') return decision(`${idle}; ${standing.reason}`);
    if (retryIn !== undefined) return decision(`${idle}; automatic rejoin failed, trying again in ${retryIn} ms`);
    return decision(`rejoin: ${l.node} becomes a replica of ${lease.holder} at epoch ${lease.epoch} (rejoin: auto)`, [
      { kind: 'rejoin', primary: lease.holder, epoch: lease.epoch, requestId: undefined, timeoutMs: REJOIN_TIMEOUT_MS },
    ]);
  }
  if (l.following?.primary === lease.holder && l.following.epoch === lease.epoch) {
    // The target of a switchover or failover: the primary hands over only once this node's record says it could take over.
    const check = eligibilityCheck(c, c.request?.target === l.node);
    return check.length === 0 ? decision(idle) : decision(`${idle}; checking that ${l.node} could take over`, check);
  }
  if (retryIn !== undefined) return decision(`${idle}; following it failed, trying again in ${retryIn} ms`);
  return decision(`replica upkeep: follow ${lease.holder} at epoch ${lease.epoch}`, [{ kind: 'follow', primary: lease.holder, epoch: lease.epoch, timeoutMs: c.t.actionTimeoutMs }]);
}

/** A request this node finished (a rejoin), or cannot finish (a switchover to it that it refused): cleared in the store. */
function clearRequest(c: DecideContext, id: string): Decision {
  const what = c.s.local.refusals === undefined ? 'rejoin done' : `${c.s.node} refused the promotion (${c.s.local.refusals.lastReason})`;
  if (c.leaseBusy) return decision(`${what}; clearing request ${id}`);
  return decision(`${what}; clearing request ${id}`, [{ kind: 'complete-request', id, timeoutMs: c.t.storeTimeoutMs }]);
}

function stand(c: DecideContext): Decision {
  const s = c.s;
  const me = s.node;
  const l = s.local;
  if (l.completeRequestId !== undefined) return clearRequest(c, l.completeRequestId);
  if (l.standDownUntilMs !== undefined && c.now < l.standDownUntilMs) {
    const after = l.refusals === undefined ? 'an abandoned election' : `${l.refusals.count} refused election(s) in a row (${l.refusals.lastReason})`;
    return decision(`no action: standing down for ${l.standDownUntilMs - c.now} ms after ${after}`);
  }
  const req = c.request;
  // Only while the target says it could finish the promotion: a target that refused (or went away) must not keep everyone out.
  if (req?.target !== undefined && req.target !== me && reportsEligible(c, req.target)) return decision(`no action: waiting for ${req.target} to take over (${req.kind} ${req.id})`);
  const abandoned = s.abandoned ?? [];
  if (abandoned.length > 0) return decision(`no action: not eligible, an abandoned ${abandoned[0]?.action.kind ?? 'promotion'} may still finish on ${me}`);
  // Eligibility before election: a node that could not finish the promotion never takes the lease, so it never fences anyone.
  const standing = standingOf(c);
  const barred = barredBy(standing);
  if (barred !== undefined && !forcedHere(c)) return decision(`no action: not eligible, ${barred}`);
  const check = gatewayCheck(c);
  if (check.length > 0) return decision(`failover step self-check: ${me} checks its gateway before standing for election`, check, 'self-check');
  const g = l.gateway;
  // Only a fresh answer counts: an old one must not stand in while a new check is still running.
  if (g === undefined || !gatewayFresh(c)) return decision(`failover step self-check: gateway check in progress`);
  if (!g.ok) return decision(`no action: gateway check failed (${g.reason}), not standing for election`);
  const ready = eligibilityCheck(c, true);
  if (!eligibilityFresh(c)) {
    return ready.length > 0 ? decision(`failover step self-check: ${me} checks it could finish a promotion`, ready, 'self-check') : decision(`failover step self-check: eligibility check in progress`);
  }
  const e = l.eligibility;
  if (e !== undefined && !e.ok) return decision(`no action: not eligible (${e.reason}), not standing for election`);
  // After a store outage every member record may have lapsed: healthy replicas look silent until they heartbeat again.
  const back = l.storeBackAtMs === undefined ? undefined : l.storeBackAtMs + heartbeatRoundMs(c.t) - c.now;
  if (back !== undefined && back > 0) return decision(`no action: the store is back after an outage; waiting ${back} ms for one heartbeat round before judging who is silent`);
  const wait = firstElectionWait(c) ?? lastPrimaryWait(c);
  if (wait !== undefined) return decision(`no action: ${wait}`);
  if (c.leaseBusy) return decision(`failover step elect: lease request in progress`);
  const seen = l.lastSeenLease;
  // Whose writes to replay: the holder this agent saw last, else (an agent restarted while no lease was shown)
  // the store's record of the last primary. 'bootstrap' (nothing to compensate) only for a store that never
  // granted a lease: an agent that merely forgot the lease must still compensate (simulation seed 895).
  const recorded = s.store.reachable ? s.store.lastPrimary?.node : undefined;
  const previous = seen?.holder ?? recorded;
  const failed = previous !== undefined && previous !== me ? previous : undefined;
  const everLed = !s.store.reachable || s.store.lastEpoch !== 0 || seen !== undefined;
  const reason = req?.target === me && req.kind === 'switchover' ? 'switchover' : everLed ? 'failover' : 'bootstrap';
  const healthy = healthyReplicas(c);
  // A cluster whose store never granted a lease has no writer to fence: resources
  // start demoted and promotion needs a lease. Fencing silent peers then would
  // power off nodes that are merely slower to boot.
  const neverLed = seen === undefined && s.store.reachable && s.store.lastEpoch === 0;
  const fenceTargets = neverLed ? [] : s.peers.filter((p) => !healthy.has(p) && !fencedForRefusal(c, p));
  // A live lease under this node's name: re-acquired (same epoch) if this process holds it, else the store refuses and says so.
  const ownName = s.store.reachable && s.store.lease?.holder === me ? s.store.lease : undefined;
  const why = neverLed
    ? 'first lease of this cluster'
    : ownName !== undefined
      ? `lease epoch ${ownName.epoch} is under this node's name; kept if this process holds it`
      : seen === undefined
        ? 'no lease seen yet'
        : `lease epoch ${seen.epoch} of ${seen.holder} lapsed`;
  const lastPrimary = standing.kind === 'last-primary';
  // Nothing to replay when no promotion was ever recorded (simulation seed 4702: a candidate with its database
  // stopped fenced the peer, then could not compensate: "cannot read the standby's replay position").
  const nothingAcked = !lastPrimary && neverPromoted(c);
  const spared = l.refusals !== undefined && l.refusals.fenced.length > 0 && fencedForRefusal(c, l.refusals.fenced[0] ?? '') ? `; already fenced ${l.refusals.fenced.join(', ')}` : '';
  return decision(
    `failover step elect: ${me} ${ownName === undefined ? 'takes the lease with a new epoch' : 'asks for the lease'} (${why}${lastPrimary ? '; it was the last primary' : ''}${nothingAcked ? '; no promotion recorded yet, nothing to compensate' : ''}; will fence ${fenceTargets.length === 0 ? 'nobody' : fenceTargets.join(', ')}${spared})`,
    [{ kind: 'acquire-lease', fenceTargets, failed, reason, requestId: req?.id, compensate: !lastPrimary && !nothingAcked, timeoutMs: c.t.storeTimeoutMs }],
    'elect',
  );
}

/**
 * A peer this node fenced for an election it then had to give up, while no
 * other node was granted a lease since (the store's last epoch is still that
 * election's): the peer cannot have been promoted meanwhile, so fencing it
 * again would only shoot it twice (a second power-off of a node that may
 * hold the data).
 */
function fencedForRefusal(c: DecideContext, peer: string): boolean {
  const r = c.s.local.refusals;
  return r !== undefined && c.s.store.reachable && c.s.store.lastEpoch === r.epoch && r.fenced.includes(peer);
}

function reportsEligible(c: DecideContext, node: string): boolean {
  return c.s.store.reachable && c.s.store.members.some((m) => m.node === node && m.facts['eligible'] === true);
}

/**
 * A later election prefers the recorded last primary while it is up, says it
 * could take over, and its data goes further than this node's: it promotes
 * without compensation, and nobody fences or compensates for a node that is
 * coming back with every write (simulation seed 5006: a lagging replica won,
 * fenced a peer, could not compensate, and the last primary fenced it again).
 * A last primary whose database is down reports no position and is not waited for.
 */
function lastPrimaryWait(c: DecideContext): string | undefined {
  const s = c.s;
  const last = s.store.reachable ? s.store.lastPrimary?.node : undefined;
  if (last === undefined || last === s.node || forcedHere(c) || c.request?.target === s.node) return undefined;
  const peer = s.store.reachable ? s.store.members.find((m) => m.node === last && m.facts['eligible'] === true) : undefined;
  const theirs = peer?.facts['position'];
  const mine = s.local.eligibility?.position;
  if (typeof theirs !== 'number' || (mine !== undefined && theirs <= mine)) return undefined;
  return `deferring to ${last}, the last primary, which could take over with data further than this node's (position ${theirs} against ${mine ?? 'none'})`;
}

/**
 * The cluster's first election prefers the node whose data goes furthest
 * (the provisioned primary's copy, or the standby nearest to it), so the
 * cluster does not start by promoting a lagging standby. A node defers to a
 * live peer that reports itself eligible with a higher position, and waits
 * up to one lease TTL from its own start for peers that have not reported
 * yet. Later elections need no such wait: compensation brings whoever wins
 * up to every acknowledged write.
 */
function firstElectionWait(c: DecideContext): string | undefined {
  const s = c.s;
  if (!s.store.reachable || s.store.lastEpoch !== 0 || s.local.lastSeenLease !== undefined || forcedHere(c)) return undefined;
  const mine = s.local.eligibility?.position;
  const iServe = s.local.eligibility?.servesAsPrimary === true;
  const reported = s.store.members.filter((m) => m.node !== s.node && m.facts['eligible'] === true);
  const better = reported.filter((m) => typeof m.facts['position'] === 'number' && (mine === undefined || m.facts['position'] > mine));
  const best = better.sort((a, b) => Number(b.facts['position']) - Number(a.facts['position']))[0];
  if (best !== undefined) return `first election: deferring to ${best.node}, whose data goes further (position ${String(best.facts['position'])} against ${mine ?? 'none'})`;
  // Same data: the provisioned primary keeps serving rather than being demoted for a standby of itself.
  const serving = iServe ? undefined : reported.find((m) => m.facts['servesAsPrimary'] === true && m.facts['position'] === mine);
  if (serving !== undefined) return `first election: deferring to ${serving.node}, which already serves as primary with the same data (position ${String(mine)})`;
  const silent = s.peers.filter((p) => !s.store.reachable || !s.store.members.some((m) => m.node === p && typeof m.facts['eligible'] === 'boolean'));
  const startedAt = s.local.firstSeenStoreAtMs ?? c.now;
  const left = startedAt + c.t.leaseTtlMs - c.now;
  if (silent.length > 0 && left > 0) return `first election: waiting up to ${left} ms for ${silent.join(', ')} to report how far their data goes`;
  return undefined;
}
