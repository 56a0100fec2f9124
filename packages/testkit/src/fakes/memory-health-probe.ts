import { ok, outcome, type CallContext, type Clock, type HealthProbe, type NodeInfo, type Outcome, type ProbeData } from '@tandem/core';
import { abortedOutcome, untilAborted } from './abort-helpers.js';

/**
 * A correct in-memory HealthProbe: nodes named in `healthy` are ok, nodes in
 * `hung` never answer (until the caller aborts), every other node fails.
 */
export class MemoryHealthProbe implements HealthProbe {
  readonly defaultTimeoutMs = 1000;
  readonly healthy = new Set<string>();
  readonly hung = new Set<string>();
  inProgress = 0;

  constructor(
    protected readonly clock: Clock,
    readonly dimension: string = 'network',
  ) {}

  async check(target: NodeInfo, ctx: CallContext): Promise<Outcome<ProbeData>> {
    if (ctx.signal.aborted) return abortedOutcome(ctx.signal, `check ${target.name}`);
    const started = this.clock.monotonicMs();
    if (this.hung.has(target.name)) {
      this.inProgress++;
      await untilAborted(ctx.signal);
      this.inProgress--;
      return abortedOutcome(ctx.signal, `check ${target.name}`);
    }
    const latencyMs = this.clock.monotonicMs() - started;
    return this.healthy.has(target.name) ? ok(`${target.name} healthy`, { latencyMs }) : outcome('failed', `${target.name} is down`);
  }
}
