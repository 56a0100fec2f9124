import type { Clock } from '@tandem/core';
import { processAlive } from './pid-file.js';

const POLL_MS = 50;

/** Signal the process group led by `pid` (the agent started it with setsid), or the process alone if it has no group. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone: nothing to signal.
    }
  }
}

/** Poll until the process is gone; 'gone', 'alive' after `withinMs`, or 'aborted' if the signal fired first. */
export async function waitGone(clock: Clock, pid: number, startTicks: string | undefined, withinMs: number, signal?: AbortSignal): Promise<'gone' | 'alive' | 'aborted'> {
  const deadline = clock.monotonicMs() + withinMs;
  for (;;) {
    if (!(await processAlive(pid, startTicks))) return 'gone';
    if (signal?.aborted) return 'aborted';
    if (clock.monotonicMs() >= deadline) return 'alive';
    try {
      await clock.sleep(POLL_MS, signal);
    } catch {
      return 'aborted';
    }
  }
}
