import { describe, expect, it } from 'vitest';
import type { Member } from '../ports/coordination-store.js';
import { EMPTY_NODE_RECORD } from '../ports/node-memory.js';
import { decide } from './decide.js';
import { initialLocalState, RESOURCE_FAILURE, type LocalState } from './local-state.js';
import type { Snapshot, StoreView } from './snapshot.js';

const timing = { probeIntervalMs: 1000, gatewayTimeoutMs: 4000, leaseTtlMs: 10_000, leaseRenewIntervalMs: 2000, fenceTimeoutMs: 5000, storeTimeoutMs: 1000, actionTimeoutMs: 30_000 };
const NOW = 100_000;
const ready = { ok: true, atMs: NOW - 100, reason: 'could take over', acceptStopped: false };
const settled: LocalState = { ...initialLocalState('db2'), writing: false, lastHeartbeat: { atMs: NOW - 100, role: 'replica', eligible: true }, following: { primary: 'db1', epoch: 7 }, eligibility: ready };

function member(node: string, role: Member['role']): Member {
  return { node, role, epoch: 7, facts: {}, updatedAtWallMs: 0, remainingMs: 5000 };
}

function store(over: Partial<Extract<StoreView, { reachable: true }>> = {}): StoreView {
  return { reachable: true, lease: { holder: 'db1', epoch: 7, remainingMs: 8000 }, members: [member('db1', 'primary'), member('db3', 'replica')], settings: { maintenance: false }, lastPrimary: { node: 'db1', epoch: 7, atWallMs: 0 }, ...over };
}

function snap(local: Partial<LocalState> = {}, over: Partial<Snapshot> = {}): Snapshot {
  return { node: 'db2', nowMs: NOW, wallMs: 1_000_000, local: { ...settled, ...local }, store: store(), probes: undefined, inFlight: [], peers: ['db1', 'db3'], timing, confirmFailures: 3, fenceLevelCount: 2, memory: EMPTY_NODE_RECORD, rejoinPolicy: 'manual', ...over };
}

const primaryLease = { epoch: 7, renewedAtMs: NOW - 500, validUntilMs: NOW + 8500 };
const checked = { checkedAtMs: NOW - 100, failures: 0, restarts: 0, reason: 'ok' };
const asPrimary: Partial<LocalState> = { role: 'primary', writing: true, lease: primaryLease, lastHeartbeat: { atMs: NOW - 100, role: 'primary', eligible: true }, resources: checked };
const primaryStore = store({ lease: { holder: 'db2', epoch: 7, remainingMs: 9000 }, members: [member('db1', 'replica'), member('db2', 'primary'), member('db3', 'replica')] });

function kinds(s: Snapshot): string[] {
  return decide(s, s.nowMs).actions.map((a) => a.kind);
}

describe('decide', () => {
  it('a replica with a healthy primary does nothing', () => {
    const d = decide(snap(), NOW);
    expect(d).toEqual({ actions: [], summary: 'no action: primary db1 holds lease epoch 7' });
  });

  it('the target of a switchover checks it could take over sooner than the routine check, so the primary need not wait long', () => {
    const request = { id: 'r1', kind: 'switchover' as const, target: 'db2', requestedAtWallMs: 999_000 };
    const older = { ...ready, atMs: NOW - 3000 };
    const asTarget = snap({ eligibility: older }, { store: store({ settings: { maintenance: false, request } }) });
    expect(decide(asTarget, NOW).actions.map((a) => a.kind)).toContain('check-eligibility');
    expect(decide(snap({ eligibility: older }), NOW).actions.map((a) => a.kind)).not.toContain('check-eligibility');
  });

  it('a replica follows a new primary (or a new epoch) once, and waits after a failed follow', () => {
    expect(decide(snap({ following: undefined }), NOW).actions).toEqual([{ kind: 'follow', primary: 'db1', epoch: 7, timeoutMs: expect.any(Number) as number }]);
    expect(decide(snap({ following: { primary: 'db1', epoch: 6 } }), NOW).summary).toBe('replica upkeep: follow db1 at epoch 7');
    const retry = decide(snap({ following: undefined, followRetryAtMs: NOW + 1000 }), NOW);
    expect(retry).toEqual({ actions: [], summary: 'no action: primary db1 holds lease epoch 7; following it failed, trying again in 1000 ms' });
    expect(decide(snap({ following: undefined, followRetryAtMs: NOW - 1 }), NOW).actions.map((a) => a.kind)).toEqual(['follow']);
  });

  it('a rejoin request for this node is carried out by its agent, then cleared; others ignore it', () => {
    const request = { id: 'r1', kind: 'rejoin' as const, target: 'db2', requestedAtWallMs: 1_000_000 - 500 };
    const withRequest = { store: store({ settings: { maintenance: false, request } }) };
    expect(decide(snap({}, withRequest), NOW).actions).toEqual([{ kind: 'rejoin', primary: 'db1', epoch: 7, requestId: 'r1', timeoutMs: 30 * 60_000 }]);
    expect(decide(snap({ completeRequestId: 'r1' }, withRequest), NOW).actions).toEqual([{ kind: 'complete-request', id: 'r1', timeoutMs: 1000 }]);
    const forOther = { store: store({ settings: { maintenance: false, request: { ...request, target: 'db3' } } }) };
    expect(decide(snap({}, forOther), NOW).actions).toEqual([]);
  });

  it('a freshly started agent demotes before anything else', () => {
    const s = snap(initialLocalState('db2'));
    expect(decide(s, NOW).summary).toBe('demote: db2 stops writing at epoch 0 (agent started, making sure nothing writes)');
    expect(decide(s, NOW).actions).toMatchObject([{ kind: 'demote' }, { kind: 'heartbeat', role: 'primary' }]);
  });

  it('a primary with a fresh lease does nothing, and renews when due', () => {
    expect(decide(snap(asPrimary, { store: primaryStore }), NOW)).toEqual({ actions: [], summary: 'no action: primary db2 holds lease epoch 7' });
    const due = snap({ ...asPrimary, lease: { ...primaryLease, renewedAtMs: NOW - 2500 } }, { store: primaryStore });
    expect(kinds(due)).toEqual(['renew-lease']);
  });

  it('a primary monitors its resources every probe interval, on their own lane', () => {
    const due = snap({ ...asPrimary, resources: { ...checked, checkedAtMs: NOW - 1000 } }, { store: primaryStore });
    expect(decide(due, NOW)).toMatchObject({ summary: 'no action: primary db2 holds lease epoch 7', actions: [{ kind: 'monitor', epoch: 7 }] });
    const busy = snap({ ...asPrimary, resources: undefined }, { store: primaryStore, inFlight: [{ action: { kind: 'monitor', epoch: 7, timeoutMs: 2000 }, startedAtMs: NOW - 10 }] });
    expect(kinds(busy)).toEqual([]);
  });

  it('a primary whose resources fail 3 checks restarts them, and hands over after 2 restarts', () => {
    const failing = { ...checked, failures: 3, reason: 'app: not-running (no pid)' };
    const restart = decide(snap({ ...asPrimary, resources: failing }, { store: primaryStore }), NOW);
    expect(restart.summary).toBe('recover: resources of db2 failed 3 checks (app: not-running (no pid)); restart 1 of 2 at epoch 7');
    expect(restart.actions).toMatchObject([{ kind: 'restart', epoch: 7 }]);
    const giveUp = decide(snap({ ...asPrimary, resources: { ...failing, restarts: 2 } }, { store: primaryStore }), NOW);
    expect(giveUp.summary).toBe('recover: resources of db2 still fail after 2 restarts (app: not-running (no pid)); demoting to hand over epoch 7');
    expect(giveUp.actions).toMatchObject([{ kind: 'demote', reason: RESOURCE_FAILURE, epoch: 7 }]);
  });

  it('maintenance: a failing resource is left alone', () => {
    const s = snap({ ...asPrimary, resources: { ...checked, failures: 5 } }, { store: { ...primaryStore, settings: { maintenance: true } } as StoreView });
    expect(decide(s, NOW).actions).toEqual([]);
  });

  it('a primary past its lease validity demotes at once, even when the store is away', () => {
    const s = snap({ ...asPrimary, lease: { ...primaryLease, validUntilMs: NOW - 1 } }, { store: { reachable: false, reason: 'timeout' } });
    const d = decide(s, NOW);
    expect(d.summary).toBe('demote: db2 stops writing at epoch 7 (lease not renewed in time)');
    expect(d.actions).toMatchObject([{ kind: 'demote', epoch: 7 }]);
  });

  it('a primary whose lease the store gives to another demotes, maintenance or not', () => {
    const s = snap(asPrimary, { store: store({ settings: { maintenance: true } }) });
    expect(decide(s, NOW).summary).toBe('demote: db2 stops writing at epoch 7 (lease held by another node)');
  });

  it('maintenance: a primary keeps its lease and does nothing else', () => {
    const s = snap(asPrimary, { store: { ...primaryStore, settings: { maintenance: true } } as StoreView });
    expect(decide(s, NOW).summary).toBe('maintenance: no automatic action: primary db2 holds lease epoch 7');
  });

  it('detect: confirmed probe failures wait for the lease and refresh the self-check', () => {
    const probes = { target: 'db1', tallies: [{ id: 'ping', consecutiveFailures: 3, lastCode: 'failed' as const }] };
    const d = decide(snap({}, { probes }), NOW);
    expect(d.summary).toBe('failover step detect: db1 failed ping x3; waiting for its lease epoch 7 to lapse in 8000 ms');
    expect(d.step).toBe('detect');
    expect(d.actions.map((a) => a.kind)).toEqual(['check-gateway']);
  });

  it('two failures are not yet a confirmed failure', () => {
    const probes = { target: 'db1', tallies: [{ id: 'ping', consecutiveFailures: 2, lastCode: 'failed' as const }] };
    expect(decide(snap({}, { probes }), NOW).summary).toBe('no action: primary db1 holds lease epoch 7');
  });

  it('self-check: with the lease lapsed, check the gateway first', () => {
    const d = decide(snap({}, { store: store({ lease: undefined }) }), NOW);
    expect(d.summary).toBe('failover step self-check: db2 checks its gateway before standing for election');
    expect(d.actions).toEqual([{ kind: 'check-gateway', timeoutMs: 4000 }]);
  });

  it('a failed gateway check keeps the node out of the election, and its heartbeat says so', () => {
    const s = snap({ gateway: { ok: false, atMs: NOW - 10, reason: 'no reply' } }, { store: store({ lease: undefined }) });
    expect(decide(s, NOW)).toEqual({
      actions: [{ kind: 'heartbeat', role: 'replica', epoch: 0, facts: { eligible: false, ineligible: 'gateway check failed (no reply)', position: null }, timeoutMs: 1000 }],
      summary: 'no action: gateway check failed (no reply), not standing for election',
    });
  });

  it('an old gateway reply does not stand in while a new check is still running (found by the simulation, seed 84)', () => {
    const stale = { gateway: { ok: true, atMs: NOW - 5000, reason: 'ok' }, lastSeenLease: { holder: 'db1', epoch: 7, remainingMs: 0 } };
    const checking = [{ action: { kind: 'check-gateway' as const, timeoutMs: 4000 }, startedAtMs: NOW - 100 }];
    const d = decide(snap(stale, { store: store({ lease: undefined }), inFlight: checking }), NOW);
    expect(d).toEqual({ actions: [], summary: 'failover step self-check: gateway check in progress' });
  });

  it('elect: with a fresh gateway reply, take the lease and plan to fence every peer not known to be a replica', () => {
    const s = snap({ gateway: { ok: true, atMs: NOW - 10, reason: 'ok' }, lastSeenLease: { holder: 'db1', epoch: 7, remainingMs: 0 } }, { store: store({ lease: undefined }) });
    const d = decide(s, NOW);
    expect(d.summary).toBe('failover step elect: db2 takes the lease with a new epoch (lease epoch 7 of db1 lapsed; will fence db1)');
    expect(d.actions).toMatchObject([{ kind: 'acquire-lease', fenceTargets: ['db1'], failed: 'db1', reason: 'failover' }]);
  });

  it('bootstrap: in a store that never granted a lease, silent peers are not fenced', () => {
    const fresh = store({ lease: undefined, lastEpoch: 0, members: [member('db3', 'replica')] });
    // Started a lease TTL ago: the first election's wait for peers to report their data is over.
    const firstCheck = { ok: true, atMs: NOW - 100, reason: 'could take over', acceptStopped: true };
    const d = decide(snap({ gateway: { ok: true, atMs: NOW - 10, reason: 'ok' }, firstSeenStoreAtMs: NOW - 10_000, eligibility: firstCheck }, { store: fresh }), NOW);
    expect(d.summary).toBe('failover step elect: db2 takes the lease with a new epoch (first lease of this cluster; will fence nobody)');
    expect(d.actions).toMatchObject([{ kind: 'acquire-lease', fenceTargets: [], reason: 'bootstrap' }]);
  });

  it('no lease seen but the store has granted one before: silent peers are fenced', () => {
    const known = store({ lease: undefined, lastEpoch: 4, members: [member('db3', 'replica')] });
    const d = decide(snap({ gateway: { ok: true, atMs: NOW - 10, reason: 'ok' } }, { store: known }), NOW);
    expect(d.actions).toMatchObject([{ kind: 'acquire-lease', fenceTargets: ['db1'] }]);
  });

  it('the store unreachable: a replica does not stand', () => {
    expect(decide(snap({}, { store: { reachable: false, reason: 'read lease: timeout' } }), NOW).summary).toBe('no action: store unreachable (read lease: timeout), not standing for election');
  });

  const candidate = (phase: 'fence' | 'compensate' | 'promote'): Partial<LocalState> => ({
    role: 'candidate',
    lease: { epoch: 8, renewedAtMs: NOW - 100, validUntilMs: NOW + 8900 },
    lastHeartbeat: { atMs: NOW - 100, role: 'candidate' },
    failover: { reason: 'failover', epoch: 8, failed: 'db1', requestId: undefined, phase, targets: ['db1'], fenced: phase === 'fence' ? [] : ['db1'], fenceFailures: 0, compensateFailures: 0, startedAtMs: NOW - 100, compensate: true },
  });
  const candidateStore = store({ lease: { holder: 'db2', epoch: 8, remainingMs: 9900 } });

  it('fence: the candidate fences the old primary with its new epoch', () => {
    const d = decide(snap(candidate('fence'), { store: candidateStore }), NOW);
    expect(d.summary).toBe('failover step fence: fencing db1 at epoch 8 (2 levels, attempt 1)');
    expect(d.actions).toMatchObject([{ kind: 'fence', node: 'db1', epoch: 8, timeoutMs: 11_000 }]);
  });

  it('fence in progress: no second action, the summary says so', () => {
    const s = snap(candidate('fence'), { store: candidateStore, inFlight: [{ action: { kind: 'fence', node: 'db1', epoch: 8, reason: 'x', timeoutMs: 1 }, startedAtMs: NOW - 10 }] });
    expect(decide(s, NOW)).toEqual({ actions: [], summary: 'failover step fence: fencing db1 at epoch 8 (2 levels, attempt 1) (in progress)' });
  });

  it('compensate, then promote', () => {
    expect(decide(snap(candidate('compensate'), { store: candidateStore }), NOW).summary).toBe('failover step compensate: replaying what db1 left at epoch 8');
    const d = decide(snap(candidate('promote'), { store: candidateStore }), NOW);
    expect(d.summary).toBe('failover step promote: promoting db2 at epoch 8');
    expect(d.actions).toMatchObject([{ kind: 'promote', epoch: 8 }]);
  });

  it('switchover: the primary demotes when the target is a healthy replica, then reports replica, then releases', () => {
    const request = { id: 'r1', kind: 'switchover' as const, target: 'db3', requestedAtWallMs: 999_000 };
    const members = [member('db1', 'replica'), member('db2', 'primary'), { ...member('db3', 'replica'), facts: { eligible: true } }];
    const s = snap(asPrimary, { store: { ...primaryStore, members, settings: { maintenance: false, request } } as StoreView });
    expect(decide(s, NOW).summary).toBe('switchover: demoting db2 at epoch 7 to hand over to db3');
    const demoted = snap({ role: 'replica', writing: false, lease: primaryLease, releasing: true, lastHeartbeat: { atMs: NOW - 100, role: 'primary' } }, { store: primaryStore });
    expect(kinds(demoted)).toEqual(['heartbeat']);
    const reported = snap({ role: 'replica', writing: false, lease: primaryLease, releasing: true, lastHeartbeat: { atMs: NOW - 100, role: 'replica' } }, { store: primaryStore });
    expect(decide(reported, NOW).summary).toBe('switchover: releasing lease epoch 7');
  });

  // CI, postgres-failover-rejoin: the rejoined target's record still said "cannot take over" (checked before its mirror
  // streamed); the primary demoted anyway, nobody waited for the target, and the primary took the lease back (exit 8).
  it('switchover: the primary keeps serving while the target does not say it could take over, and says why', () => {
    const request = { id: 'r1', kind: 'switchover' as const, target: 'db3', requestedAtWallMs: 999_000 };
    for (const facts of [{ eligible: false, ineligible: 'the WAL mirror does not stream yet' }, {}]) {
      const members = [member('db2', 'primary'), { ...member('db3', 'replica'), facts }];
      const s = snap(asPrimary, { store: { ...primaryStore, members, settings: { maintenance: false, request } } as StoreView });
      const d = decide(s, NOW);
      expect(d.actions.map((a) => a.kind)).not.toContain('demote');
      expect(d.summary).toMatch(/switchover to db3 waits until it is a healthy replica that could take over/);
    }
    const members = [member('db2', 'primary'), { ...member('db3', 'replica'), facts: { eligible: false, ineligible: 'the WAL mirror does not stream yet' } }];
    const s = snap(asPrimary, { store: { ...primaryStore, members, settings: { maintenance: false, request } } as StoreView });
    expect(decide(s, NOW).summary).toContain('(db3: the WAL mirror does not stream yet)');
  });

  it('a node that is not the switchover target does not stand while the target says it could take over', () => {
    const request = { id: 'r1', kind: 'switchover' as const, target: 'db3', requestedAtWallMs: 999_000 };
    const target = { ...member('db3', 'replica'), facts: { eligible: true } };
    const s = snap({ gateway: { ok: true, atMs: NOW, reason: 'ok' } }, { store: store({ lease: undefined, members: [target], settings: { maintenance: false, request } }) });
    expect(decide(s, NOW).summary).toBe('no action: waiting for db3 to take over (switchover r1)');
  });

  it('a switchover target that refused (or is gone) does not keep the others out (simulation seed 3020)', () => {
    const request = { id: 'r1', kind: 'switchover' as const, target: 'db3', requestedAtWallMs: 999_000 };
    const refused = { ...member('db3', 'replica'), facts: { eligible: false, ineligible: 'standing down for 5000 ms after 1 refused election(s)' } };
    for (const members of [[refused], []]) {
      const s = snap({ gateway: { ok: true, atMs: NOW, reason: 'ok' } }, { store: store({ lease: undefined, members, settings: { maintenance: false, request } }) });
      expect(decide(s, NOW).summary).not.toMatch(/waiting for db3/);
    }
  });

  it('a heartbeat rides along when one is due', () => {
    const s = snap({ lastHeartbeat: { atMs: NOW - 5000, role: 'replica' } });
    expect(decide(s, NOW).actions).toEqual([{ kind: 'heartbeat', role: 'replica', epoch: 0, facts: { eligible: true, ineligible: null, position: null }, timeoutMs: 1000 }]);
  });
});
