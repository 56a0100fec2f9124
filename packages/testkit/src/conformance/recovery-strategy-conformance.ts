import { expect } from 'vitest';
import type { CallContext, RecoveryInput, RecoveryStrategy } from '@tandem/core';
import { describeChecks, type Check, type Disposable, type SubjectFactory } from './check.js';
import { expectIdle, invoke, invokePreAborted, invokeShortDeadline } from './invoke.js';

export interface RecoveryStrategySubject extends Disposable {
  readonly strategy: RecoveryStrategy;
  /** A failover the strategy can complete with zero loss. In `slow()` subjects, `execute` never completes. */
  readonly input: RecoveryInput;
  busy?(): Promise<boolean>;
}

export type RecoveryStrategyFactory = SubjectFactory<RecoveryStrategySubject>;

const plan = (s: RecoveryStrategySubject) => (ctx: CallContext) => s.strategy.plan(s.input, ctx);
const execute = (s: RecoveryStrategySubject) => (ctx: CallContext) => s.strategy.execute(s.input, ctx);

export const recoveryStrategyChecks: readonly Check<RecoveryStrategySubject, RecoveryStrategyFactory>[] = [
  {
    name: 'declares a positive default timeout',
    run: async (s) => expect(s.strategy.defaultTimeoutMs, 'defaultTimeoutMs').toBeGreaterThan(0),
  },
  {
    name: 'plan is ok, has named steps with unique ids, and is the same when asked again',
    run: async (s, env) => {
      const first = await invoke(env, 'plan', plan(s), { allowed: ['ok'] });
      const steps = first.data?.steps ?? [];
      expect(first.data?.summary.trim().length ?? 0, 'plan: summary must not be empty').toBeGreaterThan(0);
      expect(new Set(steps.map((x) => x.id)).size, 'plan: step ids must be unique').toBe(steps.length);
      for (const step of steps) expect(step.id.length > 0 && step.description.length > 0, `plan: step ${JSON.stringify(step)} needs an id and a description`).toBe(true);
      const second = await invoke(env, 'plan again', plan(s), { allowed: ['ok'] });
      expect(second.data, 'plan has side effects: a second plan differs from the first').toEqual(first.data);
    },
  },
  {
    name: 'execute is ok with zero loss when loss is not accepted, and the same report when re-run at the same epoch',
    run: async (s, env) => {
      const first = await invoke(env, 'execute', execute(s), { allowed: ['ok'] });
      expect(first.data, 'execute ok must carry a RecoveryReport').toBeDefined();
      if (!s.input.acceptDataLoss) expect(first.data?.lostBytes, 'execute: ok with lost bytes although data loss was not accepted').toBe(0);
      expect(first.data?.compensated, 'execute: compensated').toBeGreaterThanOrEqual(0);
      const again = await invoke(env, 'execute again (same epoch)', execute(s), { allowed: ['ok'] });
      expect(again.data, 'execute is not idempotent per epoch: the second report differs').toEqual(first.data);
    },
  },
  {
    name: 'an already-aborted signal returns timeout',
    run: async (s, env) => {
      await invokePreAborted(env, 'plan with an aborted signal', plan(s));
      await invokePreAborted(env, 'execute with an aborted signal', execute(s));
    },
  },
  {
    name: 'an execute that cannot finish gives timeout within the deadline and leaves nothing running',
    uses: 'slow',
    run: async (s, env) => {
      await invokeShortDeadline(env, 'execute(slow)', execute(s));
      await expectIdle(env, 'execute(slow)', s.busy?.bind(s));
    },
  },
];

/** Register the RecoveryStrategy conformance tests (vitest) for one plugin. */
export function describeRecoveryStrategyConformance(label: string, factory: RecoveryStrategyFactory): void {
  describeChecks(`RecoveryStrategy conformance: ${label}`, recoveryStrategyChecks, factory);
}
