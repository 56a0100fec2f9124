import {
  ok,
  outcome,
  type CallContext,
  type FenceProof,
  type FenceRequest,
  type Fencer,
  type GatewayChecker,
  type HealthProbe,
  type NodeInfo,
  type Outcome,
  type ProbeData,
  type RecoveryInput,
  type RecoveryPlan,
  type RecoveryReport,
  type PromotionReadiness,
  type RecoveryStrategy,
  type ResourceAgent,
  type ResourceCallContext,
  type ResourceState,
} from '@tandem/core';
import type { ProcessClock, SimProcess } from './sim-process.js';
import type { SimWorld } from './world.js';

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** A fence device (BMC, PDU) reached out of band: it works while the asking node runs; its mode comes from the fault plan. */
export class SimFencer implements Fencer {
  readonly defaultTimeoutMs = 1500;

  constructor(
    private readonly world: SimWorld,
    private readonly process: SimProcess,
    private readonly id: string,
  ) {}

  async fence(request: FenceRequest, ctx: CallContext): Promise<Outcome<FenceProof>> {
    // Judged as sent: the sender may crash (its database stopping) while the command travels.
    const senderFacts = this.world.factsOf(this.process.node);
    await this.world.clock.sleep(this.world.stepMs());
    const mode = this.world.fencerMode(this.id);
    if (mode === 'hang') {
      await aborted(ctx.signal);
      return outcome('timeout', `${this.id}: no answer`);
    }
    if (ctx.signal.aborted) return outcome('timeout', `${this.id}: deadline passed`);
    if (mode === 'fail') return outcome('failed', `${this.id}: device refused`);
    this.world.fence(this.process.node, request.node.name, request.epoch, senderFacts);
    await this.process.gate();
    return ok(`${this.id} fenced ${request.node.name}`, { verified: `${request.node.name} refuses epochs below ${request.epoch}`, epoch: request.epoch });
  }

  async status(node: NodeInfo): Promise<Outcome<{ readonly fenced: boolean }>> {
    return ok('status read', { fenced: this.world.host(node.name).fencedAt > 0 });
  }
}

/**
 * The node's database: primary (it writes), replica (it follows a primary,
 * its WAL mirror receiving) or stopped. It refuses a promotion below the
 * epoch it was fenced at, and cannot follow a primary its log diverged
 * from until `rejoin`.
 */
export class SimResource implements ResourceAgent {
  readonly defaultTimeoutsMs = {};

  constructor(
    private readonly world: SimWorld,
    private readonly clock: ProcessClock,
    private readonly node: string,
  ) {}

  private async step<T>(ctx: CallContext, effect: () => Outcome<T>): Promise<Outcome<T>> {
    await this.clock.sleep(this.world.stepMs());
    if (ctx.signal.aborted) return outcome('timeout', 'deadline passed before the step ran');
    return effect();
  }

  start(ctx: ResourceCallContext): Promise<Outcome> {
    return this.step(ctx, () => this.world.startReplica(this.node, ctx.primary?.name));
  }
  stop(ctx: ResourceCallContext): Promise<Outcome> {
    return this.step(ctx, () => (this.world.stopResource(this.node), ok('stopped')));
  }
  promote(ctx: ResourceCallContext): Promise<Outcome> {
    return this.step(ctx, () => this.world.promoteResource(this.node, ctx.epoch));
  }
  demote(ctx: ResourceCallContext): Promise<Outcome> {
    return this.step(ctx, () => (this.world.demoteResource(this.node), ok('replica')));
  }
  rejoin(ctx: ResourceCallContext): Promise<Outcome> {
    return this.step(ctx, () => this.world.rejoinResource(this.node, ctx.primary?.name));
  }
  readiness(ctx: ResourceCallContext): Promise<Outcome<PromotionReadiness>> {
    return this.step<PromotionReadiness>(ctx, () => {
      const h = this.world.host(this.node);
      if (h.db === 'stopped') return outcome('not-running', 'database stopped');
      if (h.db === 'primary') return outcome('failed', 'database runs as primary');
      const last = h.log[h.log.length - 1];
      return ok('standby running', { position: { offset: h.log.length, label: last === undefined ? '0/0' : `${last.epoch}/${last.pos}` } });
    });
  }
  async monitor(): Promise<Outcome<ResourceState>> {
    const db = this.world.host(this.node).db;
    return db === 'stopped' ? outcome('not-running', 'database stopped') : ok('running', { role: db });
  }
}

/** Pings the gateway across the simulated network; a reply is recorded only when the agent actually gets it in time. */
export class SimGateway implements GatewayChecker {
  constructor(
    private readonly world: SimWorld,
    private readonly process: SimProcess,
  ) {}

  async check(timeoutMs: number, signal: AbortSignal): Promise<Outcome<{ readonly latencyMs: number }>> {
    const start = this.world.clock.monotonicMs();
    const reply = this.world.network.request(this.process, 'gateway', async () => true);
    const answered = await Promise.race([reply, aborted(signal).then(() => false)]);
    if (!answered || signal.aborted) return outcome('timeout', `gateway: no reply within ${timeoutMs} ms`);
    this.world.history.add({ kind: 'gateway-reply', node: this.process.node });
    return ok('gateway replied', { latencyMs: this.world.clock.monotonicMs() - start });
  }
}

/** A network probe: a crashed service answers with a refusal (`failed`), a frozen or cut-off host does not answer. */
export class SimProbe implements HealthProbe {
  readonly dimension = 'network';
  readonly defaultTimeoutMs = 500;

  constructor(
    private readonly world: SimWorld,
    private readonly process: SimProcess,
  ) {}

  async check(target: NodeInfo, ctx: CallContext): Promise<Outcome<ProbeData>> {
    const start = this.world.clock.monotonicMs();
    const code = await this.world.network.request(this.process, target.name, async () => {
      const p = this.world.host(target.name).process;
      if (p.status === 'crashed') return 'failed' as const;
      await p.gate();
      return 'ok' as const;
    });
    if (ctx.signal.aborted) return outcome('timeout', 'probe deadline passed');
    return outcome(code, code === 'ok' ? 'answered' : 'connection refused', { latencyMs: this.world.clock.monotonicMs() - start });
  }
}

/**
 * recovery-compensate in the simulation: replays the candidate's WAL mirror
 * into its log, and refuses a zero-loss promotion when the candidate's
 * database is not running as a replica or would still lack an
 * acknowledged write (unless the operator accepted loss).
 */
export class SimRecovery implements RecoveryStrategy {
  readonly defaultTimeoutMs = 2000;

  constructor(
    private readonly world: SimWorld,
    private readonly clock: ProcessClock,
    private readonly node: string,
  ) {}

  async plan(input: RecoveryInput): Promise<Outcome<RecoveryPlan>> {
    return ok('planned', { steps: [{ id: 'replay', description: `replay the mirror of what ${input.failed.name} wrote` }], summary: 'replay' });
  }

  async execute(input: RecoveryInput, ctx: CallContext): Promise<Outcome<RecoveryReport>> {
    await this.clock.sleep(this.world.stepMs());
    if (ctx.signal.aborted) return outcome('timeout', 'deadline passed');
    const r = this.world.replayMirror(this.node, input.acceptDataLoss);
    if (r.code !== 'ok' || r.data === undefined) return outcome(r.code === 'ok' ? 'failed' : r.code, r.reason);
    return ok(r.reason, { compensated: r.data.compensated, lostBytes: r.data.missing < 0 ? -1 : 0, summary: `${r.reason} (left by ${input.failed.name}, epoch ${input.epoch})` });
  }
}
