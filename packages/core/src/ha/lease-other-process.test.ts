import { describe, expect, it } from 'vitest';
import { ok } from '../contracts/outcome.js';
import type { ResourceAgent } from '../contracts/resource-agent.js';
import type { LeaseResult } from '../ports/coordination-store.js';
import { createLogger } from '../ports/logger.js';
import { EMPTY_NODE_RECORD } from '../ports/node-memory.js';
import { SimulatedClock } from '../ports/simulated-clock.js';
import { MemoryCoordinationStore } from '../store/memory-store.js';
import type { ActionResult } from './actions.js';
import { AgentLoop } from './agent-loop.js';
import { decide } from './decide.js';
import { ActionExecutor } from './executor.js';
import { applyResult, initialLocalState, type LocalState } from './local-state.js';
import type { Snapshot, StoreView } from './snapshot.js';

// Issue 14, item 1: a lease names its holder by node name and a per-process token. A process that finds the
// store's lease under its own node name but not its own token (its previous run, or another agent configured
// with the same name) waits for that lease to lapse, raising one alert, instead of re-acquiring it.

const timing = { probeIntervalMs: 1000, gatewayTimeoutMs: 4000, leaseTtlMs: 10_000, leaseRenewIntervalMs: 2000, fenceTimeoutMs: 5000, storeTimeoutMs: 1000, actionTimeoutMs: 30_000 };
const NOW = 100_000;
const ready = { ok: true, atMs: NOW - 100, reason: 'could take over', acceptStopped: true };
/** db2 right after its agent restarted and demoted: no lease of its own, self-checks fresh. */
const restarted: LocalState = {
  ...initialLocalState('db2'),
  writing: false,
  lastResults: [{ action: { kind: 'demote', reason: 'agent started, making sure nothing writes', epoch: 0, timeoutMs: 30_000 }, code: 'ok', reason: 'demoted', startedAtMs: NOW - 500, finishedAtMs: NOW - 400 }],
  lastHeartbeat: { atMs: NOW - 100, role: 'replica', eligible: true },
  gateway: { ok: true, atMs: NOW - 100, reason: 'gateway answers' },
  eligibility: ready,
};
// The previous run was the primary: the store's last promotion is db2's at epoch 9.
const ownName: StoreView = { reachable: true, lease: { holder: 'db2', epoch: 9, remainingMs: 6000 }, lastEpoch: 9, lastPrimary: { node: 'db2', epoch: 9, atWallMs: 0 }, members: [], settings: { maintenance: false } };

function snap(local: Partial<LocalState>, store: StoreView = ownName): Snapshot {
  return { node: 'db2', nowMs: NOW, wallMs: 1_000_000, local: { ...restarted, ...local }, store, probes: undefined, inFlight: [], peers: ['db1'], timing, confirmFailures: 3, fenceLevelCount: 1, memory: EMPTY_NODE_RECORD, rejoinPolicy: 'manual' };
}

function refusedAcquire(r: LeaseResult & { acquired: false }): ActionResult {
  const data = { acquired: false, ...(r.current === undefined ? {} : { lease: r.current }), ...(r.heldByOtherProcess === true ? { heldByOtherProcess: true } : {}) };
  return { action: { kind: 'acquire-lease', fenceTargets: ['db1'], failed: undefined, reason: 'failover', requestId: undefined, compensate: false, timeoutMs: 1000 }, code: 'ok', reason: 'lease not granted', startedAtMs: NOW - 50, finishedAtMs: NOW - 40, data };
}

describe('a lease held under this node name by another process', () => {
  it('is asked for once (the store is the one that knows the token), then waited out with one alert', () => {
    // Not known yet: the node stands as before, and the store answers for the token.
    expect(decide(snap({}), NOW).actions.map((a) => a.kind)).toContain('acquire-lease');
    const learned = applyResult(restarted, refusedAcquire({ acquired: false, current: { holder: 'db2', epoch: 9, remainingMs: 6000 }, heldByOtherProcess: true }), timing);
    expect(learned.leaseOfOtherProcess).toBe(9);
    expect(learned.lease).toBeUndefined();
    const d = decide(snap(learned), NOW);
    expect(d.summary).toBe(
      "no action: the lease epoch 9 is held under this node's name by another agent process (a previous run of this agent, or another agent configured with the name db2); waiting for it to lapse in 6000 ms",
    );
    expect(d.actions.map((a) => a.kind)).not.toContain('acquire-lease');
    expect(d.alert).toEqual({ type: 'alert.lease-held-by-another-process', key: '9', data: { node: 'db2', epoch: 9 } });
    // While a heartbeat or other lease-lane call runs it still waits (and keeps the same alert key).
    const busy = decide({ ...snap(learned), inFlight: [{ action: { kind: 'heartbeat', role: 'replica', epoch: 9, facts: {}, timeoutMs: 1000 }, startedAtMs: NOW - 10 }] }, NOW);
    expect(busy.alert?.key).toBe('9');
  });

  it('stands again once that lease lapsed, or when the store shows another epoch under this name', () => {
    const learned = { ...restarted, leaseOfOtherProcess: 9 };
    const lapsed: StoreView = { ...ownName, lease: undefined };
    expect(decide(snap(learned, lapsed), NOW).actions.map((a) => a.kind)).toContain('acquire-lease');
    // Epoch 10 under this name is news: the store is asked (and tells whose it is) rather than assumed.
    const newer: StoreView = { ...ownName, lease: { holder: 'db2', epoch: 10, remainingMs: 9000 }, lastEpoch: 10 };
    const d = decide(snap(learned, newer), NOW);
    expect(d.alert).toBeUndefined();
    expect(d.actions.map((a) => a.kind)).toContain('acquire-lease');
  });

  it('is not confused with a lease the store refused for another node, or with an unacknowledged grant of its own', () => {
    const byPeer = applyResult(restarted, refusedAcquire({ acquired: false, current: { holder: 'db1', epoch: 9, remainingMs: 6000 } }), timing);
    expect(byPeer.leaseOfOtherProcess).toBeUndefined();
    // minReplicaAcks not met: the store answers "not acquired" with the lease it holds under this node's own token.
    const unacked = applyResult(restarted, refusedAcquire({ acquired: false, current: { holder: 'db2', epoch: 9, remainingMs: 6000 } }), timing);
    expect(unacked.leaseOfOtherProcess).toBeUndefined();
    expect(decide(snap(unacked), NOW).actions.map((a) => a.kind)).toContain('acquire-lease');
  });
});

function resource(): ResourceAgent {
  return { defaultTimeoutsMs: {}, start: async () => ok(), stop: async () => ok(), monitor: async () => ok('x', { role: 'replica' as const }), promote: async () => ok() };
}

function executorFor(clock: SimulatedClock, store: MemoryCoordinationStore, leaseToken?: string): ActionExecutor {
  return new ActionExecutor({
    clock,
    store,
    composition: { node: { name: 'db1', nics: {} }, fencingLevels: [], recovery: [], resources: [{ id: 'db', plugin: 't', configPath: 'resources.0', impl: resource() }] },
    nodes: [{ name: 'db1', nics: {} }],
    gateway: { check: async () => ok('gateway answers', { latencyMs: 1 }) },
    timing,
    ...(leaseToken === undefined ? {} : { leaseToken }),
  });
}

class TokenRecordingStore extends MemoryCoordinationStore {
  readonly calls: string[] = [];
  /** Each acquire: its token, when (monotonic ms) and whether it was granted. */
  readonly acquires: { token: string | undefined; atMs: number; acquired: boolean }[] = [];
  constructor(private readonly sim: SimulatedClock) {
    super({ clock: sim });
  }
  override async acquireLease(node: string, ttlMs: number, token?: string): Promise<LeaseResult> {
    this.calls.push(`acquire ${node} ${String(token)}`);
    const atMs = this.sim.monotonicMs();
    const r = await super.acquireLease(node, ttlMs, token);
    this.acquires.push({ token, atMs, acquired: r.acquired });
    return r;
  }
  override async renewLease(node: string, epoch: number, ttlMs: number, token?: string): Promise<LeaseResult> {
    this.calls.push(`renew ${node} ${epoch} ${String(token)}`);
    return super.renewLease(node, epoch, ttlMs, token);
  }
  override async releaseLease(node: string, epoch: number, token?: string): Promise<boolean> {
    this.calls.push(`release ${node} ${epoch} ${String(token)}`);
    return super.releaseLease(node, epoch, token);
  }
}

describe('the executor and its lease token', () => {
  it('passes its own token on acquire, renew and release', async () => {
    const clock = new SimulatedClock();
    const store = new TokenRecordingStore(clock);
    const executor = executorFor(clock, store, 'process-1');
    expect(executor.leaseToken).toBe('process-1');
    const run = async (action: Parameters<ActionExecutor['submit']>[0][number]): Promise<ActionResult | undefined> => {
      executor.submit([action]);
      await executor.idle();
      return executor.takeResults()[0];
    };
    expect(await run({ kind: 'acquire-lease', fenceTargets: [], failed: undefined, reason: 'bootstrap', requestId: undefined, compensate: false, timeoutMs: 1000 })).toMatchObject({ data: { acquired: true, lease: { epoch: 1 } } });
    expect(await run({ kind: 'renew-lease', epoch: 1, timeoutMs: 1000 })).toMatchObject({ data: { acquired: true } });
    expect(await run({ kind: 'release-lease', epoch: 1, timeoutMs: 1000 })).toMatchObject({ code: 'ok' });
    expect(store.calls).toEqual(['acquire db1 process-1', 'renew db1 1 process-1', 'release db1 1 process-1']);
  });

  it('makes a random token per executor when none is given; a second process under the same node name is refused and told why', async () => {
    const clock = new SimulatedClock();
    const store = new MemoryCoordinationStore({ clock });
    const first = executorFor(clock, store);
    const second = executorFor(clock, store);
    expect(first.leaseToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.leaseToken).not.toBe(first.leaseToken);
    const acquire = { kind: 'acquire-lease' as const, fenceTargets: [], failed: undefined, reason: 'bootstrap' as const, requestId: undefined, compensate: false, timeoutMs: 1000 };
    first.submit([acquire]);
    await first.idle();
    expect(first.takeResults()).toMatchObject([{ data: { acquired: true, lease: { holder: 'db1', epoch: 1 } } }]);
    second.submit([acquire, { kind: 'release-lease', epoch: 1, timeoutMs: 1000 }]);
    await second.idle();
    second.submit([{ kind: 'release-lease', epoch: 1, timeoutMs: 1000 }]);
    await second.idle();
    const [refused, release] = second.takeResults();
    expect(refused).toMatchObject({ code: 'ok', data: { acquired: false, heldByOtherProcess: true, lease: { holder: 'db1', epoch: 1 } } });
    expect(refused?.reason).toBe("lease not granted: epoch 1 is held under this node's name (db1) by another agent process");
    expect(release).toMatchObject({ code: 'failed' });
    expect(await store.readLease()).toMatchObject({ holder: 'db1', epoch: 1 });
  });
});

describe('an agent whose node name holds a lease under another token', () => {
  it('waits for it to lapse with one alert, asking the store once, then takes the lease at the next epoch', async () => {
    const clock = new SimulatedClock();
    const store = new TokenRecordingStore(clock);
    // The previous run of this agent (or an agent elsewhere named db1) holds the lease, and goes on renewing it a while.
    await store.acquireLease('db1', 10_000, 'previous-run');
    const executor = executorFor(clock, store, 'this-run');
    const loop = new AgentLoop({ node: 'db1', nodes: [{ name: 'db1', nics: {} }], clock, store, executor, probes: [], logger: createLogger({ level: 'silent' }), timing, confirmFailures: 3, fenceLevelCount: 0 });
    const summaries: string[] = [];
    for (let i = 0; i < 30; i++) {
      if (i === 5) await store.renewLease('db1', 1, 10_000, 'previous-run');
      summaries.push((await loop.runCycle()).summary);
      await executor.idle();
      await clock.advance(1000);
    }
    const alerts = loop.status().events.filter((e) => e.type === 'alert.lease-held-by-another-process');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.data).toEqual({ node: 'db1', epoch: 1 });
    expect(alerts[0]?.message).toMatch(/^no action: the lease epoch 1 is held under this node's name by another agent process .* waiting for it to lapse in \d+ ms$/);
    expect(summaries.some((s) => s.includes('is held under this node'))).toBe(true);
    // One acquire, refused, while the other process's lease lived (renewed at 5 s, so until 15 s); then epoch 2.
    const mine = store.acquires.filter((a) => a.token === 'this-run');
    expect(mine.filter((a) => a.atMs < 15_000)).toEqual([expect.objectContaining({ acquired: false })]);
    expect(mine.find((a) => a.acquired)?.atMs).toBeGreaterThanOrEqual(15_000);
    expect(await store.readLease()).toMatchObject({ holder: 'db1', epoch: 2 });
    expect(await store.lastEpoch()).toBe(2);
  });
});
