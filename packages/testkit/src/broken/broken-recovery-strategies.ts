import { ok, type CallContext, type Outcome, type RecoveryInput, type RecoveryPlan, type RecoveryReport } from '@tandem/core';
import { MemoryRecoveryStrategy } from '../fakes/memory-recovery-strategy.js';

/** Plans differently every time it is asked (a plan with side effects). */
export class DriftingPlanStrategy extends MemoryRecoveryStrategy {
  private calls = 0;
  override async plan(input: RecoveryInput, ctx: CallContext): Promise<Outcome<RecoveryPlan>> {
    const o = await super.plan(input, ctx);
    this.calls++;
    return o.data ? ok(o.reason, { ...o.data, summary: `${o.data.summary} (attempt ${this.calls})` }) : o;
  }
}

/** Returns ok with data lost although the operator did not accept loss. */
export class SilentLossStrategy extends MemoryRecoveryStrategy {
  override async execute(input: RecoveryInput, ctx: CallContext): Promise<Outcome<RecoveryReport>> {
    const o = await super.execute(input, ctx);
    return o.data ? ok(o.reason, { ...o.data, lostBytes: 4096 }) : o;
  }
}

/** Replays again on every run: re-running at the same epoch gives a different report. */
export class NotIdempotentStrategy extends MemoryRecoveryStrategy {
  private runs = 0;
  override async execute(input: RecoveryInput, ctx: CallContext): Promise<Outcome<RecoveryReport>> {
    if (ctx.signal.aborted) return super.execute(input, ctx);
    this.runs++;
    return ok('replayed', { compensated: 10 * this.runs, lostBytes: 0, summary: `replayed ${10 * this.runs} units` });
  }
}
