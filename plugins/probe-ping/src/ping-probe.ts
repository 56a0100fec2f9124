import { ok, outcome, type CallContext, type Clock, type CommandRunner, type HealthProbe, type NodeInfo, type Outcome, type ProbeData } from '@tandem/core';
import { classifyPing } from './classify-ping.js';
import { pingSpec } from './ping-command.js';
import type { PingProbeOptions } from './ping-probe-options.js';

/**
 * Does the target answer one ICMP echo on the chosen NIC? Runs the system
 * `ping` through the CommandRunner port, with ping's own wait set a little
 * under the caller's deadline so a silent target is a counted failure.
 */
export class PingProbe implements HealthProbe {
  readonly dimension: string;
  readonly defaultTimeoutMs: number;

  constructor(
    private readonly options: PingProbeOptions,
    private readonly runner: CommandRunner,
    private readonly clock: Clock,
  ) {
    this.dimension = options.dimension;
    this.defaultTimeoutMs = options.defaultTimeoutMs;
  }

  async check(target: NodeInfo, ctx: CallContext): Promise<Outcome<ProbeData>> {
    const address = this.options.address ?? target.nics[this.options.nic]?.address;
    if (!address) {
      return outcome('config-error', `node ${target.name} has no ${this.options.nic} NIC to ping; set options.address or add nodes.${target.name}.nics.${this.options.nic}`);
    }
    const where = `${target.name} ${address}${this.options.sourceInterface ? ` via ${this.options.sourceInterface}` : ''}`;
    if (ctx.signal.aborted) return outcome('timeout', `ping ${where}: abandoned before sending`);
    const started = this.clock.monotonicMs();
    const result = await this.runner.run(pingSpec(address, this.options, ctx.timeoutMs, ctx.signal));
    const latencyMs = Math.max(0, this.clock.monotonicMs() - started);
    // A run that raced the abort may still have exited; the caller has given up, so report what it sees.
    if (ctx.signal.aborted && result.kind !== 'not-installed') return outcome('timeout', `ping ${where}: no result within ${ctx.timeoutMs} ms`);
    const verdict = classifyPing(where, result, ctx.timeoutMs);
    return verdict.code === 'ok' ? ok(verdict.reason, { latencyMs }) : outcome(verdict.code, verdict.reason);
  }
}
