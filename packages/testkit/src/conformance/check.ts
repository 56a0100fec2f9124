import { describe, expect, it } from 'vitest';
import { SystemClock, type Clock } from '@tandem/core';

/** Knobs every conformance suite accepts; the defaults suit plugins that talk to local targets. */
export interface ConformanceOptions {
  /** Deadline the suite gives ordinary calls, as the core would. Default 5000. */
  readonly timeoutMs?: number;
  /** The short deadline used against slow targets. Default 300. */
  readonly shortTimeoutMs?: number;
  /** How long a plugin may take to return once its signal fired. Default 1000. */
  readonly abortGraceMs?: number;
  /** Clock the suite measures and sleeps with. Default: the real clock, since plugins do real I/O. */
  readonly clock?: Clock;
  /** vitest timeout for each generated test. Default 30000. */
  readonly testTimeoutMs?: number;
}

/** What every check receives besides its subject: resolved options. */
export interface CheckEnv {
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly shortTimeoutMs: number;
  readonly abortGraceMs: number;
}

/** Every subject may own resources (servers, temp dirs, processes) the suite releases after the check. */
export interface Disposable {
  cleanup?(): Promise<void>;
}

/** A factory as a plugin author writes it: `create` always, `slow` where the contract allows a slow target. */
export interface SubjectFactory<S extends Disposable> extends ConformanceOptions {
  create(): Promise<S>;
  slow?(): Promise<S>;
}

/**
 * One conformance check: a plain async function that throws (through
 * `expect`) when the subject breaks the contract. `uses: 'slow'` runs it
 * against `factory.slow()`; `applies` leaves it out for factories that do
 * not declare the feature it needs (it is then not registered at all,
 * rather than registered and passed).
 */
export interface Check<S extends Disposable, F extends SubjectFactory<S> = SubjectFactory<S>> {
  readonly name: string;
  readonly uses?: 'create' | 'slow';
  readonly applies?: (factory: F) => boolean;
  run(subject: S, env: CheckEnv, factory: F): Promise<void>;
}

export interface CheckFailure {
  readonly name: string;
  readonly message: string;
}

export function resolveEnv(options: ConformanceOptions): CheckEnv {
  return {
    clock: options.clock ?? new SystemClock(),
    timeoutMs: options.timeoutMs ?? 5000,
    shortTimeoutMs: options.shortTimeoutMs ?? 300,
    abortGraceMs: options.abortGraceMs ?? 1000,
  };
}

/** The checks that apply to this factory (a `slow` check needs `factory.slow`). */
export function selectChecks<S extends Disposable, F extends SubjectFactory<S>>(checks: readonly Check<S, F>[], factory: F): Check<S, F>[] {
  return checks.filter((c) => (c.uses !== 'slow' || factory.slow !== undefined) && (c.applies?.(factory) ?? true));
}

/**
 * Run one check against a fresh subject and release it afterwards. Rejects
 * when the check fails, and also when it made no assertion at all: a check
 * that asserted nothing proved nothing. Call it inside a vitest test.
 */
export async function runCheck<S extends Disposable, F extends SubjectFactory<S>>(check: Check<S, F>, factory: F): Promise<void> {
  const make = check.uses === 'slow' ? factory.slow : factory.create;
  if (!make) throw new Error(`check "${check.name}" needs factory.slow(), which this factory does not have`);
  const before = expect.getState().assertionCalls;
  const subject = await make.call(factory);
  try {
    await check.run(subject, resolveEnv(factory), factory);
  } finally {
    await subject.cleanup?.();
  }
  if (expect.getState().assertionCalls === before) throw new Error(`check "${check.name}" made no assertion`);
}

/** Run every applicable check and return the ones that failed: how the testkit proves a suite catches a broken plugin. */
export async function collectFailures<S extends Disposable, F extends SubjectFactory<S>>(checks: readonly Check<S, F>[], factory: F): Promise<CheckFailure[]> {
  const failures: CheckFailure[] = [];
  for (const check of selectChecks(checks, factory)) {
    try {
      await runCheck(check, factory);
    } catch (error) {
      failures.push({ name: check.name, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return failures;
}

/** Register one vitest test per applicable check, each required to make at least one assertion. */
export function describeChecks<S extends Disposable, F extends SubjectFactory<S>>(title: string, checks: readonly Check<S, F>[], factory: F): void {
  describe(title, () => {
    for (const check of selectChecks(checks, factory)) {
      it(
        check.name,
        async () => {
          expect.hasAssertions();
          await runCheck(check, factory);
        },
        factory.testTimeoutMs ?? 30_000,
      );
    }
  });
}
