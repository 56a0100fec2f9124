import { withDeadline } from '../call.js';
import type { Clock } from '../ports/clock.js';
import type { CoordinationStore } from '../ports/coordination-store.js';

/** One step as the agent recorded it, with both clocks. */
export interface AgentEvent {
  readonly type: string;
  readonly message: string;
  readonly atWallMs: number;
  readonly atMonotonicMs: number;
  readonly data: Readonly<Record<string, unknown>>;
}

const OUTBOX_MAX = 256;
const RECENT_MAX = 50;

/**
 * Events waiting to be appended to the store. Appends run one at a time,
 * each under the store timeout, outside the cycle; while the store is away
 * events wait here, and past the bound the oldest are dropped (and counted,
 * so the history says that it has a gap).
 */
export class EventOutbox {
  private readonly queue: AgentEvent[] = [];
  private readonly recentEvents: AgentEvent[] = [];
  private dropped = 0;
  private draining = false;

  constructor(
    private readonly clock: Clock,
    private readonly store: CoordinationStore,
    private readonly node: string,
    private readonly timeoutMs: number,
  ) {}

  /** Queue an event; `atMonotonicMs` dates it in the past (when an action finished), default now. */
  add(type: string, message: string, data: Readonly<Record<string, unknown>>, atMonotonicMs?: number): void {
    const nowMono = this.clock.monotonicMs();
    const at = atMonotonicMs ?? nowMono;
    const event: AgentEvent = { type, message, atWallMs: Math.round(this.clock.wallMs() - (nowMono - at)), atMonotonicMs: at, data };
    this.queue.push(event);
    if (this.queue.length > OUTBOX_MAX) {
      this.queue.shift();
      this.dropped++;
    }
    this.recentEvents.push(event);
    if (this.recentEvents.length > RECENT_MAX) this.recentEvents.shift();
  }

  recent(): readonly AgentEvent[] {
    return [...this.recentEvents];
  }

  /** Start sending if not already; never throws, never blocks the caller. */
  drain(): void {
    if (this.draining || this.queue.length === 0) return;
    this.draining = true;
    void this.send().finally(() => {
      this.draining = false;
    });
  }

  private async send(): Promise<void> {
    while (this.queue.length > 0) {
      const e = this.queue[0];
      if (e === undefined) return;
      const data = this.dropped > 0 ? { ...e.data, droppedBefore: this.dropped } : e.data;
      const sent = await withDeadline(this.clock, this.timeoutMs, 'append event', () =>
        this.store.appendEvent({ atWallMs: e.atWallMs, node: this.node, type: e.type, message: e.message, data }),
      );
      if (!sent.ok) return; // store away: keep the event, try again after the next cycle
      this.queue.shift();
      this.dropped = 0;
    }
  }
}
