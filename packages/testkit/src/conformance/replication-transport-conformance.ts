import { expect } from 'vitest';
import type { CallContext, ReplicationTransport } from '@tandem/core';
import { describeChecks, type Check, type CheckEnv, type Disposable, type SubjectFactory } from './check.js';
import { expectIdle, invoke, invokePreAborted, invokeShortDeadline } from './invoke.js';

export interface ReplicationTransportSubject extends Disposable {
  /** Starts out stopped. In `slow()` subjects, `start` never completes. */
  readonly transport: ReplicationTransport;
  busy?(): Promise<boolean>;
}

export type ReplicationTransportFactory = SubjectFactory<ReplicationTransportSubject>;

type Method = 'start' | 'stop';
const call = (s: ReplicationTransportSubject, m: Method) => (ctx: CallContext) => s.transport[m](ctx);

async function expectStatus(s: ReplicationTransportSubject, env: CheckEnv, running: boolean, what: string): Promise<void> {
  const o = await invoke(env, what, (ctx: CallContext) => s.transport.status(ctx), { allowed: running ? ['ok'] : ['not-running'] });
  if (!running) return;
  expect(['source', 'sink', 'idle'], `${what}: role`).toContain(o.data?.role);
  const { flushed, applied } = o.data ?? {};
  if (flushed && applied) expect(applied.offset, `${what}: applied must not be past flushed`).toBeLessThanOrEqual(flushed.offset);
  if (o.data?.lag !== undefined) expect(o.data.lag, `${what}: lag`).toBeGreaterThanOrEqual(0);
}

export const replicationTransportChecks: readonly Check<ReplicationTransportSubject, ReplicationTransportFactory>[] = [
  {
    name: 'declares a positive default timeout',
    run: async (s) => expect(s.transport.defaultTimeoutMs, 'defaultTimeoutMs').toBeGreaterThan(0),
  },
  {
    name: 'status of a stopped transport is not-running, and stop on it is ok',
    run: async (s, env) => {
      await expectStatus(s, env, false, 'status before start');
      await invoke(env, 'stop while stopped', call(s, 'stop'), { allowed: ['ok'] });
    },
  },
  {
    name: 'start twice is ok, and status then reports a role',
    run: async (s, env) => {
      await invoke(env, 'start', call(s, 'start'), { allowed: ['ok'] });
      await invoke(env, 'start again', call(s, 'start'), { allowed: ['ok'] });
      await expectStatus(s, env, true, 'status after start');
    },
  },
  {
    name: 'stop twice is ok, and status then is not-running',
    run: async (s, env) => {
      await invoke(env, 'start', call(s, 'start'), { allowed: ['ok'] });
      await invoke(env, 'stop', call(s, 'stop'), { allowed: ['ok'] });
      await invoke(env, 'stop again', call(s, 'stop'), { allowed: ['ok'] });
      await expectStatus(s, env, false, 'status after stop');
    },
  },
  {
    name: 'inFlight answers ok with an ordered range and a location, or failed',
    run: async (s, env) => {
      await invoke(env, 'start', call(s, 'start'), { allowed: ['ok'] });
      const o = await invoke(env, 'inFlight', (ctx: CallContext) => s.transport.inFlight(ctx), { allowed: ['ok', 'failed', 'not-running'] });
      if (o.code !== 'ok') return;
      expect(o.data, 'inFlight ok must carry { from, to, location }').toBeDefined();
      expect(o.data!.from.offset, 'inFlight: from must not be after to').toBeLessThanOrEqual(o.data!.to.offset);
      expect(o.data!.location.length, 'inFlight: location must be named').toBeGreaterThan(0);
    },
  },
  {
    name: 'an already-aborted signal returns timeout on every method',
    run: async (s, env) => {
      await invokePreAborted(env, 'start with an aborted signal', call(s, 'start'));
      await invokePreAborted(env, 'status with an aborted signal', (ctx: CallContext) => s.transport.status(ctx));
      await invokePreAborted(env, 'inFlight with an aborted signal', (ctx: CallContext) => s.transport.inFlight(ctx));
      await invokePreAborted(env, 'stop with an aborted signal', call(s, 'stop'));
    },
  },
  {
    name: 'a start that cannot finish gives timeout within the deadline and leaves nothing running',
    uses: 'slow',
    run: async (s, env) => {
      await invokeShortDeadline(env, 'start(slow)', call(s, 'start'));
      await expectIdle(env, 'start(slow)', s.busy?.bind(s));
    },
  },
];

/** Register the ReplicationTransport conformance tests (vitest) for one plugin. */
export function describeReplicationTransportConformance(label: string, factory: ReplicationTransportFactory): void {
  describeChecks(`ReplicationTransport conformance: ${label}`, replicationTransportChecks, factory);
}
