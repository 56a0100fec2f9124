import type { Clock, SimulatedClock } from '@tandem/core';

const NEVER: Promise<never> = new Promise<never>(() => undefined);

/**
 * One incarnation of a node's agent process. A frozen process makes no
 * progress until it resumes (as under SIGSTOP); a crashed one never does
 * again (its restart is a new incarnation with fresh memory).
 */
export class SimProcess {
  private state: 'running' | 'frozen' | 'crashed' = 'running';
  private waiters: (() => void)[] = [];

  constructor(
    readonly node: string,
    readonly incarnation: number,
  ) {}

  get status(): 'running' | 'frozen' | 'crashed' {
    return this.state;
  }

  /** Resolves when the process may run: now, after a resume, or never after a crash. */
  gate(): Promise<void> {
    if (this.state === 'running') return Promise.resolve();
    if (this.state === 'crashed') return NEVER;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  freeze(): void {
    if (this.state === 'running') this.state = 'frozen';
  }

  resume(): void {
    if (this.state !== 'frozen') return;
    this.state = 'running';
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  crash(): void {
    this.state = 'crashed';
    this.waiters = []; // they never run again
  }
}

/** The clock a simulated agent sees: shared simulated time, but its sleeps end only when its process may run. */
export class ProcessClock implements Clock {
  constructor(
    private readonly base: SimulatedClock,
    private readonly process: SimProcess,
  ) {}

  wallMs(): number {
    return this.base.wallMs();
  }

  monotonicMs(): number {
    return this.base.monotonicMs();
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await this.base.sleep(ms, signal);
    await this.process.gate();
  }
}

export function never<T>(): Promise<T> {
  return NEVER;
}
