import type { Outcome } from '../contracts/outcome.js';

/**
 * The candidate's self-check: can this node reach its default gateway? A
 * node that cannot must not stand for election (it is more likely the one
 * cut off). The real one pings; the simulation answers over its network.
 * Returns `ok` only on a reply; must honour `signal` and `timeoutMs`.
 */
export interface GatewayChecker {
  check(timeoutMs: number, signal: AbortSignal): Promise<Outcome<{ readonly latencyMs: number }>>;
}

export const GatewayChecker: unique symbol = Symbol.for('tandem.GatewayChecker');
