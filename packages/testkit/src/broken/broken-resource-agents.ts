import { ok, outcome, SystemClock, type Outcome, type PromotionReadiness, type ResourceCallContext, type ResourceState } from '@tandem/core';
import { MemoryResourceAgent } from '../fakes/memory-resource-agent.js';

/** Fails `stop` on a resource that is already stopped (OCF requires ok). */
export class StopFailsWhenStoppedAgent extends MemoryResourceAgent {
  override async stop(ctx: ResourceCallContext): Promise<Outcome> {
    if (!this.running) return outcome('failed', 'no such process');
    return super.stop(ctx);
  }
}

/** Fails `start` on a resource that is already running. */
export class StartNotIdempotentAgent extends MemoryResourceAgent {
  override async start(ctx: ResourceCallContext): Promise<Outcome> {
    if (this.running) return outcome('failed', 'address already in use');
    return super.start(ctx);
  }
}

/** Reports `failed` instead of `not-running` for a cleanly stopped resource. */
export class MonitorFailsWhenStoppedAgent extends MemoryResourceAgent {
  override async monitor(ctx: ResourceCallContext): Promise<Outcome<ResourceState>> {
    if (!this.running) return outcome('failed', 'pid file missing');
    return super.monitor(ctx);
  }
}

/** Throws for an ordinary failure instead of returning an outcome. */
export class ThrowingMonitorAgent extends MemoryResourceAgent {
  override async monitor(ctx: ResourceCallContext): Promise<Outcome<ResourceState>> {
    if (!this.running) throw new Error('ENOENT: pid file');
    return super.monitor(ctx);
  }
}

/** Returns a bare value with an empty reason. */
export class EmptyReasonAgent extends MemoryResourceAgent {
  override async start(ctx: ResourceCallContext): Promise<Outcome> {
    await super.start(ctx);
    return ok('');
  }
}

/** Ignores its abort signal: a slow start runs to the end (2 s) and then claims success. */
export class IgnoresAbortAgent extends MemoryResourceAgent {
  private readonly clock = new SystemClock();
  override async start(ctx: ResourceCallContext): Promise<Outcome> {
    if (this.running) return ok('already running');
    this.inProgress++;
    await this.clock.sleep(2000);
    this.inProgress--;
    this.running = true;
    this.role = 'replica';
    return ok('started (late)');
  }
}

/** Promote works once, then refuses: promoting a primary must be ok. */
export class PromoteTwiceFailsAgent extends MemoryResourceAgent {
  override async promote(ctx: ResourceCallContext): Promise<Outcome> {
    if (this.role === 'primary') return outcome('failed', 'already primary');
    return super.promote(ctx);
  }
}

/** Starts a stopped resource to see whether it could be promoted: readiness must be read-only. */
export class ReadinessStartsAgent extends MemoryResourceAgent {
  async readiness(ctx: ResourceCallContext): Promise<Outcome<PromotionReadiness>> {
    if (!this.running) await this.start(ctx);
    return ok('ready', { position: { offset: 1, label: '0/1' } });
  }
}

/** Reports a position no one can order (a negative offset, an empty label). */
export class MalformedPositionAgent extends MemoryResourceAgent {
  async readiness(ctx: ResourceCallContext): Promise<Outcome<PromotionReadiness>> {
    if (ctx.signal.aborted) return outcome('timeout', 'readiness: aborted');
    return this.running ? ok('ready', { position: { offset: -1, label: '' } }) : outcome('not-running', 'cleanly stopped');
  }
}
