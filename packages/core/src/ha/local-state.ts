import type { Timing } from '../config/schema.js';
import type { Lease, MemberRecord } from '../ports/coordination-store.js';
import { recordStreak, type FailureStreaks } from './action-backoff.js';
import type { ActionResult } from './actions.js';
import type { StoreView } from './snapshot.js';
import { COMPENSATE_ATTEMPTS_MAX, FENCE_ATTEMPTS_MAX, leaseSafetyMarginMs, refusalStandDownMs, standDownMs } from './timing-rules.js';

/** `candidate`: holds the lease and is working through a failover; `primary`: holds it and serves writes. */
export type LocalRole = 'replica' | 'candidate' | 'primary';

/** The lease as this node believes it holds it, in its own monotonic time. */
export interface HeldLease {
  readonly epoch: number;
  readonly renewedAtMs: number;
  /** renewedAt + leaseTtl - safety margin: past this the node must not write. */
  readonly validUntilMs: number;
}

export type FailoverPhase = 'fence' | 'compensate' | 'promote';

export interface FailoverProgress {
  readonly reason: 'failover' | 'switchover' | 'bootstrap';
  readonly epoch: number;
  /** The node that failed or is switched away from; undefined at bootstrap. */
  readonly failed: string | undefined;
  readonly requestId: string | undefined;
  readonly phase: FailoverPhase;
  readonly targets: readonly string[];
  readonly fenced: readonly string[];
  readonly fenceFailures: number;
  readonly compensateFailures: number;
  readonly startedAtMs: number;
  /** False on the last recorded primary: fence, then promote with nothing to replay. */
  readonly compensate: boolean;
}

/** The last eligibility check: could this node finish a promotion now? */
export interface EligibilityCheck {
  readonly ok: boolean;
  readonly atMs: number;
  readonly reason: string;
  /** Whether the check accepted cleanly stopped resources (asked as the last primary). */
  readonly acceptStopped: boolean;
  /** The highest position a resource reported, when any did. */
  readonly position?: number;
  /** A resource already serves as primary here (see PromotionReadiness.servesAsPrimary). */
  readonly servesAsPrimary?: boolean;
}

/**
 * Elections this node gave up since another node last held the lease. Each
 * makes the next stand-down longer, and peers fenced for them are not fenced
 * again while no other node was granted a lease: they cannot have written.
 */
export interface Refusals {
  readonly count: number;
  /** The epoch of the last abandoned election. */
  readonly epoch: number;
  readonly fenced: readonly string[];
  readonly lastReason: string;
}

/** A node's own memory between cycles. Changed only by `applyResult` and `observeLease`. */
export interface LocalState {
  readonly node: string;
  readonly role: LocalRole;
  readonly lease: HeldLease | undefined;
  /** Resources are (or may be, after a failed demote) promoted here. */
  readonly writing: boolean;
  readonly failover: FailoverProgress | undefined;
  /** Set once resources are demoted and the lease must be handed back. */
  readonly releasing: boolean;
  readonly gateway: { readonly ok: boolean; readonly atMs: number; readonly reason: string } | undefined;
  readonly lastHeartbeat: { readonly atMs: number; readonly role: MemberRecord['role']; readonly eligible?: MemberRecord['facts'][string] } | undefined;
  readonly eligibility: EligibilityCheck | undefined;
  readonly refusals: Refusals | undefined;
  /** When this agent's first cycle saw the store (monotonic ms): a first election waits a while for peers to report their data. */
  readonly firstSeenStoreAtMs: number | undefined;
  /** Failures in a row per kind of action: what `withBackoff` holds back. */
  readonly streaks: FailureStreaks;
  /** Since when the store has not answered (or was not trusted), while it does not. */
  readonly storeLostAtMs: number | undefined;
  /** When the store answered again after an outage: member records may have lapsed meanwhile. */
  readonly storeBackAtMs: number | undefined;
  readonly standDownUntilMs: number | undefined;
  /** A request this node fulfilled and must clear in the store. */
  readonly completeRequestId: string | undefined;
  /** The last lease holder this node saw in the store. */
  readonly lastSeenLease: Lease | undefined;
  /**
   * The epoch of a lease under this node's name that the store said is another agent process's (an acquire
   * refused with `heldByOtherProcess`): a previous run of this agent, or another agent configured with this
   * name. While the store shows that epoch this node waits for it to lapse instead of asking again.
   */
  readonly leaseOfOtherProcess: number | undefined;
  readonly lastResults: readonly ActionResult[];
  /** The primary's resource monitor: consecutive failures and restarts at this epoch. */
  readonly resources: ResourceHealth | undefined;
  /** The primary (and epoch) this replica's resources and transports were last set up to follow. */
  readonly following: { readonly primary: string; readonly epoch: number } | undefined;
  /** After a failed follow: not before this time again (monotonic ms). */
  readonly followRetryAtMs: number | undefined;
}

export interface ResourceHealth {
  readonly checkedAtMs: number;
  readonly failures: number;
  readonly restarts: number;
  readonly reason: string;
}

export function initialLocalState(node: string): LocalState {
  return {
  node,
  role: 'replica',
  lease: undefined,
  // A freshly started agent cannot know whether its resources are still promoted (only the agent may have died), so it assumes they are and demotes them first.
  writing: true,
  failover: undefined,
  releasing: false,
  gateway: undefined,
  lastHeartbeat: undefined,
  eligibility: undefined,
  refusals: undefined,
  firstSeenStoreAtMs: undefined,
  storeLostAtMs: undefined,
  streaks: {},
  storeBackAtMs: undefined,
  standDownUntilMs: undefined,
  completeRequestId: undefined,
  lastSeenLease: undefined,
  leaseOfOtherProcess: undefined,
  lastResults: [],
  resources: undefined,
  following: undefined,
  followRetryAtMs: undefined,
  };
}

const LAST_RESULTS_MAX = 10;
/** A replica whose follow failed (the primary's database not reachable yet) tries again after this. */
export const FOLLOW_RETRY_MS = 3000;
/** After a failed automatic rejoin (`rejoin: auto`), not before this time again. */
export const AUTO_REJOIN_RETRY_MS = 60_000;

/**
 * Fold what the store said at the start of a cycle into the node's memory:
 * remember the holder it reported, and drop a lease this node can no longer
 * trust when nothing is written under it (a writing node keeps it until
 * decide has demoted it, so the demotion is never skipped). Pure.
 */
export function observeStore(state: LocalState, store: StoreView, nowMs: number): LocalState {
  const started = trackOutage(state.firstSeenStoreAtMs === undefined && store.reachable ? { ...state, firstSeenStoreAtMs: nowMs } : state, store, nowMs);
  const seenLease = store.reachable && store.lease !== undefined ? { ...started, lastSeenLease: store.lease } : started;
  // Another node was granted a lease after our last refusal: the situation is new, so is the count.
  const r = seenLease.refusals;
  const seen = r !== undefined && store.reachable && store.lease !== undefined && store.lease.holder !== state.node && store.lease.epoch > r.epoch ? { ...seenLease, refusals: undefined } : seenLease;
  if (seen.lease === undefined || seen.writing || holdsLease(seen, store, nowMs)) return seen;
  return { ...seen, lease: undefined, failover: undefined, releasing: false, role: 'replica' };
}

function trackOutage(s: LocalState, store: StoreView, nowMs: number): LocalState {
  if (!store.reachable) return s.storeLostAtMs === undefined ? { ...s, storeLostAtMs: nowMs } : s;
  return s.storeLostAtMs === undefined ? s : { ...s, storeLostAtMs: undefined, storeBackAtMs: nowMs };
}

/** True while this node may act under its lease: not past its own validity and not contradicted by the store. */
export function holdsLease(state: LocalState, store: StoreView, nowMs: number): boolean {
  const l = state.lease;
  if (l === undefined || nowMs >= l.validUntilMs) return false;
  if (!store.reachable) return true;
  return store.lease !== undefined && store.lease.holder === state.node && store.lease.epoch === l.epoch;
}

/** Fold one finished action into the node's memory. Pure. */
export function applyResult(state: LocalState, r: ActionResult, timing: Timing): LocalState {
  const s = { ...state, lastResults: [...state.lastResults, r].slice(-LAST_RESULTS_MAX), streaks: recordStreak(state.streaks, r) };
  const a = r.action;
  const ok = r.code === 'ok';
  switch (a.kind) {
    case 'heartbeat':
      return ok ? { ...s, lastHeartbeat: { atMs: r.startedAtMs, role: a.role, eligible: a.facts['eligible'] } } : s;
    case 'check-gateway':
      return { ...s, gateway: { ok, atMs: r.finishedAtMs, reason: r.reason } };
    case 'check-eligibility': {
      const position = r.data?.position;
      const primary = r.data?.servesAsPrimary === true ? { servesAsPrimary: true } : {};
      return { ...s, eligibility: { ok, atMs: r.finishedAtMs, reason: r.reason, acceptStopped: a.acceptStopped, ...(position === undefined ? {} : { position }), ...primary } };
    }
    case 'renew-lease':
      return applyRenew(s, r, timing);
    case 'acquire-lease':
      return applyAcquire(s, r, timing);
    case 'release-lease':
      return { ...s, lease: undefined, releasing: false, role: s.writing ? s.role : 'replica' };
    case 'fence':
      return applyFence(s, r, timing);
    case 'compensate':
      return applyCompensate(s, r, timing);
    case 'promote':
      return applyPromote(s, r, timing);
    case 'demote':
      return applyDemote(s, r, timing);
    case 'complete-request':
      return { ...s, completeRequestId: undefined };
    case 'monitor': {
      const h = s.resources ?? { checkedAtMs: 0, failures: 0, restarts: 0, reason: '' };
      return { ...s, resources: { ...h, checkedAtMs: r.finishedAtMs, failures: ok ? 0 : h.failures + 1, reason: r.reason } };
    }
    case 'rejoin':
      // Cleared either way: the event says how it went, and the operator asks again after a failure.
      // An automatic rejoin that failed waits like a failed follow, only longer (it may copy a whole database).
      return ok
        ? { ...s, following: { primary: a.primary, epoch: a.epoch }, followRetryAtMs: undefined, completeRequestId: a.requestId }
        : { ...s, following: undefined, completeRequestId: a.requestId, followRetryAtMs: a.requestId === undefined ? r.finishedAtMs + AUTO_REJOIN_RETRY_MS : s.followRetryAtMs };
    case 'follow':
      return ok
        ? { ...s, following: { primary: a.primary, epoch: a.epoch }, followRetryAtMs: undefined }
        : { ...s, following: undefined, followRetryAtMs: r.finishedAtMs + FOLLOW_RETRY_MS };
    case 'restart': {
      // A restart abandoned at its deadline that finished later may have promoted the group again.
      if (r.data?.late === true) return { ...s, writing: true };
      // The restarted group gets fresh confirmations before it is judged again.
      const h = s.resources ?? { checkedAtMs: 0, failures: 0, restarts: 0, reason: '' };
      return { ...s, resources: { ...h, checkedAtMs: r.finishedAtMs, failures: 0, restarts: h.restarts + 1, reason: r.reason } };
    }
  }
}

function heldFrom(epoch: number, startedAtMs: number, timing: Timing): HeldLease {
  return { epoch, renewedAtMs: startedAtMs, validUntilMs: startedAtMs + timing.leaseTtlMs - leaseSafetyMarginMs(timing) };
}

function applyRenew(s: LocalState, r: ActionResult, timing: Timing): LocalState {
  if (r.code !== 'ok' || s.lease === undefined || r.action.kind !== 'renew-lease' || r.action.epoch !== s.lease.epoch) return s;
  if (r.data?.acquired === true) return { ...s, lease: heldFrom(s.lease.epoch, r.startedAtMs, timing) };
  // The store says we no longer hold it: forget it now; decide demotes on the next cycle.
  return { ...s, lease: undefined, failover: undefined, role: s.writing ? s.role : 'replica', releasing: false };
}

function applyAcquire(s: LocalState, r: ActionResult, timing: Timing): LocalState {
  const a = r.action;
  if (a.kind === 'acquire-lease' && r.code === 'ok' && r.data?.acquired === false && r.data.heldByOtherProcess === true && r.data.lease !== undefined) {
    return { ...s, leaseOfOtherProcess: r.data.lease.epoch };
  }
  if (a.kind !== 'acquire-lease' || r.code !== 'ok' || r.data?.acquired !== true || r.data.lease === undefined) return s;
  const epoch = r.data.lease.epoch;
  const failover: FailoverProgress = {
    reason: a.reason,
    epoch,
    failed: a.failed,
    requestId: a.requestId,
    // The first lease of a cluster follows no writer: nothing can be in flight, so there is nothing to
    // compensate (a strategy that takes a failed primary's log over would have no primary to take it from).
    // Nor on the last recorded primary: nobody was promoted after it, so its own data is the newest.
    phase: a.fenceTargets.length > 0 ? 'fence' : a.reason === 'bootstrap' || !a.compensate ? 'promote' : 'compensate',
    compensate: a.compensate && a.reason !== 'bootstrap',
    targets: a.fenceTargets,
    fenced: [],
    fenceFailures: 0,
    compensateFailures: 0,
    startedAtMs: r.startedAtMs,
  };
  return { ...s, role: 'candidate', lease: heldFrom(epoch, r.startedAtMs, timing), failover, releasing: false, following: undefined };
}

/**
 * Give up this election: keep the lease only long enough to hand it back, and
 * stand down for a while, longer after each refusal in a row, so a node
 * that cannot finish a promotion does not take the lease (and fence) again
 * and again. Peers it fenced are remembered for the next try.
 */
function abandon(s: LocalState, r: ActionResult, timing: Timing): LocalState {
  const f = s.failover;
  const prev = s.refusals;
  const fenced = [...new Set([...(prev?.fenced ?? []), ...(f?.fenced ?? [])])].sort();
  const refusals: Refusals = { count: (prev?.count ?? 0) + 1, epoch: f?.epoch ?? prev?.epoch ?? 0, fenced, lastReason: `${describeStep(r)}: ${r.reason}` };
  return {
    ...s,
    failover: undefined,
    role: s.writing ? s.role : 'replica',
    releasing: s.lease !== undefined,
    standDownUntilMs: r.finishedAtMs + refusalStandDownMs(timing, refusals.count),
    refusals,
    // A switchover to this node that it cannot finish is over: cleared, so the others stop waiting for it.
    ...(f?.reason === 'switchover' && f.requestId !== undefined ? { completeRequestId: f.requestId } : {}),
  };
}

function describeStep(r: ActionResult): string {
  return r.action.kind === 'fence' ? `fence ${r.action.node}` : r.action.kind;
}

function currentStep(s: LocalState, epoch: number): FailoverProgress | undefined {
  return s.failover !== undefined && s.failover.epoch === epoch ? s.failover : undefined;
}

function applyFence(s: LocalState, r: ActionResult, timing: Timing): LocalState {
  const a = r.action;
  if (a.kind !== 'fence') return s;
  const f = currentStep(s, a.epoch);
  if (f === undefined || f.phase !== 'fence') return s;
  if (r.code === 'ok') {
    const fenced = f.fenced.includes(a.node) ? f.fenced : [...f.fenced, a.node];
    const done = f.targets.every((t) => fenced.includes(t));
    return { ...s, failover: { ...f, fenced, phase: !done ? 'fence' : f.compensate ? 'compensate' : 'promote' } };
  }
  const fenceFailures = f.fenceFailures + 1;
  return fenceFailures >= FENCE_ATTEMPTS_MAX ? abandon(s, r, timing) : { ...s, failover: { ...f, fenceFailures } };
}

function applyCompensate(s: LocalState, r: ActionResult, timing: Timing): LocalState {
  const a = r.action;
  if (a.kind !== 'compensate') return s;
  const f = currentStep(s, a.epoch);
  if (f === undefined || f.phase !== 'compensate') return s;
  if (r.code === 'ok') return { ...s, failover: { ...f, phase: 'promote' } };
  const compensateFailures = f.compensateFailures + 1;
  return compensateFailures >= COMPENSATE_ATTEMPTS_MAX ? abandon(s, r, timing) : { ...s, failover: { ...f, compensateFailures } };
}

function applyPromote(s: LocalState, r: ActionResult, timing: Timing): LocalState {
  const a = r.action;
  if (a.kind !== 'promote') return s;
  const f = currentStep(s, a.epoch);
  if (f === undefined) return { ...s, writing: true }; // promoted for an election we already left: decide demotes at once
  if (r.code !== 'ok') return abandon({ ...s, writing: true }, r, timing); // partly promoted: demote before handing back
  return { ...s, role: 'primary', writing: true, failover: undefined, completeRequestId: f.requestId, resources: undefined, refusals: undefined };
}

function applyDemote(s: LocalState, r: ActionResult, timing: Timing): LocalState {
  const a = r.action;
  if (a.kind !== 'demote' || r.code !== 'ok') return s; // still possibly writing: decide demotes again next cycle
  const handOver = a.reason === 'switchover' || a.reason === RESOURCE_FAILURE;
  const keepLease = s.lease !== undefined && (handOver || s.releasing);
  // A node whose resources kept failing stands down, so that a replica wins the next election rather than itself.
  const standDownUntilMs = a.reason === RESOURCE_FAILURE ? r.finishedAtMs + standDownMs(timing) : s.standDownUntilMs;
  return { ...s, writing: false, role: 'replica', failover: undefined, releasing: keepLease, lease: keepLease ? s.lease : undefined, resources: undefined, standDownUntilMs, following: undefined };
}

/** The demote reason of a primary handing over because its resources keep failing. */
export const RESOURCE_FAILURE = 'resources keep failing';
