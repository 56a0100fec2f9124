import { ok, outcome, type CallContext, type Outcome, type RecoveryInput, type RecoveryPlan, type RecoveryReport, type RecoveryStrategy } from '@tandem/core';
import { abortedOutcome, untilAborted } from './abort-helpers.js';

/** A correct in-memory RecoveryStrategy: replays `pending` units once per epoch and reports the same thing on re-runs. */
export class MemoryRecoveryStrategy implements RecoveryStrategy {
  readonly defaultTimeoutMs = 1000;
  readonly reports = new Map<number, RecoveryReport>();
  inProgress = 0;

  constructor(protected readonly options: { readonly pending?: number; readonly slowExecute?: boolean } = {}) {}

  async plan(input: RecoveryInput, ctx: CallContext): Promise<Outcome<RecoveryPlan>> {
    if (ctx.signal.aborted) return abortedOutcome(ctx.signal, 'plan');
    return ok('planned', {
      steps: [
        { id: 'replay', description: `replay ${this.options.pending ?? 0} units held for ${input.failed.name}` },
        { id: 'verify', description: `verify ${input.candidate.name} reached the sink's position` },
      ],
      summary: `replay then promote ${input.candidate.name} at epoch ${input.epoch}`,
    });
  }

  async execute(input: RecoveryInput, ctx: CallContext): Promise<Outcome<RecoveryReport>> {
    if (ctx.signal.aborted) return abortedOutcome(ctx.signal, 'execute');
    const done = this.reports.get(input.epoch);
    if (done) return ok('already recovered at this epoch', done);
    if (this.options.slowExecute) {
      this.inProgress++;
      await untilAborted(ctx.signal);
      this.inProgress--;
      return abortedOutcome(ctx.signal, 'execute');
    }
    if (input.epoch <= 0) return outcome('failed', 'no epoch: the failed node was not fenced');
    const report: RecoveryReport = { compensated: this.options.pending ?? 0, lostBytes: 0, summary: `replayed ${this.options.pending ?? 0} units` };
    this.reports.set(input.epoch, report);
    return ok(report.summary, report);
  }
}
