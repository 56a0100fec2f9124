import type { Timing } from '../config/schema.js';
import type { MemberRecord, OperatorRequest } from '../ports/coordination-store.js';
import { laneOf, type Action } from './actions.js';
import { eligibilityFacts } from './eligibility-rules.js';
import { holdsLease } from './local-state.js';
import type { Snapshot } from './snapshot.js';
import { memberTtlMs, REJOIN_TIMEOUT_MS, requestTimeoutMs } from './timing-rules.js';

/** What one cycle decided. `step` names the failover step this cycle advanced, if any, for the event history. */
export interface Decision {
  readonly actions: readonly Action[];
  readonly summary: string;
  readonly step?: 'detect' | 'self-check' | 'elect' | 'fence' | 'compensate' | 'promote' | 'announce' | 'demote' | 'switchover' | 'alert' | 'recover';
  /**
   * An alert this decision stands for (`type` an `alert.*` event type). The loop raises it once, on the
   * first decision that carries it with this `key`, with the summary as its message; the next ones repeat
   * nothing.
   */
  readonly alert?: { readonly type: string; readonly key: string; readonly data: Readonly<Record<string, unknown>> };
}

/** The snapshot plus facts every decide branch needs, computed once. */
export interface DecideContext {
  readonly s: Snapshot;
  readonly now: number;
  readonly t: Timing;
  readonly leaseBusy: boolean;
  readonly workBusy: boolean;
  readonly monitorBusy: boolean;
  readonly leaseValid: boolean;
  readonly maintenance: boolean;
  /** A pending switchover/failover request younger than its timeout. */
  readonly request: OperatorRequest | undefined;
  /** A pending `rejoin --data` request for this node, younger than its timeout. */
  readonly rejoin: OperatorRequest | undefined;
}

export function contextOf(s: Snapshot, nowMs: number): DecideContext {
  const busy = new Set(s.inFlight.map((f) => laneOf(f.action.kind)));
  const settings = s.store.reachable ? s.store.settings : undefined;
  const req = settings?.request;
  const live = req !== undefined && (req.kind === 'switchover' || req.kind === 'failover') && s.wallMs - req.requestedAtWallMs < requestTimeoutMs(s.timing);
  const rejoin = req !== undefined && req.kind === 'rejoin' && req.target === s.node && s.wallMs - req.requestedAtWallMs < requestTimeoutMs(s.timing) + REJOIN_TIMEOUT_MS;
  return {
    s,
    now: nowMs,
    t: s.timing,
    leaseBusy: busy.has('lease'),
    workBusy: busy.has('work'),
    monitorBusy: busy.has('monitor'),
    leaseValid: holdsLease(s.local, s.store, nowMs),
    maintenance: settings?.maintenance === true,
    request: live ? req : undefined,
    rejoin: rejoin ? req : undefined,
  };
}

export function decision(summary: string, actions: readonly Action[] = [], step?: Decision['step']): Decision {
  return step === undefined ? { actions, summary } : { actions, summary, step };
}

/** The role this node reports in its heartbeat: it must never claim `replica` while it may write. */
export function reportedRole(c: DecideContext): MemberRecord['role'] {
  // A promotion abandoned at its deadline may still land: until it settles, peers must not take this node for a replica.
  if (c.s.local.writing || (c.s.abandoned?.length ?? 0) > 0) return 'primary';
  return c.s.local.role === 'candidate' ? 'candidate' : 'replica';
}

/** Heartbeat when none was sent yet, when the role or eligibility changed, or every renew interval. */
export function withHeartbeat(c: DecideContext, d: Decision): Decision {
  if (!c.s.store.reachable || c.leaseBusy || d.actions.some((a) => laneOf(a.kind) === 'lease')) return d;
  const role = reportedRole(c);
  const facts = eligibilityFacts(c);
  const last = c.s.local.lastHeartbeat;
  // Peers read a replica's eligibility from its heartbeat: a change is worth a heartbeat of its own.
  const sameFacts = role !== 'replica' || last?.eligible === facts['eligible'];
  if (last !== undefined && last.role === role && sameFacts && c.now - last.atMs < Math.min(c.t.leaseRenewIntervalMs, memberTtlMs(c.t) / 2)) return d;
  return { ...d, actions: [...d.actions, heartbeatAction(c, role)] };
}

export function heartbeatAction(c: DecideContext, role: MemberRecord['role']): Action {
  const epoch = c.s.local.lease?.epoch ?? c.s.local.lastSeenLease?.epoch ?? 0;
  return { kind: 'heartbeat', role, epoch, facts: eligibilityFacts(c), timeoutMs: c.t.storeTimeoutMs };
}

/** Members of the store whose fresh heartbeat says they are replicas (and so not writing). */
export function healthyReplicas(c: DecideContext): ReadonlySet<string> {
  if (!c.s.store.reachable) return new Set();
  return new Set(c.s.store.members.filter((m) => m.role === 'replica' && m.remainingMs > 0).map((m) => m.node));
}
