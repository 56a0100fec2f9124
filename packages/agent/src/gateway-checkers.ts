import { callWithDeadline, outcome, type Clock, type CommandRunner, type Composed, type GatewayChecker, type HealthProbe, type NodeInfo, type Outcome } from '@tandem/core';

/** Pings the gateway once with `ping -c 1 -W <s> -n`: what an operator would type. */
export class PingGatewayChecker implements GatewayChecker {
  constructor(
    private readonly runner: CommandRunner,
    private readonly address: string,
  ) {}

  async check(timeoutMs: number, signal: AbortSignal): Promise<Outcome<{ readonly latencyMs: number }>> {
    const waitS = Math.max(1, Math.floor(timeoutMs / 1000));
    const r = await this.runner.run({ file: 'ping', args: ['-c', '1', '-W', String(waitS), '-n', this.address], timeoutMs, signal, readOnly: true });
    switch (r.kind) {
      case 'exited': {
        if (r.exitCode !== 0) return outcome('failed', `no reply from gateway ${this.address} within ${waitS} s`);
        const rtt = /time=([\d.]+) ms/.exec(r.stdout)?.[1];
        return outcome('ok', `gateway ${this.address} replied`, { latencyMs: rtt === undefined ? r.durationMs : Number(rtt) });
      }
      case 'timeout':
      case 'aborted':
        return outcome('timeout', `gateway ${this.address}: no answer within ${timeoutMs} ms`);
      case 'not-installed':
        return outcome('not-installed', r.message);
    }
  }
}

/**
 * Uses a configured probe with `dimension: gateway` (a TCP check, say, where
 * ICMP is filtered) against the gateway address instead of ping.
 */
export class ProbeGatewayChecker implements GatewayChecker {
  private readonly target: NodeInfo;

  constructor(
    private readonly clock: Clock,
    private readonly probe: Composed<HealthProbe>,
    address: string,
  ) {
    this.target = { name: 'gateway', nics: { public: { name: '', address, prefixLength: 32 } } };
  }

  async check(timeoutMs: number, signal: AbortSignal): Promise<Outcome<{ readonly latencyMs: number }>> {
    const started = this.clock.monotonicMs();
    const o = await callWithDeadline(this.clock, timeoutMs, `gateway probe ${this.probe.id}`, (ctx) =>
      this.probe.impl.check(this.target, { ...ctx, signal: AbortSignal.any([ctx.signal, signal]) }),
    );
    return o.code === 'ok' ? outcome('ok', o.reason, { latencyMs: o.data?.latencyMs ?? this.clock.monotonicMs() - started }) : outcome(o.code, o.reason);
  }
}
