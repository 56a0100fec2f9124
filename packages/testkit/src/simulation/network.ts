import type { SimulatedClock } from '@tandem/core';
import type { Prng } from './prng.js';
import { never, type SimProcess } from './sim-process.js';

/** Anything that sends or answers: a node name, `store` or `gateway`. */
export type Endpoint = string;

/**
 * The simulated network between nodes, the store and the gateway. Links are
 * directed, so a one-way loss is one blocked pair; a partition blocks both
 * directions. A lost message is never answered: the caller's own deadline
 * is the only way out, as on a real network.
 */
export class SimNetwork {
  private readonly blocked = new Map<string, number>();
  private extraDelayMs = 0;

  constructor(
    private readonly clock: SimulatedClock,
    private readonly prng: Prng,
  ) {}

  /** Block `from -> to` until the matching `unblock` (counted, so overlapping faults nest). */
  block(from: Endpoint, to: Endpoint): void {
    const key = `${from}>${to}`;
    this.blocked.set(key, (this.blocked.get(key) ?? 0) + 1);
  }

  unblock(from: Endpoint, to: Endpoint): void {
    const key = `${from}>${to}`;
    const n = (this.blocked.get(key) ?? 0) - 1;
    if (n <= 0) this.blocked.delete(key);
    else this.blocked.set(key, n);
  }

  addDelay(ms: number): void {
    this.extraDelayMs += ms;
  }

  delivers(from: Endpoint, to: Endpoint): boolean {
    return !this.blocked.has(`${from}>${to}`);
  }

  private delayMs(): number {
    return this.prng.int(1, 6) + this.extraDelayMs;
  }

  /**
   * A request from `caller` to `to` and its answer. `serve` runs at the
   * destination when the request arrives (it may wait, e.g. for a frozen
   * node) and returns the answer; the answer reaches the caller only if the
   * way back is open and the caller's process may run. To keep seeds cheap
   * the whole round-trip delay is spent on the way back: the request
   * arrives at once, the answer comes after both legs.
   */
  async request<T>(caller: SimProcess, to: Endpoint, serve: () => Promise<T>): Promise<T> {
    const from = caller.node;
    if (!this.delivers(from, to)) return never();
    const answer = await serve();
    if (!this.delivers(to, from)) return never();
    await this.clock.sleep(this.delayMs() + this.delayMs());
    await caller.gate();
    return answer;
  }
}
