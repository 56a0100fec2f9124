import { ok, SystemClock, type CallContext, type FenceProof, type FenceRequest, type Outcome } from '@tandem/core';
import { MemoryFencer } from '../fakes/memory-fencer.js';

/** Says ok without a proof. */
export class OkWithoutProofFencer extends MemoryFencer {
  override async fence(request: FenceRequest, ctx: CallContext): Promise<Outcome<FenceProof>> {
    await super.fence(request, ctx);
    return ok('power off sent');
  }
}

/** Proves a stale epoch: the first one it ever fenced at. */
export class StaleEpochFencer extends MemoryFencer {
  private first: number | undefined;
  override async fence(request: FenceRequest, ctx: CallContext): Promise<Outcome<FenceProof>> {
    const o = await super.fence(request, ctx);
    this.first ??= request.epoch;
    return o.code === 'ok' ? ok(o.reason, { verified: 'key registered', epoch: this.first - 1 }) : o;
  }
}

/** Claims a fence but status keeps saying not fenced (the action was never verified). */
export class UnverifiedFencer extends MemoryFencer {
  override async fence(request: FenceRequest, _ctx: CallContext): Promise<Outcome<FenceProof>> {
    return ok('command sent', { verified: 'command exited 0', epoch: request.epoch });
  }
}

/** Ignores the abort signal: a slow fence takes 2 s and then claims success. */
export class IgnoresAbortFencer extends MemoryFencer {
  override async fence(request: FenceRequest, ctx: CallContext): Promise<Outcome<FenceProof>> {
    if (!this.options.slow) return super.fence(request, ctx);
    this.inProgress++;
    await new SystemClock().sleep(2000);
    this.inProgress--;
    return ok('fenced late', { verified: 'power off', epoch: request.epoch });
  }
}
