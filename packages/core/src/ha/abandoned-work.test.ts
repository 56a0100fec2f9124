import { describe, expect, it } from 'vitest';
import { ok } from '../contracts/outcome.js';
import type { ResourceAgent } from '../contracts/resource-agent.js';
import { EMPTY_NODE_RECORD } from '../ports/node-memory.js';
import { SimulatedClock } from '../ports/simulated-clock.js';
import { decide } from './decide.js';
import { ActionExecutor } from './executor.js';
import { LeasedStore } from './leased-store.test-support.js';
import { applyResult, initialLocalState } from './local-state.js';
import type { Snapshot } from './snapshot.js';

// Simulation seed 1117: a promote timed out, the agent demoted and reported `replica`, then the database's
// promote landed anyway; peers, seeing a healthy replica, did not fence it: two writers.

const timing = { probeIntervalMs: 1000, gatewayTimeoutMs: 4000, leaseTtlMs: 10_000, leaseRenewIntervalMs: 2000, fenceTimeoutMs: 5000, storeTimeoutMs: 1000, actionTimeoutMs: 3000 };

describe('work abandoned at its deadline', () => {
  it('a promote that ignores its deadline stays tracked until it settles, then comes back as a late result', async () => {
    const clock = new SimulatedClock();
    // The resource takes 10 s and ignores its abort signal, as a stuck pg_ctl promote might.
    const db: ResourceAgent = { defaultTimeoutsMs: { promote: 60_000 }, start: async () => ok(), stop: async () => ok(), monitor: async () => ok('x', { role: 'replica' as const }), promote: async () => (await clock.sleep(10_000), ok('promoted late')) };
    const executor = new ActionExecutor({
      clock,
      store: new LeasedStore(clock),
      composition: { node: { name: 'db2', nics: {} }, fencingLevels: [], recovery: [], resources: [{ id: 'db', plugin: 't', configPath: 'resources.0', impl: db }] },
      nodes: [{ name: 'db2', nics: {} }],
      gateway: { check: () => new Promise(() => undefined) },
      timing,
    });
    executor.submit([{ kind: 'promote', epoch: 3, timeoutMs: 3000 }]);
    for (let i = 0; i < 30; i++) await clock.advance(100);
    expect(executor.takeResults()).toMatchObject([{ code: 'timeout' }]);
    expect(executor.abandoned()).toMatchObject([{ action: { kind: 'promote', epoch: 3 } }]);
    for (let i = 0; i < 100 && executor.abandoned().length > 0; i++) await clock.advance(1000);
    expect(executor.abandoned()).toEqual([]);
    const [late] = executor.takeResults();
    expect(late).toMatchObject({ code: 'unknown', data: { late: true } });
    expect(late?.reason).toContain('finished late (ok: promoted 1 resource(s) at epoch 3: db)');
    // The node's memory: possibly writing again, so decide demotes it.
    expect(applyResult({ ...initialLocalState('db2'), writing: false }, late!, timing).writing).toBe(true);
  });

  it('while one is pending the node reports itself primary (peers fence it) and does not stand', () => {
    const s: Snapshot = {
      node: 'db2',
      nowMs: 100_000,
      wallMs: 1_000_000,
      local: { ...initialLocalState('db2'), writing: false, gateway: { ok: true, atMs: 99_990, reason: 'ok' } },
      store: { reachable: true, lease: undefined, lastEpoch: 3, members: [], settings: { maintenance: false } },
      probes: undefined,
      inFlight: [],
      abandoned: [{ action: { kind: 'promote', epoch: 3, timeoutMs: 3000 }, startedAtMs: 90_000 }],
      peers: ['db1'],
      timing,
      confirmFailures: 3,
      fenceLevelCount: 1,
      memory: EMPTY_NODE_RECORD,
      rejoinPolicy: 'manual',
    };
    const d = decide(s, s.nowMs);
    expect(d.summary).toBe('no action: not eligible, an abandoned promote may still finish on db2');
    expect(d.actions).toMatchObject([{ kind: 'heartbeat', role: 'primary' }]);
  });
});
