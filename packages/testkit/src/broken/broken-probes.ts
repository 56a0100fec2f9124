import { ok, SystemClock, type CallContext, type NodeInfo, type Outcome, type ProbeData } from '@tandem/core';
import { MemoryHealthProbe } from '../fakes/memory-health-probe.js';

/** Ignores its abort signal: a hung target is waited for 2 s, then reported healthy. */
export class IgnoresAbortProbe extends MemoryHealthProbe {
  override async check(target: NodeInfo, ctx: CallContext): Promise<Outcome<ProbeData>> {
    if (!this.hung.has(target.name)) return super.check(target, ctx);
    this.inProgress++;
    await new SystemClock().sleep(2000);
    this.inProgress--;
    return ok('answered eventually', { latencyMs: 2000 });
  }
}

/** Reports every target healthy: never acceptable for a dead one. */
export class AlwaysOkProbe extends MemoryHealthProbe {
  override async check(target: NodeInfo, ctx: CallContext): Promise<Outcome<ProbeData>> {
    if (ctx.signal.aborted) return super.check(target, ctx);
    return ok(`${target.name} looks fine`, { latencyMs: 0 });
  }
}

/** Throws when the target is down instead of returning `failed`. */
export class ThrowingProbe extends MemoryHealthProbe {
  override async check(target: NodeInfo, ctx: CallContext): Promise<Outcome<ProbeData>> {
    const o = await super.check(target, ctx);
    if (o.code === 'failed') throw new Error(`ECONNREFUSED ${target.name}`);
    return o;
  }
}
