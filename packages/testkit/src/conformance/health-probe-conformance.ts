import { expect } from 'vitest';
import type { HealthProbe, NodeInfo } from '@tandem/core';
import { describeChecks, type Check, type Disposable, type SubjectFactory } from './check.js';
import { expectIdle, invoke, invokePreAborted, invokeShortDeadline } from './invoke.js';

export interface HealthProbeSubject extends Disposable {
  readonly probe: HealthProbe;
  /** A target the probe must find healthy. In `slow()` subjects: a target that never answers. */
  readonly healthy: NodeInfo;
  /** A target that is down (closed port, stopped service). */
  readonly dead: NodeInfo;
  /** Whether anything the probe started (sockets, child processes) is still running. */
  busy?(): Promise<boolean>;
}

export type HealthProbeFactory = SubjectFactory<HealthProbeSubject>;

const check = (s: HealthProbeSubject, target: NodeInfo) => (ctx: Parameters<HealthProbe['check']>[1]) => s.probe.check(target, ctx);

export const healthProbeChecks: readonly Check<HealthProbeSubject, HealthProbeFactory>[] = [
  {
    name: 'declares a dimension and a positive default timeout',
    run: async (s) => {
      expect(typeof s.probe.dimension === 'string' && s.probe.dimension.length > 0, 'dimension must be a non-empty string').toBe(true);
      expect(s.probe.defaultTimeoutMs, 'defaultTimeoutMs').toBeGreaterThan(0);
    },
  },
  {
    name: 'a healthy target is ok, with a latency measurement',
    run: async (s, env) => {
      const o = await invoke(env, 'check(healthy)', check(s, s.healthy), { allowed: ['ok'] });
      expect(o.data, 'ok must carry { latencyMs }').toBeDefined();
      expect(Number.isFinite(o.data?.latencyMs) && (o.data?.latencyMs ?? -1) >= 0, `latencyMs must be a finite number >= 0, got ${o.data?.latencyMs}`).toBe(true);
    },
  },
  {
    name: 'repeated checks of a healthy target stay ok',
    run: async (s, env) => {
      for (let i = 0; i < 3; i++) await invoke(env, `check(healthy) #${i + 1}`, check(s, s.healthy), { allowed: ['ok'] });
    },
  },
  {
    name: 'a dead target is failed or timeout, never ok',
    run: async (s, env) => {
      await invoke(env, 'check(dead)', check(s, s.dead), { allowed: ['failed', 'timeout'] });
    },
  },
  {
    name: 'concurrent checks of a healthy and a dead target answer each correctly',
    run: async (s, env) => {
      const [good, bad] = await Promise.all([invoke(env, 'check(healthy)', check(s, s.healthy)), invoke(env, 'check(dead)', check(s, s.dead))]);
      expect(good.code, `healthy target: ${good.reason}`).toBe('ok');
      expect(bad.code, `dead target must never be ok: ${bad.reason}`).not.toBe('ok');
    },
  },
  {
    name: 'an already-aborted signal returns timeout at once',
    run: async (s, env) => {
      await invokePreAborted(env, 'check(healthy) with an aborted signal', check(s, s.healthy));
      await invokePreAborted(env, 'check(dead) with an aborted signal', check(s, s.dead));
    },
  },
  {
    name: 'a target that never answers gives timeout within the deadline and leaves nothing running',
    uses: 'slow',
    run: async (s, env) => {
      await invokeShortDeadline(env, 'check(unresponsive)', check(s, s.healthy));
      await expectIdle(env, 'check(unresponsive)', s.busy?.bind(s));
    },
  },
];

/** Register the HealthProbe conformance tests (vitest) for one plugin. */
export function describeHealthProbeConformance(label: string, factory: HealthProbeFactory): void {
  describeChecks(`HealthProbe conformance: ${label}`, healthProbeChecks, factory);
}
