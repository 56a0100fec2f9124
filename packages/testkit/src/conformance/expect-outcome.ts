import { expect } from 'vitest';
import { isOutcome, OUTCOME_CODES, type Outcome, type OutcomeCode } from '@tandem/core';

/** Assert that `value` is a well-formed Outcome: a known code and a non-empty reason an operator can read. */
export function expectOutcome<D>(value: Outcome<D> | unknown, what: string, allowed?: readonly OutcomeCode[]): asserts value is Outcome<D> {
  expect(isOutcome(value), `${what} returned ${JSON.stringify(value)}, which is not an Outcome`).toBe(true);
  const o = value as Outcome<D>;
  expect(OUTCOME_CODES, `${what}: unknown outcome code "${o.code}"`).toContain(o.code);
  expect(o.reason.trim().length, `${what}: outcome "${o.code}" has an empty reason`).toBeGreaterThan(0);
  if (allowed) expect(allowed, `${what} returned "${o.code}" (${o.reason}); expected one of ${allowed.join(', ')}`).toContain(o.code);
}
