import { TandemError, type Problem } from '@tandem/core';

/** Wait between polls. Not unref(): with the embedded store nothing else keeps the process alive while it waits. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Poll `test` every `everyMs` until it returns a value. Bounded: after
 * `timeoutMs` it throws TandemError('timeout') with `what` and the problem
 * `explain()` gives for the last state seen.
 */
export async function pollUntil<T>(what: string, timeoutMs: number, everyMs: number, test: () => Promise<T | undefined>, explain: () => Problem): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const v = await test();
    if (v !== undefined) return v;
    await pause(everyMs);
  }
  throw new TandemError('timeout', `${what} did not happen within ${timeoutMs} ms`, { problems: [explain()] });
}
