import { outcome, type CallContext, type Clock, type CommandRunner, type HealthProbe, type NodeInfo, type Outcome } from '@tandem/core';
import type { HeartbeatProbeOptions } from './heartbeat-options.js';
import { confirmedVerdict, linksVerdict, needsConfirmation, PRIVATE_LINKS, setupProblem, type HeartbeatData } from './heartbeat-verdict.js';
import { pingLinks, planLink, type LinkPlan, type LinkResult } from './link-ping.js';

/** Below this a confirmation round is not worth starting: ping's own wait would be under its 0.1 s floor. */
const MIN_ROUND_MS = 200;

/** The two rounds share the caller's deadline: the private links get half, confirmation what is left minus a margin. */
export function linkRoundMs(timeoutMs: number): number {
  return Math.floor(timeoutMs / 2);
}

export function confirmRoundMs(timeoutMs: number, elapsedMs: number): number {
  const marginMs = Math.min(200, timeoutMs / 10);
  return Math.floor(timeoutMs - elapsedMs - marginMs);
}

/**
 * Heartbeat over both private NICs. Each check pings the peer on privateA
 * and privateB at once, each echo bound to its own local NIC. One answering
 * link is enough (`ok`, marked degraded when the other is lost); when both
 * are silent the peer is pinged on the other networks, so a partitioned
 * peer (alive elsewhere) is told from a dead one in the reason and data.
 */
export class HeartbeatProbe implements HealthProbe {
  readonly dimension: string;
  readonly defaultTimeoutMs: number;
  private readonly linkPlans: readonly LinkPlan[];
  private readonly confirmPlans: readonly LinkPlan[];

  constructor(
    options: HeartbeatProbeOptions,
    local: NodeInfo,
    private readonly runner: CommandRunner,
    private readonly clock: Clock,
  ) {
    this.dimension = options.dimension;
    this.defaultTimeoutMs = options.defaultTimeoutMs;
    this.linkPlans = PRIVATE_LINKS.map((role) => planLink(role, local, options));
    this.confirmPlans = options.confirmOn.map((role) => planLink(role, local, options));
  }

  async check(target: NodeInfo, ctx: CallContext): Promise<Outcome<HeartbeatData>> {
    const staticProblem = this.planProblem(target);
    if (staticProblem !== undefined) return staticProblem;
    if (ctx.signal.aborted) return outcome('timeout', `heartbeat to ${target.name}: abandoned before sending`);
    const started = this.clock.monotonicMs();
    const elapsed = (): number => Math.max(0, this.clock.monotonicMs() - started);
    const links = await pingLinks(this.runner, this.linkPlans, target, linkRoundMs(ctx.timeoutMs), ctx.signal);
    if (ctx.signal.aborted) return outcome('timeout', `heartbeat to ${target.name}: no result within ${ctx.timeoutMs} ms`);
    if (!needsConfirmation(links)) return linksVerdict(target.name, links, elapsed());
    const confirm = await this.confirm(target, ctx, elapsed());
    if (ctx.signal.aborted) return outcome('timeout', `heartbeat to ${target.name}: no result within ${ctx.timeoutMs} ms (${links.map((l) => `${l.role} ${l.state}`).join(', ')})`);
    return confirmedVerdict(target.name, links, confirm, elapsed());
  }

  /** Ping the peer on the other networks it has; with no time left the round gives no verdict, and the links' answer stands. */
  private async confirm(target: NodeInfo, ctx: CallContext, elapsedMs: number): Promise<LinkResult[]> {
    const plans = this.confirmPlans.filter((p) => target.nics[p.role] !== undefined);
    const budgetMs = confirmRoundMs(ctx.timeoutMs, elapsedMs);
    if (budgetMs < MIN_ROUND_MS) {
      return plans.map((p) => ({ role: p.role, state: 'unclear', code: 'timeout', reason: `no time left to confirm (${budgetMs} ms of ${ctx.timeoutMs} ms)` }));
    }
    return pingLinks(this.runner, plans, target, budgetMs, ctx.signal);
  }

  /**
   * Problems the config alone shows, reported on every check rather than
   * only at the bad moment the confirmation round first runs. A peer
   * without a storage NIC is fine (confirmation uses what it has); without
   * any network to confirm on, a dead peer could not be told from a cut
   * heartbeat.
   */
  private planProblem(target: NodeInfo): Outcome<HeartbeatData> | undefined {
    const missing = PRIVATE_LINKS.filter((role) => !target.nics[role]?.address);
    if (missing.length > 0) {
      return outcome('config-error', `node ${target.name} has no ${missing.join(' or ')} NIC for the heartbeat; add nodes.${target.name}.nics.${missing[0]}`);
    }
    if (!this.confirmPlans.some((p) => target.nics[p.role]?.address)) {
      return outcome('config-error', `node ${target.name} has none of the networks in options.confirmOn (${this.confirmPlans.map((p) => p.role).join(', ')}); add its public NIC`);
    }
    const problems = [...this.linkPlans, ...this.confirmPlans].filter((p): p is Extract<LinkPlan, { problem: string }> => 'problem' in p);
    return setupProblem(problems.map((p) => ({ role: p.role, state: 'unclear', code: 'config-error', reason: p.problem })));
  }
}
