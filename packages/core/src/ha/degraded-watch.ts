import type { ResourceReport } from './group-state.js';

/** An event to record: the same shape the loop hands to its outbox. */
export interface WatchEvent {
  readonly type: 'resource.degraded' | 'resource.recovered';
  readonly message: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * Edge detection for `ResourceState.degraded` on the primary: an event when
 * a resource becomes degraded and one when it recovers, never one per cycle.
 * A changed reason while still degraded (resync at 40 %, then 41 %) is not an
 * edge. Resources missing from a report (their monitor failed) keep their
 * last state: failure is the monitor's business, not this watch's.
 */
export class DegradedWatch {
  private readonly degraded = new Map<string, string>();

  observe(reports: readonly ResourceReport[]): WatchEvent[] {
    const events: WatchEvent[] = [];
    for (const { id, state } of reports) {
      const was = this.degraded.get(id);
      if (state.degraded !== undefined && was === undefined) {
        this.degraded.set(id, state.degraded);
        events.push({ type: 'resource.degraded', message: `${id} is degraded, still serving: ${state.degraded}`, data: { resource: id, degraded: state.degraded } });
      } else if (state.degraded === undefined && was !== undefined) {
        this.degraded.delete(id);
        events.push({ type: 'resource.recovered', message: `${id} recovered its redundancy (was: ${was})`, data: { resource: id, was } });
      }
    }
    return events;
  }

  /** Forget everything: the group was promoted or demoted, and the next primary's first monitor speaks afresh. */
  reset(): void {
    this.degraded.clear();
  }

  /** The resources degraded as last seen, for a status view. */
  current(): ReadonlyMap<string, string> {
    return new Map(this.degraded);
  }
}
