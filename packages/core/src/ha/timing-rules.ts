import type { Timing } from '../config/schema.js';

/** Fence attempts per election before the candidate gives the lease back. A failed fence is an alert, not an endless retry. */
export const FENCE_ATTEMPTS_MAX = 2;
/** Compensation attempts per election before the candidate gives the lease back. */
export const COMPENSATE_ATTEMPTS_MAX = 2;
/** Restarts of a primary's failed resource group, per epoch, before it hands the lease to a replica. */
export const RESTARTS_MAX = 2;

/**
 * How long before the store would let the lease lapse this node stops
 * trusting it. The validity is counted from when the renewal was *sent*, so
 * the store's own expiry is never earlier; the margin leaves room for the
 * demotion to finish before any other node may take the lease.
 */
export function leaseSafetyMarginMs(t: Timing): number {
  return Math.min(t.storeTimeoutMs, Math.floor(t.leaseTtlMs / 4));
}

/** Member heartbeats lapse no later than a lease would: decide relies on that to skip fencing healthy replicas. */
export function memberTtlMs(t: Timing): number {
  return t.leaseTtlMs;
}

/**
 * A gateway check counts for this long after it answered. At least the
 * check's own timeout: while a dead primary is being confirmed, a cycle lasts
 * as long as its slowest probe, and a shorter window let every answer go
 * stale before the next cycle looked at it (seen in the lab: three checks in
 * a row before a standby stood for election).
 */
export function gatewayFreshMs(t: Timing): number {
  return Math.max(2 * t.probeIntervalMs, t.gatewayTimeoutMs);
}

/** After an election it had to abandon, a node does not stand again for this long (others may have a working fence). */
export function standDownMs(t: Timing): number {
  return t.leaseTtlMs;
}

/** How often every agent heartbeats: a member record older than this round plus a store call is a silent node. */
export function heartbeatRoundMs(t: Timing): number {
  return Math.min(t.leaseRenewIntervalMs, memberTtlMs(t) / 2) + t.storeTimeoutMs;
}

/** Refusals in a row after which the stand-down stops growing. */
export const REFUSALS_BACKOFF_MAX = 4;

/**
 * The stand-down after the `count`-th refused election in a row: doubles
 * each time, from one lease TTL up to 2^REFUSALS_BACKOFF_MAX of them.
 */
export function refusalStandDownMs(t: Timing, count: number): number {
  return standDownMs(t) * 2 ** Math.min(Math.max(count, 1) - 1, REFUSALS_BACKOFF_MAX);
}

/** A replica refreshes its eligibility (for `tandem status` and its peers) this often while it follows a primary. */
export function eligibilityRefreshMs(t: Timing): number {
  return Math.max(10 * t.probeIntervalMs, 10_000);
}

/** An operator request older than this no longer holds other nodes back. */
export function requestTimeoutMs(t: Timing): number {
  return 3 * t.leaseTtlMs + t.actionTimeoutMs;
}

/** Budget for a rejoin: a base backup of a large database takes a while; the node is no candidate meanwhile. */
export const REJOIN_TIMEOUT_MS = 30 * 60_000;

/** Budget for one fence action: every level may use its fencers' full timeout, plus one store round for slack. */
export function fenceActionTimeoutMs(t: Timing, levelCount: number): number {
  return Math.max(1, levelCount) * t.fenceTimeoutMs + t.storeTimeoutMs;
}
