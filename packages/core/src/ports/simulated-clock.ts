import type { Clock } from './clock.js';

interface Sleeper {
  readonly dueMs: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/**
 * A clock that only moves when told to. `advance` fires due sleepers in
 * order of due time (ties in order of creation), so runs are reproducible.
 * Wall time can be stepped (`jumpWall`) and can drift against monotonic time
 * (`driftPpm`), as a host whose NTP misbehaves would.
 */
export class SimulatedClock implements Clock {
  private mono = 0;
  private wallOffsetMs: number;
  private driftPpm = 0;
  private seq = 0;
  private sleepers: Sleeper[] = [];

  constructor(startWallMs = Date.UTC(2026, 0, 1)) {
    this.wallOffsetMs = startWallMs;
  }

  wallMs(): number {
    return Math.floor(this.wallOffsetMs + this.mono * (1 + this.driftPpm / 1e6));
  }

  monotonicMs(): number {
    return this.mono;
  }

  /** Step wall time by `deltaMs` (negative goes back) without touching monotonic time. */
  jumpWall(deltaMs: number): void {
    this.wallOffsetMs += deltaMs;
  }

  /** From now on, wall time runs `ppm` parts per million faster (negative: slower) than monotonic time. */
  setDrift(ppm: number): void {
    const wallNow = this.wallMs();
    this.driftPpm = ppm;
    this.wallOffsetMs = wallNow - this.mono * (1 + ppm / 1e6);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      // Waking removes the listener, so a signal reused across many sleeps does not collect them.
      const sleeper: Sleeper = {
        dueMs: this.mono + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Number of sleepers waiting; a simulation that expects progress can assert on it. */
  pending(): number {
    return this.sleepers.length;
  }

  /** Due time of the earliest sleeper, if any. */
  nextDueMs(): number | undefined {
    return this.sorted()[0]?.dueMs;
  }

  /**
   * Move monotonic time forward by `ms`, waking sleepers as their time comes.
   * Between wake-ups it yields to the microtask queue so that code resumed by
   * one sleeper can schedule the next before time moves on.
   */
  async advance(ms: number): Promise<void> {
    const target = this.mono + ms;
    for (;;) {
      const next = this.sorted()[0];
      if (next === undefined || next.dueMs > target) break;
      this.mono = Math.max(this.mono, next.dueMs);
      this.sleepers = this.sleepers.filter((s) => s !== next);
      next.resolve();
      await flushMicrotasks();
    }
    this.mono = target;
    await flushMicrotasks();
  }

  private sorted(): Sleeper[] {
    return [...this.sleepers].sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq);
  }
}

/** Let pending promise callbacks run; a bounded number of turns keeps a runaway chain from hanging a test. */
export async function flushMicrotasks(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}
