import { expect } from 'vitest';
import type { Outcome, PromotionReadiness, ResourceAgent, ResourceCallContext, ResourceRole, ResourceState } from '@tandem/core';
import { describeChecks, type Check, type CheckEnv, type Disposable, type SubjectFactory } from './check.js';
import { expectIdle, invoke, invokePreAborted, invokeShortDeadline } from './invoke.js';

export interface ResourceAgentSubject extends Disposable {
  /** Manages a resource that starts out stopped. In `slow()` subjects, `start` never completes. */
  readonly agent: ResourceAgent;
  /** Whether anything the agent started (processes, mounts) is still there. */
  busy?(): Promise<boolean>;
}

export interface ResourceAgentFactory extends SubjectFactory<ResourceAgentSubject> {
  /** The resource has roles: promote and demote are implemented and checked. */
  readonly roles?: boolean;
}

type Action = 'start' | 'stop' | 'promote' | 'demote';
const EPOCH = 5;

function act(s: ResourceAgentSubject, env: CheckEnv, action: Action, what: string = action): Promise<unknown> {
  const method = s.agent[action];
  expect(typeof method, `agent.${action} is not implemented`).toBe('function');
  return invoke<undefined, ResourceCallContext>(env, what, (ctx) => method!.call(s.agent, ctx), { extra: { epoch: EPOCH }, allowed: ['ok'] });
}

async function expectMonitor(s: ResourceAgentSubject, env: CheckEnv, running: boolean, what: string, role?: ResourceRole): Promise<void> {
  const o = await invoke<{ role: ResourceRole }, ResourceCallContext>(env, what, (ctx) => s.agent.monitor(ctx), {
    extra: { epoch: EPOCH },
    allowed: running ? ['ok'] : ['not-running'],
  });
  if (!running) return;
  expect(['primary', 'replica', 'none'], `${what}: monitor ok must report a role`).toContain(o.data?.role);
  if (role) expect(o.data?.role, `${what}: role`).toBe(role);
}

/**
 * Ask `readiness` (when the agent has it) between two monitors: a valid
 * outcome, a well-formed position when it gives one, and nothing monitor
 * sees changed by the asking.
 */
async function expectReadinessReadOnly(s: ResourceAgentSubject, env: CheckEnv, what: string): Promise<void> {
  const readiness = s.agent.readiness;
  if (readiness === undefined) return;
  const monitor = (label: string): Promise<Outcome<ResourceState>> => invoke<ResourceState, ResourceCallContext>(env, label, (ctx) => s.agent.monitor(ctx), { extra: { epoch: EPOCH } });
  const before = await monitor(`monitor before readiness (${what})`);
  const r = await invoke<PromotionReadiness, ResourceCallContext>(env, `readiness (${what})`, (ctx) => readiness.call(s.agent, ctx), { extra: { epoch: EPOCH } });
  const position = r.code === 'ok' ? r.data?.position : undefined;
  if (position !== undefined) {
    expect(Number.isSafeInteger(position.offset) && position.offset >= 0, `readiness (${what}): position.offset ${String(position.offset)} is not a non-negative safe integer`).toBe(true);
    expect(typeof position.label === 'string' && position.label.trim() !== '', `readiness (${what}): position.label is empty`).toBe(true);
  }
  const after = await monitor(`monitor after readiness (${what})`);
  expect({ code: after.code, role: after.data?.role }, `readiness (${what}) is not read-only: monitor answered ${before.code} before it, ${after.code} after`).toEqual({ code: before.code, role: before.data?.role });
}

export const resourceAgentChecks: readonly Check<ResourceAgentSubject, ResourceAgentFactory>[] = [
  {
    name: 'declares positive default timeouts',
    run: async (s) => {
      const entries = Object.entries(s.agent.defaultTimeoutsMs);
      expect(entries.length, 'defaultTimeoutsMs declares nothing').toBeGreaterThan(0);
      for (const [action, ms] of entries) expect(ms, `defaultTimeoutsMs.${action}`).toBeGreaterThan(0);
    },
  },
  {
    name: 'implements promote and demote together, or neither',
    run: async (s, _env, f) => {
      const has = [typeof s.agent.promote, typeof s.agent.demote];
      expect(has[0], 'promote and demote must come as a pair').toBe(has[1]);
      if (f.roles) expect(has[0], 'factory says the resource has roles, but promote is missing').toBe('function');
    },
  },
  {
    name: 'monitor of a stopped resource is not-running, and stop on it is ok',
    run: async (s, env) => {
      await expectMonitor(s, env, false, 'monitor before start');
      await act(s, env, 'stop', 'stop while stopped');
      await expectMonitor(s, env, false, 'monitor after stop while stopped');
    },
  },
  {
    name: 'start twice is ok, and monitor then is ok with a role',
    run: async (s, env) => {
      await act(s, env, 'start');
      await act(s, env, 'start', 'start again');
      await expectMonitor(s, env, true, 'monitor after start');
    },
  },
  {
    name: 'stop twice is ok, and monitor after stop is not-running',
    run: async (s, env) => {
      await act(s, env, 'start');
      await act(s, env, 'stop');
      await act(s, env, 'stop', 'stop again');
      await expectMonitor(s, env, false, 'monitor after stop');
      await act(s, env, 'start', 'start after stop');
      await expectMonitor(s, env, true, 'monitor after restart');
    },
  },
  {
    name: 'promote twice is ok and monitor reports primary; demote twice is ok and monitor reports replica or not-running',
    applies: (f) => f.roles === true,
    run: async (s, env) => {
      await act(s, env, 'start');
      await act(s, env, 'promote');
      await act(s, env, 'promote', 'promote again');
      await expectMonitor(s, env, true, 'monitor after promote', 'primary');
      await act(s, env, 'demote');
      await act(s, env, 'demote', 'demote again');
      // Demote means "stop writing": a resource may do that as a running replica or by stopping (a
      // demoted database primary that must be rejoined by an operator), but never as a primary.
      const after = await invoke<{ role: ResourceRole }, ResourceCallContext>(env, 'monitor after demote', (ctx) => s.agent.monitor(ctx), {
        extra: { epoch: EPOCH },
        allowed: ['ok', 'not-running'],
      });
      if (after.code === 'ok') expect(after.data?.role, 'monitor after demote: role').toBe('replica');
      await act(s, env, 'stop');
    },
  },
  {
    name: 'readiness, when present, answers a valid outcome (ok with a well-formed position) and changes nothing monitor sees',
    run: async (s, env, f) => {
      expect(['undefined', 'function'], 'agent.readiness must be a method when present').toContain(typeof s.agent.readiness);
      if (s.agent.readiness === undefined) return;
      await expectReadinessReadOnly(s, env, 'stopped');
      await act(s, env, 'start');
      await expectReadinessReadOnly(s, env, 'started');
      if (f.roles) {
        await act(s, env, 'promote');
        await expectReadinessReadOnly(s, env, 'promoted');
      }
      await act(s, env, 'stop');
    },
  },
  {
    name: 'an already-aborted signal returns timeout, and the resource can still be stopped cleanly',
    run: async (s, env) => {
      const extra = { epoch: EPOCH };
      await invokePreAborted<undefined, ResourceCallContext>(env, 'start with an aborted signal', (ctx) => s.agent.start(ctx), extra);
      await invokePreAborted<{ role: ResourceRole }, ResourceCallContext>(env, 'monitor with an aborted signal', (ctx) => s.agent.monitor(ctx), extra);
      await act(s, env, 'stop', 'stop after aborted start');
      await expectMonitor(s, env, false, 'monitor after aborted start and stop');
    },
  },
  {
    name: 'a start that cannot finish gives timeout within the deadline and leaves nothing running',
    uses: 'slow',
    run: async (s, env) => {
      await invokeShortDeadline<undefined, ResourceCallContext>(env, 'start(slow)', (ctx) => s.agent.start(ctx), { epoch: EPOCH });
      await expectIdle(env, 'start(slow)', s.busy?.bind(s));
      await expectMonitor(s, env, false, 'monitor after a start that timed out');
    },
  },
];

/** Register the ResourceAgent conformance tests (vitest) for one plugin, in the manner of ocf-tester. */
export function describeResourceAgentConformance(label: string, factory: ResourceAgentFactory): void {
  describeChecks(`ResourceAgent conformance: ${label}`, resourceAgentChecks, factory);
}
