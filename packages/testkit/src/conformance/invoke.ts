import { expect } from 'vitest';
import { callWithDeadline, type CallContext, type Outcome, type OutcomeCode } from '@tandem/core';
import type { CheckEnv } from './check.js';
import { expectOutcome } from './expect-outcome.js';

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Call a contract method as the core does (callWithDeadline, the suite's
 * deadline), and assert that it returned a well-formed outcome rather than
 * throwing. `extra` adds fields to the context (the resource agents' epoch).
 */
export async function invoke<D, C extends CallContext = CallContext>(
  env: CheckEnv,
  what: string,
  fn: (ctx: C) => Promise<Outcome<D>>,
  options: { readonly extra?: Omit<C, keyof CallContext>; readonly allowed?: readonly OutcomeCode[] } = {},
): Promise<Outcome<D>> {
  let thrown: { error: unknown } | undefined;
  const result = await callWithDeadline<D, C>(
    env.clock,
    env.timeoutMs,
    what,
    async (ctx) => {
      try {
        return await fn(ctx);
      } catch (error) {
        thrown = { error };
        throw error;
      }
    },
    options.extra,
  );
  expect(thrown, `${what} threw instead of returning an outcome: ${describeError(thrown?.error)}`).toBeUndefined();
  expectOutcome(result, what, options.allowed);
  return result;
}

type Settled<T> = { readonly kind: 'value'; readonly value: T } | { readonly kind: 'threw'; readonly error: unknown } | { readonly kind: 'pending' };

/** Wait for `promise` at most `ms` of the env's clock; say whether it resolved, threw or is still running. */
export async function settleWithin<T>(env: CheckEnv, promise: Promise<T>, ms: number): Promise<Settled<T>> {
  const stop = new AbortController();
  const timer = env.clock.sleep(ms, stop.signal).then(
    (): Settled<T> => ({ kind: 'pending' }),
    (): Settled<T> => ({ kind: 'pending' }),
  );
  const settled = promise.then(
    (value): Settled<T> => ({ kind: 'value', value }),
    (error: unknown): Settled<T> => ({ kind: 'threw', error }),
  );
  const winner = await Promise.race([settled, timer]);
  stop.abort();
  return winner;
}

/** Assert the plugin's own answer after its signal fired: it came back in time, did not throw, and said `timeout`. */
function expectPromptTimeout<D>(what: string, settled: Settled<Outcome<D>>, graceMs: number): void {
  expect(settled.kind, `${what} did not return within ${graceMs} ms after its signal fired: it ignores abort`).not.toBe('pending');
  expect(settled.kind, `${what} threw after abort: ${settled.kind === 'threw' ? describeError(settled.error) : ''}`).toBe('value');
  if (settled.kind !== 'value') return;
  expectOutcome(settled.value, `${what} after abort`, ['timeout']);
}

/** Call with a signal that has already fired: the plugin must return `timeout` at once, without doing the work. */
export async function invokePreAborted<D, C extends CallContext = CallContext>(
  env: CheckEnv,
  what: string,
  fn: (ctx: C) => Promise<Outcome<D>>,
  extra?: Omit<C, keyof CallContext>,
): Promise<void> {
  const controller = new AbortController();
  controller.abort(new Error(`${what}: aborted before the call`));
  const ctx = { ...extra, signal: controller.signal, timeoutMs: env.shortTimeoutMs } as C;
  const settled = await settleWithin(env, Promise.resolve().then(() => fn(ctx)), env.abortGraceMs);
  expectPromptTimeout(what, settled, env.abortGraceMs);
}

/**
 * Call a slow target with a short deadline through callWithDeadline, then
 * check that the plugin itself (not only the caller) gave up promptly with
 * `timeout`. Returns after the plugin's call settled.
 */
export async function invokeShortDeadline<D, C extends CallContext = CallContext>(
  env: CheckEnv,
  what: string,
  fn: (ctx: C) => Promise<Outcome<D>>,
  extra?: Omit<C, keyof CallContext>,
): Promise<void> {
  let inner: Promise<Outcome<D>> | undefined;
  const started = env.clock.monotonicMs();
  const result = await callWithDeadline<D, C>(env.clock, env.shortTimeoutMs, what, (ctx) => (inner = Promise.resolve().then(() => fn(ctx))), extra);
  expectOutcome(result, what, ['timeout']);
  expect(inner, `${what} was never called`).toBeDefined();
  if (!inner) return;
  const settled = await settleWithin(env, inner, env.abortGraceMs);
  expectPromptTimeout(what, settled, env.abortGraceMs);
  const tookMs = env.clock.monotonicMs() - started;
  expect(tookMs, `${what} took ${Math.round(tookMs)} ms against a ${env.shortTimeoutMs} ms deadline`).toBeLessThanOrEqual(env.shortTimeoutMs + env.abortGraceMs + 50);
}

/** After an aborted call, give stray work a moment, then ask the subject whether anything it started still runs. */
export async function expectIdle(env: CheckEnv, what: string, busy: (() => Promise<boolean>) | undefined): Promise<void> {
  if (!busy) return;
  await env.clock.sleep(Math.min(200, env.abortGraceMs));
  expect(await busy(), `${what} left work running after it returned timeout`).toBe(false);
}
