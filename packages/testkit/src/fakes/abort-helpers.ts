import { outcome, type Outcome } from '@tandem/core';

/** The outcome every fake returns when its caller's signal has fired. */
export function abortedOutcome<D = undefined>(signal: AbortSignal, what: string): Outcome<D> {
  const why = signal.reason instanceof Error ? signal.reason.message : 'the caller gave up';
  return outcome<D>('timeout', `${what} abandoned: ${why}`);
}

/** Resolves when `signal` fires; stands in for work that never finishes on its own (a hung target). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
