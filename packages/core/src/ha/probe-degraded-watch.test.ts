import { describe, expect, it } from 'vitest';
import type { HealthProbe, ProbeData } from '../contracts/health-probe.js';
import { ok, outcome, type Outcome } from '../contracts/outcome.js';
import type { Composed } from '../plugins/compose.js';
import { MemoryLogger } from '../ports/logger.js';
import { flushMicrotasks, SimulatedClock } from '../ports/simulated-clock.js';
import { MemoryCoordinationStore } from '../store/memory-store.js';
import type { Action, InFlightAction } from './actions.js';
import { AgentLoop, type ActionRunner } from './agent-loop.js';
import { degradedReason, ProbeDegradedWatch } from './probe-degraded-watch.js';

const healthy: Outcome<ProbeData> = ok('heartbeat ok', { latencyMs: 3 });
const degraded = (why: string): Outcome<ProbeData> => ok(`degraded heartbeat: ${why}`, { latencyMs: 3, degraded: why });
const failed: Outcome<ProbeData> = outcome('failed', 'suspected partition');
const timedOut: Outcome<ProbeData> = outcome('timeout', 'no result within 2000 ms');
const types = (events: readonly { type: string }[]): string[] => events.map((e) => e.type);

describe('degradedReason', () => {
  it('is the reason only on an ok answer with a non-empty string', () => {
    expect(degradedReason(degraded('privateB lost'))).toBe('privateB lost');
    expect(degradedReason(healthy)).toBeUndefined();
    expect(degradedReason(ok('x', { latencyMs: 1, degraded: '' }))).toBeUndefined();
    // A failed answer carrying the field is a failure, not a degradation.
    expect(degradedReason(outcome('failed', 'x', { latencyMs: 1, degraded: 'privateB lost' }))).toBeUndefined();
    // A plugin built against another core might send anything: only a string counts.
    expect(degradedReason(ok('x', { latencyMs: 1, degraded: 1 } as unknown as ProbeData))).toBeUndefined();
  });
});

describe('ProbeDegradedWatch', () => {
  it('raises probe.degraded on the first degraded answer and probe.restored on the next healthy one, nothing in between', () => {
    const watch = new ProbeDegradedWatch();
    expect(watch.observe('heartbeat', 's2', healthy)).toEqual([]);
    expect(watch.observe('heartbeat', 's2', degraded('privateB lost, heartbeat on privateA only'))).toEqual([
      {
        type: 'probe.degraded',
        message: 'probe heartbeat on s2 is degraded, still ok: privateB lost, heartbeat on privateA only',
        data: { probe: 'heartbeat', target: 's2', degraded: 'privateB lost, heartbeat on privateA only' },
      },
    ]);
    expect(watch.observe('heartbeat', 's2', degraded('privateB lost, heartbeat on privateA only'))).toEqual([]);
    // Another reason while still degraded is no edge; the latest is what restored reports.
    expect(watch.observe('heartbeat', 's2', degraded('privateA lost, heartbeat on privateB only'))).toEqual([]);
    expect(watch.current()).toEqual([{ probe: 'heartbeat', target: 's2', degraded: 'privateA lost, heartbeat on privateB only' }]);
    expect(watch.observe('heartbeat', 's2', healthy)).toEqual([
      {
        type: 'probe.restored',
        message: 'probe heartbeat on s2 is restored (was: privateA lost, heartbeat on privateB only)',
        data: { probe: 'heartbeat', target: 's2', degraded: 'privateA lost, heartbeat on privateB only' },
      },
    ]);
    expect(watch.observe('heartbeat', 's2', healthy)).toEqual([]);
    expect(watch.current()).toEqual([]);
  });

  it('a failed or timed-out answer is not restored, and a degraded one after it raises nothing new', () => {
    const watch = new ProbeDegradedWatch();
    expect(types(watch.observe('heartbeat', 's2', degraded('privateB lost')))).toEqual(['probe.degraded']);
    for (const answer of [failed, timedOut, outcome<ProbeData>('unknown', 'odd output'), outcome<ProbeData>('config-error', 'no NIC')]) {
      expect(watch.observe('heartbeat', 's2', answer)).toEqual([]);
    }
    expect(watch.observe('heartbeat', 's2', degraded('privateB lost'))).toEqual([]);
    expect(types(watch.observe('heartbeat', 's2', healthy))).toEqual(['probe.restored']);
    // Healthy -> failed -> healthy never was degraded: nothing to say.
    expect(watch.observe('heartbeat', 's2', failed)).toEqual([]);
    expect(watch.observe('heartbeat', 's2', healthy)).toEqual([]);
  });

  it('keeps each probe x target apart', () => {
    const watch = new ProbeDegradedWatch();
    expect(types(watch.observe('heartbeat', 's2', degraded('privateB lost')))).toEqual(['probe.degraded']);
    expect(types(watch.observe('heartbeat', 's3', degraded('privateB lost')))).toEqual(['probe.degraded']);
    expect(types(watch.observe('heartbeat-2', 's2', degraded('privateB lost')))).toEqual(['probe.degraded']);
    // s3 healthy restores only s3; s2's heartbeat is still degraded.
    expect(watch.observe('heartbeat', 's3', healthy).map((e) => e.data)).toEqual([{ probe: 'heartbeat', target: 's3', degraded: 'privateB lost' }]);
    expect(watch.observe('heartbeat', 's2', degraded('privateB lost'))).toEqual([]);
    expect(watch.current().map((c) => `${c.probe}@${c.target}`).sort()).toEqual(['heartbeat-2@s2', 'heartbeat@s2']);
  });

  it('cannot confuse ids that contain the separator of another pair', () => {
    const watch = new ProbeDegradedWatch();
    watch.observe('a', 'b,c', degraded('x'));
    expect(types(watch.observe('a,b', 'c', degraded('x')))).toEqual(['probe.degraded']);
  });
});

describe('AgentLoop and a degraded probe', () => {
  it('records probe.degraded / probe.restored from the probe answers about the primary, on their edges only, in the store too', async () => {
    const clock = new SimulatedClock();
    const store = new MemoryCoordinationStore({ clock });
    // db1 holds the lease (long enough for the whole test), so db2 probes db1.
    expect((await store.acquireLease('db1', 3_600_000)).acquired).toBe(true);
    const executor: ActionRunner = { submit: (actions: readonly Action[]) => actions, inFlight: (): readonly InFlightAction[] => [], takeResults: () => [] };
    const script: Outcome<ProbeData>[] = [healthy, degraded('privateB lost, heartbeat on privateA only'), degraded('privateB lost, heartbeat on privateA only'), failed, timedOut, degraded('privateB lost, heartbeat on privateA only'), healthy, healthy];
    let calls = 0;
    const impl: HealthProbe = { dimension: 'heartbeat', defaultTimeoutMs: 500, check: async () => script[Math.min(calls++, script.length - 1)] ?? healthy };
    const probe: Composed<HealthProbe> = { id: 'heartbeat', plugin: 'probe-heartbeat', configPath: 'probes.checks[0]', timeoutMs: 500, impl };
    const logger = new MemoryLogger();
    const loop = new AgentLoop({
      node: 'db2',
      nodes: [
        { name: 'db1', nics: {} },
        { name: 'db2', nics: {} },
      ],
      clock,
      store,
      executor,
      probes: [probe],
      logger,
      timing: { probeIntervalMs: 1000, gatewayTimeoutMs: 4000, leaseTtlMs: 10_000, leaseRenewIntervalMs: 2000, fenceTimeoutMs: 5000, storeTimeoutMs: 1000, actionTimeoutMs: 30_000 },
      confirmFailures: 3,
      fenceLevelCount: 0,
    });
    for (let i = 0; i <= script.length; i++) {
      await loop.runCycle();
      await flushMicrotasks();
      await clock.advance(1000);
    }
    expect(calls).toBeGreaterThanOrEqual(script.length);
    const probeEvents = loop.status().events.filter((e) => e.type.startsWith('probe.'));
    expect(probeEvents.map((e) => [e.type, e.data])).toEqual([
      ['probe.degraded', { probe: 'heartbeat', target: 'db1', degraded: 'privateB lost, heartbeat on privateA only' }],
      ['probe.restored', { probe: 'heartbeat', target: 'db1', degraded: 'privateB lost, heartbeat on privateA only' }],
    ]);
    // Degraded is a warning in the agent's log, restored is information.
    expect(logger.lines.filter((l) => l.message.startsWith('probe heartbeat on db1')).map((l) => l.level)).toEqual(['warn', 'info']);
    // The same outbox as every other event: appended to the store's history.
    await loop.runCycle();
    await flushMicrotasks();
    const stored = (await store.readEvents()).filter((e) => e.type.startsWith('probe.'));
    expect(stored.map((e) => [e.node, e.type])).toEqual([
      ['db2', 'probe.degraded'],
      ['db2', 'probe.restored'],
    ]);
  });
});
