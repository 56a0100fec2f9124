import { expect } from 'vitest';
import type { CallContext, Fencer, NodeInfo } from '@tandem/core';
import { describeChecks, type Check, type CheckEnv, type Disposable, type SubjectFactory } from './check.js';
import { expectIdle, invoke, invokePreAborted, invokeShortDeadline } from './invoke.js';

export interface FencerSubject extends Disposable {
  readonly fencer: Fencer;
  /** The node to fence; starts out not fenced. In `slow()` subjects fencing it never completes. */
  readonly node: NodeInfo;
  busy?(): Promise<boolean>;
}

export interface FencerFactory extends SubjectFactory<FencerSubject> {
  /** The fencer implements `unfence`; its checks are registered. */
  readonly unfence?: boolean;
}

const request = (s: FencerSubject, epoch: number) => ({ node: s.node, epoch, reason: 'conformance check' });

async function fenceOk(s: FencerSubject, env: CheckEnv, epoch: number, what: string): Promise<void> {
  const o = await invoke(env, what, (ctx: CallContext) => s.fencer.fence(request(s, epoch), ctx), { allowed: ['ok'] });
  expect(o.data, `${what}: ok without a FenceProof`).toBeDefined();
  expect(o.data?.epoch, `${what}: the proof's epoch must be the request's`).toBe(epoch);
  expect(typeof o.data?.verified === 'string' && o.data.verified.trim().length > 0, `${what}: the proof must say what was verified`).toBe(true);
}

async function expectFenced(s: FencerSubject, env: CheckEnv, fenced: boolean, what: string): Promise<void> {
  const o = await invoke(env, what, (ctx: CallContext) => s.fencer.status(s.node, ctx), { allowed: ['ok'] });
  expect(o.data?.fenced, `${what}: status must report fenced=${fenced}`).toBe(fenced);
}

export const fencerChecks: readonly Check<FencerSubject, FencerFactory>[] = [
  {
    name: 'declares a positive default timeout',
    run: async (s) => expect(s.fencer.defaultTimeoutMs, 'defaultTimeoutMs').toBeGreaterThan(0),
  },
  {
    name: 'status of a node not yet fenced reports fenced=false',
    run: async (s, env) => expectFenced(s, env, false, 'status before fence'),
  },
  {
    name: 'fence returns ok with a proof at the request epoch, and status then reports fenced',
    run: async (s, env) => {
      await fenceOk(s, env, 7, 'fence(epoch 7)');
      await expectFenced(s, env, true, 'status after fence');
    },
  },
  {
    name: 'fencing twice is ok, and a later epoch is proven at that epoch',
    run: async (s, env) => {
      await fenceOk(s, env, 3, 'fence(epoch 3)');
      await fenceOk(s, env, 3, 'fence(epoch 3) again');
      await fenceOk(s, env, 4, 'fence(epoch 4)');
      await expectFenced(s, env, true, 'status after fencing twice');
    },
  },
  {
    name: 'unfence lets the node back in, and is idempotent',
    applies: (f) => f.unfence === true,
    run: async (s, env) => {
      expect(typeof s.fencer.unfence, 'factory says unfence is supported, but fencer.unfence is missing').toBe('function');
      await fenceOk(s, env, 5, 'fence(epoch 5)');
      for (const what of ['unfence', 'unfence again']) {
        await invoke(env, what, (ctx: CallContext) => s.fencer.unfence!(s.node, 5, ctx), { allowed: ['ok'] });
      }
      await expectFenced(s, env, false, 'status after unfence');
    },
  },
  {
    name: 'an already-aborted signal returns timeout, never an unproven ok',
    run: async (s, env) => {
      await invokePreAborted(env, 'fence with an aborted signal', (ctx: CallContext) => s.fencer.fence(request(s, 9), ctx));
      await invokePreAborted(env, 'status with an aborted signal', (ctx: CallContext) => s.fencer.status(s.node, ctx));
    },
  },
  {
    name: 'a fence that cannot finish gives timeout within the deadline and leaves nothing running',
    uses: 'slow',
    run: async (s, env) => {
      await invokeShortDeadline(env, 'fence(slow)', (ctx: CallContext) => s.fencer.fence(request(s, 11), ctx));
      await expectIdle(env, 'fence(slow)', s.busy?.bind(s));
    },
  },
];

/** Register the Fencer conformance tests (vitest) for one plugin. */
export function describeFencerConformance(label: string, factory: FencerFactory): void {
  describeChecks(`Fencer conformance: ${label}`, fencerChecks, factory);
}
