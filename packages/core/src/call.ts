import type { CallContext, Outcome } from './contracts/outcome.js';
import type { Clock } from './ports/clock.js';

/** The reason given when a call finished first and its timer is cancelled; one shared value, as building an abort error per call is costly. */
const CALL_FINISHED = Object.freeze({ finished: true });

export type DeadlineResult<T> =
  | { readonly ok: true; readonly value: T }
  /** `error` is what `fn` rejected with, kept as a cause; absent on a timeout. */
  | { readonly ok: false; readonly timedOut: boolean; readonly reason: string; readonly error?: unknown };

/**
 * Race `fn` against a deadline on `clock`. At the deadline the signal given
 * to `fn` aborts and the result is `timedOut`; a rejection becomes a reason
 * that keeps the error's message. The one place the core races anything
 * against time: plugin calls, store reads and event sends all come here.
 */
export async function withDeadline<T>(clock: Clock, timeoutMs: number, what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<DeadlineResult<T>> {
  const controller = new AbortController();
  const stopTimer = new AbortController();
  const deadline = clock.sleep(timeoutMs, stopTimer.signal).then(
    (): DeadlineResult<T> => {
      controller.abort(new Error(`${what}: deadline of ${timeoutMs} ms passed`));
      return { ok: false, timedOut: true, reason: `${what}: no answer within ${timeoutMs} ms` };
    },
    // The call finished first and cancelled the timer.
    (): DeadlineResult<T> => ({ ok: false, timedOut: false, reason: 'timer cancelled' }),
  );
  const call = fn(controller.signal).then(
    (value): DeadlineResult<T> => ({ ok: true, value }),
    (error: unknown): DeadlineResult<T> => ({ ok: false, timedOut: false, reason: `${what}: ${error instanceof Error ? error.message : String(error)}`, error }),
  );
  const winner = await Promise.race([call, deadline]);
  stopTimer.abort(CALL_FINISHED);
  return winner;
}

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
  // `async` so that a synchronous throw inside fn is caught like a rejection.
  const r = await withDeadline(clock, timeoutMs, what, async (signal) => fn({ ...extra, signal, timeoutMs } as C));
  if (r.ok) return r.value;
  if (r.timedOut) return { code: 'timeout', reason: r.reason };
  return { code: 'failed', reason: r.reason.replace(`${what}: `, `${what} threw: `) };
}
