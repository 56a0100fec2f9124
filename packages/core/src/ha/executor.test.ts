import { describe, expect, it } from 'vitest';
import { ok, outcome } from '../contracts/outcome.js';
import type { ReplicationTransport } from '../contracts/replication-transport.js';
import type { ResourceAgent } from '../contracts/resource-agent.js';
import { SimulatedClock } from '../ports/simulated-clock.js';
import { ActionExecutor } from './executor.js';
import { LeasedStore } from './leased-store.test-support.js';

const timing = { probeIntervalMs: 1000, gatewayTimeoutMs: 4000, leaseTtlMs: 10_000, leaseRenewIntervalMs: 2000, fenceTimeoutMs: 5000, storeTimeoutMs: 1000, actionTimeoutMs: 30_000 };

function setup(resource: Partial<ResourceAgent> = {}): { clock: SimulatedClock; executor: ActionExecutor; order: string[] } {
  const clock = new SimulatedClock();
  const order: string[] = [];
  const agent = (id: string): ResourceAgent => ({
    defaultTimeoutsMs: {},
    start: async () => (order.push(`start ${id}`), ok()),
    stop: async () => (order.push(`stop ${id}`), ok()),
    monitor: async () => ok('x', { role: 'replica' as const }),
    promote: async () => (order.push(`promote ${id}`), ok()),
    ...resource,
  });
  const composed = (id: string) => ({ id, plugin: 't', configPath: `resources.${id}`, timeoutMs: 2000, impl: agent(id) });
  const executor = new ActionExecutor({
    clock,
    store: new LeasedStore(clock),
    composition: { node: { name: 'db2', nics: {} }, fencingLevels: [], recovery: [], resources: [composed('volume'), composed('vip')] },
    nodes: [{ name: 'db1', nics: {} }, { name: 'db2', nics: {} }],
    gateway: { check: () => new Promise(() => undefined) },
    timing,
  });
  return { clock, executor, order };
}

describe('ActionExecutor', () => {
  it("gives a monitor as long as its slowest resource's own monitor timeout, not only the cycle's deadline", async () => {
    let sim: SimulatedClock | undefined;
    // Each resource answers after 1.5 s: inside its own timeoutMs (2000, set in setup), beyond the cycle's 1000.
    const { clock, executor } = setup({ monitor: async () => (await sim!.sleep(1500), ok('x', { role: 'primary' as const })) });
    sim = clock;
    executor.submit([{ kind: 'monitor', epoch: 1, timeoutMs: 1000 }]);
    await clock.advance(1000);
    expect(executor.takeResults()).toEqual([]);
    await clock.advance(500);
    await executor.idle();
    expect(executor.takeResults()).toMatchObject([{ action: { kind: 'monitor' }, code: 'ok', finishedAtMs: 1500 }]);
  });

  it('cuts an action off at its timeout and reports the result to the next cycle', async () => {
    const { clock, executor } = setup();
    expect(executor.submit([{ kind: 'check-gateway', timeoutMs: 4000 }])).toHaveLength(1);
    await clock.advance(3999);
    expect(executor.takeResults()).toEqual([]);
    expect(executor.inFlight()).toHaveLength(1);
    await clock.advance(1);
    await executor.idle();
    expect(executor.takeResults()).toMatchObject([{ code: 'timeout', startedAtMs: 0, finishedAtMs: 4000, reason: 'check gateway: no answer within 4000 ms' }]);
  });

  it('runs one action per lane: a renewal is not blocked by a slow fence, a second work action is refused', async () => {
    const { clock, executor } = setup();
    const started = executor.submit([
      { kind: 'check-gateway', timeoutMs: 4000 },
      { kind: 'promote', epoch: 1, timeoutMs: 1000 },
      { kind: 'acquire-lease', fenceTargets: [], failed: undefined, reason: 'bootstrap', requestId: undefined, timeoutMs: 1000 },
    ]);
    expect(started.map((a) => a.kind)).toEqual(['check-gateway', 'acquire-lease']);
    await clock.advance(10);
    expect(executor.takeResults()).toMatchObject([{ action: { kind: 'acquire-lease' }, code: 'ok', data: { acquired: true, lease: { holder: 'db2', epoch: 1 } } }]);
    await clock.advance(4000);
  });

  it('fails a fence when no level is configured: no fence, no promotion', async () => {
    const { clock, executor } = setup();
    executor.submit([{ kind: 'fence', node: 'db1', epoch: 3, reason: 'test', timeoutMs: 1000 }]);
    await clock.advance(1);
    await executor.idle();
    expect(executor.takeResults()).toMatchObject([{ code: 'failed', reason: 'no fencing levels are configured: no fence, no promotion' }]);
  });

  it('promotes in group order and demotes in reverse, stopping what has no demote', async () => {
    const { clock, executor, order } = setup();
    executor.submit([{ kind: 'promote', epoch: 2, timeoutMs: 5000 }]);
    await clock.advance(1);
    await executor.idle();
    executor.submit([{ kind: 'demote', reason: 'test', epoch: 2, timeoutMs: 5000 }]);
    await clock.advance(1);
    await executor.idle();
    expect(order).toEqual(['start volume', 'promote volume', 'start vip', 'promote vip', 'stop vip', 'stop volume']);
    expect(executor.takeResults().map((r) => r.code)).toEqual(['ok', 'ok']);
  });

  it('a resource that hangs is cut off at its own timeout and the promotion fails', async () => {
    const { clock, executor } = setup({ promote: () => new Promise(() => undefined) });
    executor.submit([{ kind: 'promote', epoch: 2, timeoutMs: 30_000 }]);
    await clock.advance(1); // start volume answers at once; promote volume begins
    await clock.advance(1999);
    expect(executor.inFlight()).toHaveLength(1);
    await clock.advance(1);
    await executor.idle();
    // The group is rolled back (volume stopped again) and the reason says so.
    expect(executor.takeResults()).toMatchObject([
      { code: 'timeout', reason: 'rolled back: volume stopped; volume failed to promote at epoch 2: timeout (promote volume: no answer within 2000 ms)', data: { group: { state: 'rolled-back', started: [] } } },
    ]);
  });
});

describe('ActionExecutor: replica upkeep', () => {
  function withTransport(withSource?: 'ok' | 'fails'): { clock: SimulatedClock; executor: ActionExecutor; order: string[] } {
    const clock = new SimulatedClock();
    const order: string[] = [];
    const database: ResourceAgent = {
      defaultTimeoutsMs: {},
      start: async (ctx) => (order.push(`start database following ${ctx.primary?.name ?? 'nobody'} at ${ctx.epoch}`), ok()),
      stop: async () => ok(),
      monitor: async () => ok('x', { role: 'replica' as const }),
      promote: async () => (order.push('promote database'), ok()),
      demote: async () => ok(),
    };
    const vip: ResourceAgent = { defaultTimeoutsMs: {}, start: async () => (order.push('start vip'), ok()), stop: async () => ok(), monitor: async () => ok('x', { role: 'none' as const }) };
    const mirror: ReplicationTransport = {
      defaultTimeoutMs: 1000,
      ...(withSource ? { startSource: async () => (order.push('start mirror source side'), withSource === 'fails' ? outcome('failed', 'the peer LUN is not exported') : ok()), stopSource: async () => (order.push('stop mirror source side'), ok()) } : {}),
      start: async () => (order.push('start mirror'), ok()),
      stop: async () => (order.push('stop mirror'), ok()),
      status: async () => ok('x', { role: 'sink' as const }),
      inFlight: async () => ok('x', { from: { offset: 0, label: '0/0' }, to: { offset: 0, label: '0/0' }, location: '/m' }),
    };
    const c = (id: string, impl: ResourceAgent) => ({ id, plugin: 't', configPath: `resources.${id}`, timeoutMs: undefined, impl });
    const executor = new ActionExecutor({
      clock,
      store: new LeasedStore(clock),
      composition: {
        node: { name: 'db2', nics: {} },
        fencingLevels: [],
        recovery: [],
        resources: [c('database', database), c('vip', vip)],
        transports: [{ id: 'mirror', plugin: 't', configPath: 'transports[0]', timeoutMs: undefined, impl: mirror }],
      },
      nodes: [{ name: 'db1', nics: { public: { name: 'eth0', address: '192.0.2.11', prefixLength: 24 } } }, { name: 'db2', nics: {} }],
      gateway: { check: () => new Promise(() => undefined) },
      timing,
    });
    return { clock, executor, order };
  }

  it('follow starts only the resources with roles, pointed at the primary, then the transports', async () => {
    const { clock, executor, order } = withTransport();
    executor.submit([{ kind: 'follow', primary: 'db1', epoch: 4, timeoutMs: 5000 }]);
    await clock.advance(1);
    await executor.idle();
    expect(order).toEqual(['start database following db1 at 4', 'start mirror']);
    expect(executor.takeResults()).toMatchObject([{ code: 'ok', reason: 'following db1 at epoch 4: database, mirror' }]);
  });

  it('promote stops the transports before promoting the group', async () => {
    const { clock, executor, order } = withTransport();
    executor.submit([{ kind: 'promote', epoch: 5, timeoutMs: 5000 }]);
    await clock.advance(1);
    await executor.idle();
    expect(order).toEqual(['stop mirror', 'start database following nobody at 5', 'promote database', 'start vip']);
  });

  it("promote starts a transport's primary side after stopping it and before any resource; restart does too", async () => {
    const { clock, executor, order } = withTransport('ok');
    executor.submit([{ kind: 'promote', epoch: 5, timeoutMs: 5000 }]);
    await clock.advance(1);
    await executor.idle();
    expect(order).toEqual(['stop mirror', 'start mirror source side', 'start database following nobody at 5', 'promote database', 'start vip']);
    expect(executor.takeResults()).toMatchObject([{ code: 'ok', reason: expect.stringMatching(/^promoted 2 resource\(s\) at epoch 5: database, vip \(primary side: mirror: /) }]);
    order.length = 0;
    executor.submit([{ kind: 'restart', epoch: 5, reason: 'x', timeoutMs: 5000 }]);
    await clock.advance(1);
    await executor.idle();
    expect(order[0]).toBe('start mirror source side');
  });

  it('a primary side that fails to start fails the promotion before any resource starts', async () => {
    const { clock, executor, order } = withTransport('fails');
    executor.submit([{ kind: 'promote', epoch: 5, timeoutMs: 5000 }]);
    await clock.advance(1);
    await executor.idle();
    expect(order).toEqual(['stop mirror', 'start mirror source side']);
    expect(executor.takeResults()).toMatchObject([{ code: 'failed', reason: 'start the primary side of transport mirror: failed (the peer LUN is not exported); the group was not started' }]);
  });

  it('demote releases the primary side after the resources, never the plain stop (a sink keeps exporting)', async () => {
    const { clock, executor, order } = withTransport('ok');
    executor.submit([{ kind: 'demote', reason: 'switchover', epoch: 5, timeoutMs: 5000 }]);
    await clock.advance(1);
    await executor.idle();
    expect(order).toEqual(['stop mirror source side']);
    expect(executor.takeResults()).toMatchObject([{ code: 'ok' }]);
  });
});
