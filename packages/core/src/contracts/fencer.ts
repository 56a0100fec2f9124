import type { CallContext, Outcome } from './outcome.js';
import type { NodeInfo } from './node-info.js';

export interface FenceRequest {
  readonly node: NodeInfo;
  /**
   * The fencing token: the lease epoch the new primary holds. Fencers that can
   * carry it (SCSI-3 reservation keys, a fence file) must; a later epoch must
   * always win over an earlier one.
   */
  readonly epoch: number;
  /** Why the node is fenced, for the fencer's own logs and the event history. */
  readonly reason: string;
}

/** Evidence that the node can no longer write, checked after the action. */
export interface FenceProof {
  /** What was verified, in words ("chassis power status: off"). */
  readonly verified: string;
  readonly epoch: number;
}

/**
 * Make sure node N can no longer write, and prove it.
 *
 * - `fence` is idempotent: fencing a node already fenced (at this or a later
 *   epoch) returns `ok`. It returns `ok` only after it has *verified* the
 *   effect (power reads off, reservation held by the new key); an action that
 *   was sent but not verified is `failed` or `timeout`.
 * - `status` reports without changing anything: `ok` with `fenced` set.
 * - `unfence` (optional) lets a fenced node back in for rejoin: power on,
 *   re-register a key. It is idempotent too.
 * - The caller enforces `ctx.timeoutMs`. The core never promotes after a
 *   fence that did not return `ok`.
 */
export interface Fencer {
  readonly defaultTimeoutMs: number;
  fence(request: FenceRequest, ctx: CallContext): Promise<Outcome<FenceProof>>;
  status(node: NodeInfo, ctx: CallContext): Promise<Outcome<{ readonly fenced: boolean }>>;
  unfence?(node: NodeInfo, epoch: number, ctx: CallContext): Promise<Outcome>;
}

export const Fencer: unique symbol = Symbol.for('tandem.Fencer');
