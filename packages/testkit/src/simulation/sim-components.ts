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
    await this.world.clock.sleep(this.world.stepMs());
    const mode = this.world.fencerMode(this.id);
    if (mode === 'hang') {
      await aborted(ctx.signal);
      return outcome('timeout', `${this.id}: no answer`);
    }
    if (ctx.signal.aborted) return outcome('timeout', `${this.id}: deadline passed`);
    if (mode === 'fail') return outcome('failed', `${this.id}: device refused`);
    this.world.fence(this.process.node, request.node.name, request.epoch);
    await this.process.gate();
    return ok(`${this.id} fenced ${request.node.name}`, { verified: `${request.node.name} refuses epochs below ${request.epoch}`, epoch: request.epoch });
  }

  async status(node: NodeInfo): Promise<Outcome<{ readonly fenced: boolean }>> {
    return ok('status read', { fenced: this.world.host(node.name).fencedAt > 0 });
  }
}

/** The node's database: it writes while promoted, and refuses a promotion below the epoch it was fenced at. */
export class SimResource implements ResourceAgent {
  readonly defaultTimeoutsMs = {};

  constructor(
    private readonly world: SimWorld,
    private readonly clock: ProcessClock,
    private readonly node: string,
  ) {}

  private async step(ctx: CallContext, effect: () => Outcome): Promise<Outcome> {
    await this.clock.sleep(this.world.stepMs());
    if (ctx.signal.aborted) return outcome('timeout', 'deadline passed before the step ran');
    return effect();
  }

  start(ctx: ResourceCallContext): Promise<Outcome> {
    return this.step(ctx, () => ok('running'));
  }
  stop(ctx: ResourceCallContext): Promise<Outcome> {
    return this.step(ctx, () => (this.world.demoteResource(this.node), ok('stopped')));
  }
  promote(ctx: ResourceCallContext): Promise<Outcome> {
    return this.step(ctx, () => this.world.promoteResource(this.node, ctx.epoch));
  }
  demote(ctx: ResourceCallContext): Promise<Outcome> {
    return this.step(ctx, () => (this.world.demoteResource(this.node), ok('replica')));
  }
  async monitor(): Promise<Outcome<ResourceState>> {
    return ok('running', { role: this.world.host(this.node).writing ? 'primary' : 'replica' });
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

/** Replays what the failed node left: always succeeds after a short while (data loss is not modelled here). */
export class SimRecovery implements RecoveryStrategy {
  readonly defaultTimeoutMs = 2000;

  constructor(
    private readonly world: SimWorld,
    private readonly clock: ProcessClock,
  ) {}

  async plan(input: RecoveryInput): Promise<Outcome<RecoveryPlan>> {
    return ok('planned', { steps: [{ id: 'replay', description: `replay what ${input.failed.name} left` }], summary: 'replay' });
  }

  async execute(input: RecoveryInput, ctx: CallContext): Promise<Outcome<RecoveryReport>> {
    await this.clock.sleep(this.world.stepMs());
    if (ctx.signal.aborted) return outcome('timeout', 'deadline passed');
    return ok('replayed', { compensated: 0, lostBytes: 0, summary: `nothing left by ${input.failed.name} at epoch ${input.epoch}` });
  }
}
