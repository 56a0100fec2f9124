import type { CallContext, Outcome } from './outcome.js';
import type { NodeInfo } from './node-info.js';
import type { StreamPosition } from './replication-transport.js';

/** What the HA cycle knows when it asks a strategy to act. */
export interface RecoveryInput {
  /** The node that failed (or is being switched away from). */
  readonly failed: NodeInfo;
  /** The node that will serve afterwards: the local node. */
  readonly candidate: NodeInfo;
  /** Epoch of the lease the candidate holds; the failed node is fenced at it. */
  readonly epoch: number;
  /** `planned` for a switchover (the old primary is alive and demoted). */
  readonly kind: 'failover' | 'switchover';
  /** Operator override: promote even if data would be lost (`failover --accept-data-loss`). */
  readonly acceptDataLoss: boolean;
}

export interface RecoveryStep {
  readonly id: string;
  readonly description: string;
}

export interface RecoveryPlan {
  readonly steps: readonly RecoveryStep[];
  readonly summary: string;
}

export interface RecoveryReport {
  /** Units replayed (bytes of WAL, pages, records), and the range they covered. */
  readonly compensated: number;
  readonly from?: StreamPosition;
  readonly to?: StreamPosition;
  /** Known loss when the operator accepted it; 0 for a zero-loss recovery. */
  readonly lostBytes: number;
  readonly summary: string;
}

/**
 * Given a confirmed failure, plan and run the steps that restore service or data.
 *
 * - `plan` has no side effects and may be called any number of times; the
 *   CLI shows it to operators.
 * - `execute` runs after fencing succeeded and before promotion. It is
 *   idempotent per epoch: re-running after a crash continues or returns the
 *   same report. It returns `failed` (never a partial `ok`) when it cannot
 *   reach zero loss and `acceptDataLoss` is false.
 * - The caller enforces `ctx.timeoutMs`.
 */
export interface RecoveryStrategy {
  readonly defaultTimeoutMs: number;
  plan(input: RecoveryInput, ctx: CallContext): Promise<Outcome<RecoveryPlan>>;
  execute(input: RecoveryInput, ctx: CallContext): Promise<Outcome<RecoveryReport>>;
}

export const RecoveryStrategy: unique symbol = Symbol.for('tandem.RecoveryStrategy');
