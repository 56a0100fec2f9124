import type { CallContext, Outcome } from './contracts/outcome.js';
import type { Clock } from './ports/clock.js';

/** The reason given when a call finished first and its timer is cancelled; one shared value, as building an abort error per call is costly. */
const CALL_FINISHED = Object.freeze({ finished: true });

/**
 * Call a contract method the way the core always does: with a deadline the
 * caller enforces, an abort signal the plugin should honour, and any throw
 * turned into a `failed` outcome that keeps the error's message (nothing is
 * swallowed; the caller records the outcome as an event).
 */
export async function callWithDeadline<D, C extends CallContext = CallContext>(
  clock: Clock,
  timeoutMs: number,
  what: string,
  fn: (ctx: C) => Promise<Outcome<D>>,
  extra?: Omit<C, keyof CallContext>,
): Promise<Outcome<D>> {
  const controller = new AbortController();
  const stopTimer = new AbortController();
  const ctx = { ...extra, signal: controller.signal, timeoutMs } as C;
  const deadline = clock.sleep(timeoutMs, stopTimer.signal).then(
    (): Outcome<D> => {
      controller.abort(new Error(`${what}: deadline of ${timeoutMs} ms passed`));
      return { code: 'timeout', reason: `${what}: no answer within ${timeoutMs} ms` };
    },
    // The call finished first and cancelled the timer.
    (): Outcome<D> => ({ code: 'unknown', reason: 'timer cancelled' }),
  );
  const call = (async (): Promise<Outcome<D>> => {
    try {
      return await fn(ctx);
    } catch (error) {
      return { code: 'failed', reason: `${what} threw: ${error instanceof Error ? error.message : String(error)}` };
    }
  })();
  const winner = await Promise.race([call, deadline]);
  stopTimer.abort(CALL_FINISHED);
  return winner;
}
