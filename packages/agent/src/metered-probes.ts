import type { Clock, Composed, HealthProbe } from '@tandem/core';
import type { AgentMetrics } from './metrics.js';

/** The same probes, each check timed into the latency histogram by outcome. */
export function meteredProbes(probes: readonly Composed<HealthProbe>[], clock: Clock, metrics: AgentMetrics): Composed<HealthProbe>[] {
  return probes.map((p) => ({
    ...p,
    impl: {
      dimension: p.impl.dimension,
      defaultTimeoutMs: p.impl.defaultTimeoutMs,
      async check(target, ctx) {
        const started = clock.monotonicMs();
        const o = await p.impl.check(target, ctx);
        metrics.observeProbe(p.id, o.code, clock.monotonicMs() - started);
        return o;
      },
    },
  }));
}

interface LoopEvent {
  readonly type: string;
  readonly message: string;
  readonly atMonotonicMs: number;
}

/**
 * Counts promotions of this node from its own recent events: each new
 * `ha.announce` is one, timed from the election that led to it.
 */
export class FailoverMeter {
  private lastAnnounceMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly metrics: AgentMetrics) {}

  observe(events: readonly LoopEvent[]): void {
    for (const [i, e] of events.entries()) {
      if (e.type !== 'ha.announce' || e.atMonotonicMs <= this.lastAnnounceMs) continue;
      const elect = events.slice(0, i).findLast((x) => x.type === 'action.acquire-lease' && x.atMonotonicMs > this.lastAnnounceMs);
      const detect = events.slice(0, i).find((x) => x.type === 'ha.detect' && x.atMonotonicMs > this.lastAnnounceMs);
      const from = detect ?? elect;
      const kind = elect?.message.includes('switchover') ? 'switchover' : 'failover';
      this.metrics.failover(kind, from === undefined ? 0 : e.atMonotonicMs - from.atMonotonicMs);
      this.lastAnnounceMs = e.atMonotonicMs;
    }
  }
}
