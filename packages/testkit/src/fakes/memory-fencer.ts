import { ok, outcome, type CallContext, type FenceProof, type FenceRequest, type Fencer, type NodeInfo, type Outcome } from '@tandem/core';
import { abortedOutcome, untilAborted } from './abort-helpers.js';

/** A correct in-memory Fencer: remembers the highest epoch each node was fenced at. */
export class MemoryFencer implements Fencer {
  readonly defaultTimeoutMs = 1000;
  /** Node name to the epoch it is fenced at; absent when not fenced. */
  readonly fencedAt = new Map<string, number>();
  inProgress = 0;

  constructor(protected readonly options: { readonly slow?: boolean } = {}) {}

  async fence(request: FenceRequest, ctx: CallContext): Promise<Outcome<FenceProof>> {
    if (ctx.signal.aborted) return abortedOutcome(ctx.signal, 'fence');
    if (this.options.slow) {
      this.inProgress++;
      await untilAborted(ctx.signal);
      this.inProgress--;
      return abortedOutcome(ctx.signal, 'fence');
    }
    const current = this.fencedAt.get(request.node.name) ?? 0;
    this.fencedAt.set(request.node.name, Math.max(current, request.epoch));
    return ok(`${request.node.name} fenced`, { verified: `memory fence holds epoch ${this.fencedAt.get(request.node.name)}`, epoch: request.epoch });
  }

  async status(node: NodeInfo, ctx: CallContext): Promise<Outcome<{ readonly fenced: boolean }>> {
    if (ctx.signal.aborted) return abortedOutcome(ctx.signal, 'status');
    return ok(this.fencedAt.has(node.name) ? 'fenced' : 'not fenced', { fenced: this.fencedAt.has(node.name) });
  }

  async unfence(node: NodeInfo, _epoch: number, ctx: CallContext): Promise<Outcome> {
    if (ctx.signal.aborted) return abortedOutcome(ctx.signal, 'unfence');
    this.fencedAt.delete(node.name);
    return outcome('ok', `${node.name} unfenced`);
  }
}
