import { SystemClock, type NodeInfo } from '@tandem/core';
import type { FencerFactory, FencerSubject } from '../conformance/fencer-conformance.js';
import type { HealthProbeFactory } from '../conformance/health-probe-conformance.js';
import type { RecoveryStrategyFactory } from '../conformance/recovery-strategy-conformance.js';
import type { ReplicationTransportFactory } from '../conformance/replication-transport-conformance.js';
import type { ResourceAgentFactory } from '../conformance/resource-agent-conformance.js';
import { MemoryFencer } from '../fakes/memory-fencer.js';
import { MemoryHealthProbe } from '../fakes/memory-health-probe.js';
import { MemoryRecoveryStrategy } from '../fakes/memory-recovery-strategy.js';
import { MemoryReplicationTransport } from '../fakes/memory-replication-transport.js';
import { MemoryResourceAgent, type MemoryResourceAgentOptions } from '../fakes/memory-resource-agent.js';
import * as agents from './broken-resource-agents.js';
import * as fencers from './broken-fencers.js';
import * as probes from './broken-probes.js';
import * as strategies from './broken-recovery-strategies.js';
import * as transports from './broken-transports.js';

/** A node for in-memory subjects; the fakes only look at its name. */
export function fakeNode(name: string): NodeInfo {
  return { name, nics: { public: { name: 'eth0', address: '192.0.2.10', prefixLength: 24 } } };
}

/** Fast suite timings for in-memory subjects. */
const FAST = { timeoutMs: 1000, shortTimeoutMs: 100, abortGraceMs: 500 } as const;

type Ctor<T, A extends unknown[]> = new (...args: A) => T;

/** A ResourceAgent factory over an in-memory agent class (correct or broken). */
export function memoryAgentFactory(Agent: Ctor<MemoryResourceAgent, [MemoryResourceAgentOptions?]> = MemoryResourceAgent): ResourceAgentFactory {
  const subject = (options: MemoryResourceAgentOptions) => {
    const agent = new Agent(options);
    return { agent, busy: async () => agent.inProgress > 0 };
  };
  return { ...FAST, roles: true, create: async () => subject({}), slow: async () => subject({ slowStart: true }) };
}

export function memoryProbeFactory(Probe: Ctor<MemoryHealthProbe, [SystemClock]> = MemoryHealthProbe): HealthProbeFactory {
  const subject = (slow: boolean) => {
    const probe = new Probe(new SystemClock());
    probe.healthy.add('up');
    if (slow) probe.hung.add('up');
    return { probe, healthy: fakeNode('up'), dead: fakeNode('down'), busy: async () => probe.inProgress > 0 };
  };
  return { ...FAST, create: async () => subject(false), slow: async () => subject(true) };
}

export function memoryFencerFactory(Fencer: Ctor<MemoryFencer, [{ slow?: boolean }?]> = MemoryFencer): FencerFactory {
  const subject = (slow: boolean): FencerSubject => {
    const fencer = new Fencer({ slow });
    return { fencer, node: fakeNode('db1'), busy: async () => fencer.inProgress > 0 };
  };
  return { ...FAST, unfence: true, create: async () => subject(false), slow: async () => subject(true) };
}

export function memoryTransportFactory(Transport: Ctor<MemoryReplicationTransport, [{ slowStart?: boolean }?]> = MemoryReplicationTransport): ReplicationTransportFactory {
  const subject = (slowStart: boolean) => {
    const transport = new Transport({ slowStart });
    return { transport, busy: async () => transport.inProgress > 0 };
  };
  return { ...FAST, create: async () => subject(false), slow: async () => subject(true) };
}

export function memoryStrategyFactory(Strategy: Ctor<MemoryRecoveryStrategy, [{ pending?: number; slowExecute?: boolean }?]> = MemoryRecoveryStrategy): RecoveryStrategyFactory {
  const input = { failed: fakeNode('db1'), candidate: fakeNode('db2'), epoch: 8, kind: 'failover', acceptDataLoss: false } as const;
  const subject = (slowExecute: boolean) => {
    const strategy = new Strategy({ pending: 20, slowExecute });
    return { strategy, input, busy: async () => strategy.inProgress > 0 };
  };
  return { ...FAST, create: async () => subject(false), slow: async () => subject(true) };
}

/** A broken implementation, the factory that exercises it, and the checks that must catch it. */
export interface BrokenCase<F> {
  readonly factory: F;
  readonly caughtBy: readonly string[];
}

/**
 * Implementations that each break the contract in one known way. The
 * testkit's own tests run every suite against them and require the named
 * checks to fail; plugin authors can use them the same way for checks of their own.
 */
export const deliberatelyBroken = {
  resourceAgents: {
    stopFailsWhenStopped: { factory: memoryAgentFactory(agents.StopFailsWhenStoppedAgent), caughtBy: ['monitor of a stopped resource is not-running, and stop on it is ok', 'stop twice is ok, and monitor after stop is not-running'] },
    startNotIdempotent: { factory: memoryAgentFactory(agents.StartNotIdempotentAgent), caughtBy: ['start twice is ok, and monitor then is ok with a role'] },
    monitorFailsWhenStopped: { factory: memoryAgentFactory(agents.MonitorFailsWhenStoppedAgent), caughtBy: ['monitor of a stopped resource is not-running, and stop on it is ok', 'stop twice is ok, and monitor after stop is not-running'] },
    throwsOnMonitor: { factory: memoryAgentFactory(agents.ThrowingMonitorAgent), caughtBy: ['monitor of a stopped resource is not-running, and stop on it is ok'] },
    emptyReason: { factory: memoryAgentFactory(agents.EmptyReasonAgent), caughtBy: ['start twice is ok, and monitor then is ok with a role'] },
    ignoresAbort: { factory: memoryAgentFactory(agents.IgnoresAbortAgent), caughtBy: ['an already-aborted signal returns timeout, and the resource can still be stopped cleanly', 'a start that cannot finish gives timeout within the deadline and leaves nothing running'] },
    promoteTwiceFails: { factory: memoryAgentFactory(agents.PromoteTwiceFailsAgent), caughtBy: ['promote twice is ok and monitor reports primary; demote twice is ok and monitor reports replica or not-running'] },
    readinessStarts: { factory: memoryAgentFactory(agents.ReadinessStartsAgent), caughtBy: ['readiness, when present, answers a valid outcome (ok with a well-formed position) and changes nothing monitor sees'] },
    malformedPosition: { factory: memoryAgentFactory(agents.MalformedPositionAgent), caughtBy: ['readiness, when present, answers a valid outcome (ok with a well-formed position) and changes nothing monitor sees'] },
  },
  probes: {
    ignoresAbort: { factory: memoryProbeFactory(probes.IgnoresAbortProbe), caughtBy: ['a target that never answers gives timeout within the deadline and leaves nothing running'] },
    okForDeadTarget: { factory: memoryProbeFactory(probes.AlwaysOkProbe), caughtBy: ['a dead target is failed or timeout, never ok', 'concurrent checks of a healthy and a dead target answer each correctly'] },
    throwsOnFailure: { factory: memoryProbeFactory(probes.ThrowingProbe), caughtBy: ['a dead target is failed or timeout, never ok'] },
  },
  fencers: {
    okWithoutProof: { factory: memoryFencerFactory(fencers.OkWithoutProofFencer), caughtBy: ['fence returns ok with a proof at the request epoch, and status then reports fenced'] },
    staleEpochProof: { factory: memoryFencerFactory(fencers.StaleEpochFencer), caughtBy: ['fence returns ok with a proof at the request epoch, and status then reports fenced', 'fencing twice is ok, and a later epoch is proven at that epoch'] },
    unverified: { factory: memoryFencerFactory(fencers.UnverifiedFencer), caughtBy: ['fence returns ok with a proof at the request epoch, and status then reports fenced'] },
    ignoresAbort: { factory: memoryFencerFactory(fencers.IgnoresAbortFencer), caughtBy: ['a fence that cannot finish gives timeout within the deadline and leaves nothing running'] },
  },
  transports: {
    stopTwiceFails: { factory: memoryTransportFactory(transports.StopTwiceFailsTransport), caughtBy: ['status of a stopped transport is not-running, and stop on it is ok', 'stop twice is ok, and status then is not-running'] },
    backwardsInFlight: { factory: memoryTransportFactory(transports.BackwardsInFlightTransport), caughtBy: ['inFlight answers ok with an ordered range and a location, or failed'] },
  },
  recoveryStrategies: {
    driftingPlan: { factory: memoryStrategyFactory(strategies.DriftingPlanStrategy), caughtBy: ['plan is ok, has named steps with unique ids, and is the same when asked again'] },
    silentLoss: { factory: memoryStrategyFactory(strategies.SilentLossStrategy), caughtBy: ['execute is ok with zero loss when loss is not accepted, and the same report when re-run at the same epoch'] },
    notIdempotent: { factory: memoryStrategyFactory(strategies.NotIdempotentStrategy), caughtBy: ['execute is ok with zero loss when loss is not accepted, and the same report when re-run at the same epoch'] },
  },
} satisfies {
  resourceAgents: Record<string, BrokenCase<ResourceAgentFactory>>;
  probes: Record<string, BrokenCase<HealthProbeFactory>>;
  fencers: Record<string, BrokenCase<FencerFactory>>;
  transports: Record<string, BrokenCase<ReplicationTransportFactory>>;
  recoveryStrategies: Record<string, BrokenCase<RecoveryStrategyFactory>>;
};
