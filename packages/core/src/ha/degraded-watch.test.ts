import { describe, expect, it } from 'vitest';
import { createLogger } from '../ports/logger.js';
import { SimulatedClock } from '../ports/simulated-clock.js';
import { MemoryCoordinationStore } from '../store/memory-store.js';
import type { Action, ActionResult, InFlightAction } from './actions.js';
import { AgentLoop, type ActionRunner } from './agent-loop.js';
import { DegradedWatch } from './degraded-watch.js';
import type { GroupResultData, ResourceReport } from './group-state.js';

const timing = { probeIntervalMs: 1000, gatewayTimeoutMs: 4000, leaseTtlMs: 10_000, leaseRenewIntervalMs: 2000, fenceTimeoutMs: 5000, storeTimeoutMs: 1000, actionTimeoutMs: 30_000 };
const healthy: ResourceReport = { id: 'volume', state: { role: 'primary' } };
const degraded = (why: string): ResourceReport => ({ id: 'volume', state: { role: 'primary', degraded: why } });

describe('DegradedWatch', () => {
  it('raises one event when a resource becomes degraded and one when it recovers, nothing in between', () => {
    const watch = new DegradedWatch();
    expect(watch.observe([healthy])).toEqual([]);
    expect(watch.observe([degraded('member sdc missing')]).map((e) => [e.type, e.message])).toEqual([['resource.degraded', 'volume is degraded, still serving: member sdc missing']]);
    // Resync progress changes the reason every cycle: not an edge.
    expect(watch.observe([degraded('resync 40%')])).toEqual([]);
    expect(watch.observe([degraded('resync 41%')])).toEqual([]);
    // A monitor that did not report the resource (it failed) says nothing about degradation.
    expect(watch.observe([])).toEqual([]);
    expect(watch.observe([healthy]).map((e) => e.type)).toEqual(['resource.recovered']);
    expect(watch.observe([healthy])).toEqual([]);
  });

  it('reset forgets: the next primary raises the event again', () => {
    const watch = new DegradedWatch();
    watch.observe([degraded('x')]);
    watch.reset();
    expect(watch.observe([degraded('x')]).map((e) => e.type)).toEqual(['resource.degraded']);
  });
});

describe('AgentLoop and degraded resources', () => {
  it('records resource.degraded / resource.recovered events from monitor results, on their edges only', async () => {
    const clock = new SimulatedClock();
    const pending: ActionResult[] = [];
    const executor: ActionRunner = {
      submit: (actions: readonly Action[]) => actions,
      inFlight: (): readonly InFlightAction[] => [],
      takeResults: () => pending.splice(0),
    };
    const loop = new AgentLoop({ node: 'db1', nodes: [{ name: 'db1', nics: {} }], clock, store: new MemoryCoordinationStore({ clock }), executor, probes: [], logger: createLogger({ level: 'silent' }), timing, confirmFailures: 3, fenceLevelCount: 0 });
    const monitorResult = (reports: ResourceReport[]): ActionResult => {
      const data: GroupResultData = { resources: reports };
      return { action: { kind: 'monitor', epoch: 1, timeoutMs: 2000 }, code: 'ok', reason: 'monitored', startedAtMs: clock.monotonicMs(), finishedAtMs: clock.monotonicMs(), data };
    };
    const resourceEvents = () => loop.status().events.filter((e) => e.type.startsWith('resource.')).map((e) => e.type);
    for (const reports of [[healthy], [degraded('member sdc missing')], [degraded('resync 10%')], [degraded('resync 90%')], [healthy], [healthy]]) {
      pending.push(monitorResult(reports));
      await loop.runCycle();
      await clock.advance(1000);
    }
    expect(resourceEvents()).toEqual(['resource.degraded', 'resource.recovered']);
    const first = loop.status().events.find((e) => e.type === 'resource.degraded');
    expect(first?.data).toEqual({ resource: 'volume', degraded: 'member sdc missing' });
  });
});

describe('AgentLoop and a half-started group', () => {
  it('a restart whose rollback failed raises alert.group-half-started with the group data', async () => {
    const clock = new SimulatedClock();
    const pending: ActionResult[] = [];
    const executor: ActionRunner = { submit: (actions: readonly Action[]) => actions, inFlight: (): readonly InFlightAction[] => [], takeResults: () => pending.splice(0) };
    const loop = new AgentLoop({ node: 'db1', nodes: [{ name: 'db1', nics: {} }], clock, store: new MemoryCoordinationStore({ clock }), executor, probes: [], logger: createLogger({ level: 'silent' }), timing, confirmFailures: 3, fenceLevelCount: 0 });
    const data: GroupResultData = { group: { state: 'half-started', started: ['vip'], failed: { id: 'database', step: 'start', code: 'failed', reason: 'x' }, rollbackFailures: [{ id: 'vip', step: 'stop', code: 'failed', reason: 'y' }] } };
    pending.push({ action: { kind: 'restart', epoch: 2, reason: 'monitor failed', timeoutMs: 1000 }, code: 'failed', reason: 'NOT SAFE: vip could not be stopped (failed: y); group half-started: vip; database failed to start at epoch 2: failed (x)', startedAtMs: 0, finishedAtMs: 0, data });
    await loop.runCycle();
    const alert = loop.status().events.find((e) => e.type === 'alert.group-half-started');
    expect(alert?.message).toMatch(/NOT SAFE: vip could not be stopped/);
    expect(alert?.data).toEqual({ group: data.group });
  });
});
