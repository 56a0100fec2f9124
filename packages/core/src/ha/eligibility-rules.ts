import type { MemberRecord, PrimaryRecord } from '../ports/coordination-store.js';
import type { DecideContext } from './decide-context.js';
import { eligibilityRefreshMs, gatewayFreshMs } from './timing-rules.js';

/**
 * Where this node stands as a candidate, from its own memory and the
 * store's record of the last promotion:
 * - `last-primary`: the store's newest promotion is this node, so nobody
 *   was promoted after it and its data is the newest; it may take over with
 *   its database stopped, and has nothing to compensate.
 * - `stale`: it was promoted once and another node was promoted after it,
 *   and it has not rejoined since. Its log may hold writes nobody else has
 *   and lack acknowledged ones; it must rejoin before it stands.
 * - `sole-copy-elsewhere`: the last primary is another node that
 *   acknowledged writes with its own copy only (the store's mark): nobody
 *   else has them, so nobody else replaces it.
 * - `replica`: it may stand once its resources say they are ready.
 */
export type Standing =
  | { readonly kind: 'last-primary' }
  | { readonly kind: 'replica' }
  | { readonly kind: 'stale'; readonly reason: string }
  | { readonly kind: 'sole-copy-elsewhere'; readonly reason: string };

/** The reason a standing keeps this node out of elections (an operator's forced failover aside), if it does. */
export function barredBy(standing: Standing): string | undefined {
  return standing.kind === 'stale' || standing.kind === 'sole-copy-elsewhere' ? standing.reason : undefined;
}

export function standingOf(c: DecideContext): Standing {
  const { memory, node } = c.s;
  const last = c.s.store.reachable ? c.s.store.lastPrimary : undefined;
  if (last !== undefined && last.node === node) return { kind: 'last-primary' };
  if (memory.promotedEpoch <= memory.rejoinedEpoch || c.s.keepsData === false) return last?.soleCopy === true ? soleCopyElsewhere(node, last) : { kind: 'replica' };
  const after =
    last === undefined
      ? 'the store records no promotion since'
      : last.epoch <= memory.promotedEpoch
        ? `the store's newest promotion (${last.node} at epoch ${last.epoch}) is not later than it: the store was replaced, or this node's record belongs to another cluster`
        : `${last.node} was promoted at epoch ${last.epoch} after it`;
  return { kind: 'stale', reason: `${node} was primary at epoch ${memory.promotedEpoch} and ${after}; it has not rejoined (tandem rejoin ${node} --data)` };
}

function soleCopyElsewhere(node: string, last: PrimaryRecord): Standing {
  const reason = `${last.node}, primary since epoch ${last.epoch}, acknowledged writes with its own copy only (no standby had caught up with it); no other node has them: waiting for ${last.node} to come back, or for an operator to accept the loss (tandem failover --to ${node} --accept-data-loss)`;
  return { kind: 'sole-copy-elsewhere', reason };
}

/** The operator's `failover --to <this node> --accept-data-loss`: stand even when stale or stopped. */
export function forcedHere(c: DecideContext): boolean {
  const r = c.request;
  return r?.kind === 'failover' && r.target === c.s.node && r.acceptDataLoss === true;
}

/**
 * The cluster's first election: the store never granted a lease and this node
 * never saw one. No writer came before it, so nothing is in flight: databases
 * handed over stopped may start, and transports that have never streamed
 * (no mirror yet) need not be readable.
 */
export function firstElection(c: DecideContext): boolean {
  const st = c.s.store;
  return st.reachable && st.lastEpoch === 0 && st.lease === undefined && c.s.local.lastSeenLease === undefined;
}

/** Whether a readiness check must accept a cleanly stopped database here. */
export function acceptStopped(c: DecideContext): boolean {
  return standingOf(c).kind === 'last-primary' || forcedHere(c) || firstElection(c) || neverPromoted(c);
}

/**
 * A trusted store that records no promotion, and a node that never promoted: no writer ever acknowledged a
 * write (a promotion is recorded before any resource is promoted), so a stopped database loses nothing and there
 * is nothing to compensate (simulation seed 5090: a lease granted, the store emptied before the
 * promotion, both nodes crashed; neither database ran again and no node ever stood).
 */
export function neverPromoted(c: DecideContext): boolean {
  const st = c.s.store;
  return st.reachable && st.lastPrimary === undefined && c.s.memory.promotedEpoch === 0;
}

/** The last eligibility answer counts for standing only while fresh, and only if asked the way it is needed now. */
export function eligibilityFresh(c: DecideContext): boolean {
  const e = c.s.local.eligibility;
  return e !== undefined && c.now - e.atMs <= gatewayFreshMs(c.t) && e.acceptStopped === acceptStopped(c);
}

/** A replica's periodic check (for its peers and `tandem status`); also refreshed when a failure is being confirmed. */
export function eligibilityDue(c: DecideContext, urgent: boolean): boolean {
  const e = c.s.local.eligibility;
  if (e === undefined || e.acceptStopped !== acceptStopped(c)) return true;
  return c.now - e.atMs > (urgent ? gatewayFreshMs(c.t) / 2 : eligibilityRefreshMs(c.t));
}

/** The reason a node gives before its first eligibility check: not known yet, so not "cannot". */
export const UNCHECKED = 'eligibility not checked yet';

/** Why this node would not stand for election now, or undefined when it would (as far as it knows). */
export function ineligibleReason(c: DecideContext): string | undefined {
  const abandoned = c.s.abandoned ?? [];
  if (abandoned.length > 0) return `an abandoned ${abandoned.map((a) => a.action.kind).join(', ')} may still finish here`;
  const barred = barredBy(standingOf(c));
  if (barred !== undefined && !forcedHere(c)) return barred;
  const l = c.s.local;
  if (l.standDownUntilMs !== undefined && c.now < l.standDownUntilMs && l.refusals !== undefined) {
    return `standing down for ${l.standDownUntilMs - c.now} ms after ${l.refusals.count} refused election(s) (${l.refusals.lastReason})`;
  }
  const e = l.eligibility;
  if (e === undefined) return UNCHECKED;
  if (!e.ok) return e.reason;
  const g = l.gateway;
  if (g !== undefined && !g.ok) return `gateway check failed (${g.reason})`;
  return undefined;
}

/** What the heartbeat tells peers and `tandem status` about this node as a candidate. */
export function eligibilityFacts(c: DecideContext): MemberRecord['facts'] {
  const l = c.s.local;
  const position = l.eligibility?.ok === true ? (l.eligibility.position ?? null) : null;
  // Only when true: the heartbeat of every other node stays as it was.
  const serving: MemberRecord['facts'] = l.eligibility?.ok === true && l.eligibility.servesAsPrimary === true ? { servesAsPrimary: true } : {};
  if (l.writing || l.role !== 'replica') return { eligible: true, ineligible: null, position, ...serving };
  const why = ineligibleReason(c);
  return { eligible: why === undefined, ineligible: why ?? null, position, ...serving };
}
