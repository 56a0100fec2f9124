/**
 * Time as a port. Nothing in the core reads `Date.now()` or starts a timer on
 * its own; it asks a Clock, so the same code runs under simulated time.
 */
export interface Clock {
  /** Wall time in ms since the epoch. May jump (NTP step) and drift. Use only for timestamps shown to people. */
  wallMs(): number;
  /** Monotonic ms from an arbitrary origin. Never goes back. Use for every interval and deadline. */
  monotonicMs(): number;
  /** Resolves after `ms` of monotonic time; rejects with the signal's reason if it fires first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const Clock: unique symbol = Symbol.for('tandem.Clock');

export class SystemClock implements Clock {
  wallMs(): number {
    return Date.now();
  }

  monotonicMs(): number {
    return performance.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
