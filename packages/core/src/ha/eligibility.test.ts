import { describe, expect, it } from 'vitest';
import type { Member, StoredEvent } from '../ports/coordination-store.js';
import { EMPTY_NODE_RECORD, type NodeRecord } from '../ports/node-memory.js';
import type { Action, ActionResult } from './actions.js';
import { decide } from './decide.js';
import { EligibilityWatch, noEligibleNode } from './eligibility-watch.js';
import { UNCHECKED } from './eligibility-rules.js';
import { applyResult, initialLocalState, observeStore, type LocalState } from './local-state.js';
import type { Snapshot, StoreView } from './snapshot.js';
import { refusalStandDownMs } from './timing-rules.js';

// The failover loop of issue 13: a stale former primary took the lease, powered off the node with the data,
// failed to compensate, and did it again every few seconds. These pin each rule that ends it.

const timing = { probeIntervalMs: 1000, gatewayTimeoutMs: 4000, leaseTtlMs: 10_000, leaseRenewIntervalMs: 2000, fenceTimeoutMs: 5000, storeTimeoutMs: 1000, actionTimeoutMs: 30_000 };
const NOW = 100_000;
const ready = { ok: true, atMs: NOW - 100, reason: 'could take over', acceptStopped: false };
const gateway = { ok: true, atMs: NOW - 10, reason: 'ok' };
const idle: LocalState = { ...initialLocalState('s2'), writing: false, lastHeartbeat: { atMs: NOW - 100, role: 'replica', eligible: true }, gateway, eligibility: ready, lastSeenLease: { holder: 's1', epoch: 3, remainingMs: 0 } };

function member(node: string, role: Member['role'], facts: Member['facts'] = {}): Member {
  return { node, role, epoch: 3, facts, updatedAtWallMs: 0, remainingMs: 5000 };
}

function lapsed(over: Partial<Extract<StoreView, { reachable: true }>> = {}): StoreView {
  return { reachable: true, lease: undefined, lastEpoch: 3, members: [], settings: { maintenance: false }, lastPrimary: { node: 's1', epoch: 3, atWallMs: 0 }, ...over };
}

function snap(local: Partial<LocalState>, store: StoreView, memory: NodeRecord = EMPTY_NODE_RECORD, over: Partial<Snapshot> = {}): Snapshot {
  return { node: 's2', nowMs: NOW, wallMs: 1_000_000, local: { ...idle, ...local }, store, probes: undefined, inFlight: [], peers: ['s1'], timing, confirmFailures: 3, fenceLevelCount: 1, memory, rejoinPolicy: 'manual', ...over };
}

// Heartbeats ride along whenever the published eligibility changes; these tests look at the decision itself.
const work = (s: Snapshot): Action[] => decide(s, NOW).actions.filter((a) => a.kind !== 'heartbeat');
const kinds = (s: Snapshot): string[] => work(s).map((a) => a.kind);
const stale: NodeRecord = { promotedEpoch: 2, rejoinedEpoch: 0 };

describe('eligibility before election', () => {
  it('a stale former primary (promoted at 2, s1 promoted at 3 after it, never rejoined) does not stand, so fences nobody', () => {
    const d = decide(snap({}, lapsed(), stale), NOW);
    expect(d.actions.map((a) => a.kind)).not.toContain('acquire-lease');
    expect(d.summary).toBe('no action: not eligible, s2 was primary at epoch 2 and s1 was promoted at epoch 3 after it; it has not rejoined (tandem rejoin s2 --data)');
  });

  it('the same node once rejoined (rejoinedEpoch at or past its promotion) stands again', () => {
    expect(kinds(snap({}, lapsed(), { promotedEpoch: 2, rejoinedEpoch: 3 }))).toContain('acquire-lease');
  });

  it('an operator failover --to it --accept-data-loss lets a stale node stand', () => {
    const request = { id: 'f1', kind: 'failover' as const, target: 's2', acceptDataLoss: true, requestedAtWallMs: 999_000 };
    const s = snap({ eligibility: { ...ready, acceptStopped: true } }, lapsed({ settings: { maintenance: false, request } }), stale);
    expect(kinds(s)).toContain('acquire-lease');
  });

  it('a lease granted but no promotion recorded, and this node never promoted: a stopped database may stand (no write was acknowledged)', () => {
    // Simulation seed 5090: the store granted epoch 1, was emptied and re-initialised before anyone promoted, both
    // nodes crashed; neither database ran again, each refused "database stopped", and nobody ever stood.
    const unpromoted = lapsed({ lastEpoch: 1, lastPrimary: undefined });
    expect(work(snap({ eligibility: undefined }, unpromoted))).toMatchObject([{ kind: 'check-eligibility', acceptStopped: true }]);
    // Once a promotion is on record, or this node remembers one of its own, the database must run again.
    expect(work(snap({ eligibility: undefined }, lapsed({ lastEpoch: 1 })))).toMatchObject([{ kind: 'check-eligibility', acceptStopped: false }]);
    expect(work(snap({ eligibility: undefined }, unpromoted, { promotedEpoch: 1, rejoinedEpoch: 1 }))).toMatchObject([{ kind: 'check-eligibility', acceptStopped: false }]);
    // Nor does it plan to compensate: a stopped database cannot say where it stands, and nothing was acknowledged
    // (simulation seed 4702: it fenced the peer, then "cannot read the standby's replay position").
    const d = decide(snap({ eligibility: { ...ready, acceptStopped: true } }, unpromoted), NOW);
    expect(d.actions.filter((a) => a.kind === 'acquire-lease')).toMatchObject([{ compensate: false, fenceTargets: ['s1'] }]);
    expect(d.summary).toContain('no promotion recorded yet, nothing to compensate');
  });

  it('while the last primary is recorded as the sole copy of its writes, no other node stands; that node does, and so may a forced target', () => {
    // Campaign seed 816665698: s1 promoted with accept-writes, acknowledged alone, died; s2 must not replace it.
    const alone = lapsed({ lastPrimary: { node: 's1', epoch: 3, atWallMs: 0, soleCopy: true } });
    const d = decide(snap({}, alone), NOW);
    expect(d.actions.map((a) => a.kind)).not.toContain('acquire-lease');
    expect(d.summary).toBe(
      'no action: not eligible, s1, primary since epoch 3, acknowledged writes with its own copy only (no standby had caught up with it); no other node has them: waiting for s1 to come back, or for an operator to accept the loss (tandem failover --to s2 --accept-data-loss)',
    );
    const request = { id: 'f1', kind: 'failover' as const, target: 's2', acceptDataLoss: true, requestedAtWallMs: 999_000 };
    expect(kinds(snap({ eligibility: { ...ready, acceptStopped: true } }, lapsed({ ...alone, settings: { maintenance: false, request } })))).toContain('acquire-lease');
    const own = snap({ eligibility: { ...ready, acceptStopped: true } }, alone, { promotedEpoch: 3, rejoinedEpoch: 0 }, { node: 's1', peers: ['s2'] });
    expect(kinds(own)).toContain('acquire-lease');
    // Once a second copy is recorded, the others stand as before.
    expect(kinds(snap({}, lapsed()))).toContain('acquire-lease');
  });

  it('with a fresh gateway but no fresh eligibility answer, it asks its resources first instead of taking the lease', () => {
    expect(kinds(snap({ eligibility: undefined }, lapsed()))).toEqual(['check-eligibility']);
    expect(kinds(snap({ eligibility: { ...ready, atMs: NOW - 60_000 } }, lapsed()))).toEqual(['check-eligibility']);
  });

  it('a node whose resources are not ready (database stopped) stays out of the election', () => {
    const d = decide(snap({ eligibility: { ...ready, ok: false, reason: 'postgres: not-running (stopped)' }, lastHeartbeat: { atMs: NOW - 100, role: 'replica', eligible: false } }, lapsed()), NOW);
    expect(d).toEqual({ actions: [], summary: 'no action: not eligible (postgres: not-running (stopped)), not standing for election' });
  });

  it('the last recorded primary stands with its database stopped (the check accepts it) and skips compensation', () => {
    const asked = work(snap({ eligibility: undefined }, lapsed({ lastPrimary: { node: 's2', epoch: 3, atWallMs: 0 } }), { promotedEpoch: 3, rejoinedEpoch: 0 }));
    // Nor does it read its transports: it replays nothing, and a WAL mirror cannot say where a stopped database stands
    // (campaign seed 1812183598: the last primary stayed out, "transport mirror unreadable", after a store outage).
    expect(asked).toMatchObject([{ kind: 'check-eligibility', acceptStopped: true, readTransports: false }]);
    const d = decide(snap({ eligibility: { ...ready, acceptStopped: true } }, lapsed({ lastPrimary: { node: 's2', epoch: 3, atWallMs: 0 } }), { promotedEpoch: 3, rejoinedEpoch: 0 }), NOW);
    expect(d.actions).toMatchObject([{ kind: 'acquire-lease', compensate: false, fenceTargets: ['s1'] }]);
    expect(d.summary).toContain('it was the last primary');
  });

  it('a lease won by the last primary fences, then promotes without compensating', () => {
    const won: ActionResult = {
      action: { kind: 'acquire-lease', fenceTargets: ['s1'], failed: 's1', reason: 'failover', requestId: undefined, compensate: false, timeoutMs: 1000 },
      code: 'ok',
      reason: 'held',
      data: { acquired: true, lease: { holder: 's2', epoch: 4, remainingMs: 10_000 } },
      startedAtMs: NOW,
      finishedAtMs: NOW + 5,
    };
    const fencing = applyResult(idle, won, timing);
    expect(fencing.failover?.phase).toBe('fence');
    const fenced = applyResult(fencing, { ...won, action: { kind: 'fence', node: 's1', epoch: 4, reason: 'x', timeoutMs: 1 }, data: { level: 1 } }, timing);
    expect(fenced.failover?.phase).toBe('promote');
  });

  it('a replica that follows refreshes its eligibility now and then, and a changed answer goes out in a heartbeat', () => {
    const following = { following: { primary: 's1', epoch: 3 }, eligibility: { ...ready, atMs: NOW - 60_000 } };
    const held = lapsed({ lease: { holder: 's1', epoch: 3, remainingMs: 8000 } });
    expect(kinds(snap(following, held))).toEqual(['check-eligibility']);
    const changed = snap({ following: { primary: 's1', epoch: 3 }, eligibility: { ...ready, ok: false, reason: 'no' } }, held);
    expect(decide(changed, NOW).actions).toMatchObject([{ kind: 'heartbeat', facts: { eligible: false, ineligible: 'no' } }]);
  });

  it('rejoin: auto — a stale former primary that sees a primary rewinds itself; manual only says what to do', () => {
    const held = lapsed({ lease: { holder: 's1', epoch: 3, remainingMs: 8000 } });
    expect(work(snap({}, held, stale, { rejoinPolicy: 'auto' }))).toMatchObject([{ kind: 'rejoin', primary: 's1', epoch: 3, requestId: undefined }]);
    const manual = decide(snap({}, held, stale), NOW);
    expect(manual.actions.map((a) => a.kind)).not.toContain('rejoin');
    expect(manual.summary).toContain('tandem rejoin s2 --data');
  });
});

describe('no fence loops', () => {
  const refusal = (prev: LocalState, epoch: number): LocalState => {
    const won = applyResult(prev, {
      action: { kind: 'acquire-lease', fenceTargets: ['s1'], failed: 's1', reason: 'failover', requestId: undefined, compensate: true, timeoutMs: 1000 },
      code: 'ok',
      reason: 'held',
      data: { acquired: true, lease: { holder: 's2', epoch, remainingMs: 10_000 } },
      startedAtMs: NOW,
      finishedAtMs: NOW,
    }, timing);
    const fenced = applyResult(won, { action: { kind: 'fence', node: 's1', epoch, reason: 'x', timeoutMs: 1 }, code: 'ok', reason: 'off', startedAtMs: NOW, finishedAtMs: NOW }, timing);
    const refused = (n: number): ActionResult => ({ action: { kind: 'compensate', failed: 's1', epoch, planned: false, timeoutMs: 1 }, code: 'failed', reason: `psql exited 2 (${n})`, startedAtMs: NOW, finishedAtMs: NOW });
    return applyResult(applyResult(fenced, refused(1), timing), refused(2), timing);
  };

  it('each refused election in a row stands down longer, up to a bound', () => {
    const once = refusal(idle, 4);
    expect(once.refusals).toMatchObject({ count: 1, epoch: 4, fenced: ['s1'] });
    expect(once.standDownUntilMs).toBe(NOW + refusalStandDownMs(timing, 1));
    const twice = refusal({ ...once, releasing: false, lease: undefined }, 5);
    expect(twice.standDownUntilMs).toBe(NOW + 2 * timing.leaseTtlMs);
    expect(refusalStandDownMs(timing, 50)).toBe(16 * timing.leaseTtlMs);
  });

  it('a peer fenced for a refused election is not fenced again while no other node got a lease since', () => {
    const after = { ...refusal(idle, 4), releasing: false, lease: undefined, standDownUntilMs: NOW - 1 };
    const again = decide(snap(after, lapsed({ lastEpoch: 4 })), NOW);
    expect(again.actions).toMatchObject([{ kind: 'acquire-lease', fenceTargets: [] }]);
    expect(again.summary).toContain('already fenced s1');
    // Someone else held a lease since (epoch 5): the old fence proves nothing any more.
    expect(decide(snap(after, lapsed({ lastEpoch: 5 })), NOW).actions).toMatchObject([{ kind: 'acquire-lease', fenceTargets: ['s1'] }]);
  });

  it('a switchover to this node that it refused is cleared from the store, so the others stop waiting for it', () => {
    const won = applyResult(idle, {
      action: { kind: 'acquire-lease', fenceTargets: [], failed: 's1', reason: 'switchover', requestId: 'sw-1', compensate: true, timeoutMs: 1000 },
      code: 'ok',
      reason: 'held',
      data: { acquired: true, lease: { holder: 's2', epoch: 4, remainingMs: 10_000 } },
      startedAtMs: NOW,
      finishedAtMs: NOW,
    }, timing);
    const refused = (n: number): ActionResult => ({ action: { kind: 'compensate', failed: 's1', epoch: 4, planned: true, timeoutMs: 1 }, code: 'failed', reason: `18 writes missing (${n})`, startedAtMs: NOW, finishedAtMs: NOW });
    const gaveUp = applyResult(applyResult(won, refused(1), timing), refused(2), timing);
    expect(gaveUp.completeRequestId).toBe('sw-1');
    const released = { ...gaveUp, releasing: false, lease: undefined };
    expect(decide(snap(released, lapsed({ lastEpoch: 4 })), NOW).actions).toMatchObject([{ kind: 'complete-request', id: 'sw-1' }]);
  });

  it('another holder at a higher epoch clears the refusal count', () => {
    const after = refusal(idle, 4);
    const seen = observeStore(after, lapsed({ lease: { holder: 's1', epoch: 6, remainingMs: 9000 } }), NOW);
    expect(seen.refusals).toBeUndefined();
  });
});

describe('when no node can take over', () => {
  const members = [member('s1', 'replica', { eligible: false, ineligible: 'stale' }), member('s2', 'replica', { eligible: false, ineligible: 'stopped' })];

  it('names the node with every acknowledged write and both ways out', () => {
    const none = noEligibleNode(lapsed({ members }));
    expect(none?.holder).toBe('s1');
    expect(none?.message).toContain('s1 (primary at epoch 3) holds every acknowledged write');
    expect(none?.message).toContain('bring s1 back');
    expect(none?.message).toContain('tandem failover --to s2 --accept-data-loss');
    expect(noEligibleNode(lapsed({ members: [members[0]!, member('s2', 'replica', { eligible: true })] }))).toBeUndefined();
    expect(noEligibleNode(lapsed({ members, lease: { holder: 's1', epoch: 3, remainingMs: 1 } }))).toBeUndefined();
  });

  it('raises one alert per episode, from the first member by name, and edge events for the node itself', () => {
    const first = new EligibilityWatch();
    const second = new EligibilityWatch();
    const types = (w: EligibilityWatch, node: string, why: string | undefined, store: StoreView): string[] => w.observe(node, why, store).map((e: Pick<StoredEvent, 'type'>) => e.type);
    expect(types(first, 's1', 'stale', lapsed({ members }))).toEqual(['ha.ineligible', 'alert.no-eligible-node']);
    expect(types(first, 's1', 'stale', lapsed({ members }))).toEqual([]);
    expect(types(second, 's2', 'stopped', lapsed({ members }))).toEqual(['ha.ineligible']);
    expect(types(first, 's1', undefined, lapsed({ members: [member('s1', 'replica', { eligible: true })] }))).toEqual(['ha.eligible', 'ha.eligible-node-back']);
  });

  // CI, postgres-no-fence-loop: the data holder's restarted agent read its own "not checked yet" record and alerted, then checked and promoted.
  it('says nothing while a member has not checked yet, or while this node itself could take over', () => {
    const unchecked = [members[0]!, member('s2', 'replica', { eligible: false, ineligible: UNCHECKED })];
    expect(noEligibleNode(lapsed({ members: unchecked }))).toBeUndefined();
    const self = new EligibilityWatch();
    expect(self.observe('s1', undefined, lapsed({ members })).map((e) => e.type)).toEqual([]);
  });
});

describe("the cluster's first election", () => {
  const first = (members: Member[]): StoreView => ({ reachable: true, lease: undefined, lastEpoch: 0, members, settings: { maintenance: false } });
  const fresh: Partial<LocalState> = { lastSeenLease: undefined, firstSeenStoreAtMs: NOW - 1000, eligibility: { ...ready, acceptStopped: true, position: 100 } };

  it('defers to a peer whose data goes further', () => {
    const d = decide(snap(fresh, first([member('s1', 'replica', { eligible: true, position: 200 })])), NOW);
    expect(d.summary).toBe('no action: first election: deferring to s1, whose data goes further (position 200 against 100)');
  });

  it('at equal positions, defers to the peer whose database already serves as primary (a provisioned primary is not demoted)', () => {
    const peer = member('s1', 'replica', { eligible: true, position: 100, servesAsPrimary: true });
    expect(decide(snap(fresh, first([peer])), NOW).summary).toBe('no action: first election: deferring to s1, which already serves as primary with the same data (position 100)');
    // The primary itself does not wait for the standby; neither does a node ahead of the serving one.
    const serving: Partial<LocalState> = { ...fresh, eligibility: { ...ready, acceptStopped: true, position: 100, servesAsPrimary: true } };
    expect(kinds(snap(serving, first([member('s1', 'replica', { eligible: true, position: 100 })])))).toEqual(['acquire-lease']);
    expect(kinds(snap({ ...fresh, eligibility: { ...ready, acceptStopped: true, position: 150 } }, first([peer])))).toEqual(['acquire-lease']);
  });

  it('databases handed over stopped may stand: the check accepts a stopped database and skips the transports', () => {
    expect(work(snap({ ...fresh, eligibility: undefined }, first([])))).toMatchObject([{ kind: 'check-eligibility', acceptStopped: true, readTransports: false }]);
  });

  it('waits up to a lease TTL for peers that have not said how far their data goes, then stands', () => {
    expect(decide(snap(fresh, first([])), NOW).summary).toBe('no action: first election: waiting up to 9000 ms for s1 to report how far their data goes');
    expect(kinds(snap({ ...fresh, firstSeenStoreAtMs: NOW - 10_000 }, first([])))).toEqual(['acquire-lease']);
  });

  it('stands at once when its own data goes furthest; a peer that is not eligible is no reason to wait', () => {
    expect(kinds(snap(fresh, first([member('s1', 'replica', { eligible: true, position: 50 })])))).toEqual(['acquire-lease']);
    expect(kinds(snap(fresh, first([member('s1', 'replica', { eligible: false, position: 900 })])))).toEqual(['acquire-lease']);
  });

  it('later elections do not wait for a replica ahead: compensation brings the winner up to every acknowledged write', () => {
    const notLast = lapsed({ lastPrimary: { node: 's3', epoch: 3, atWallMs: 0 }, members: [member('s1', 'replica', { eligible: true, position: 900 })] });
    expect(kinds(snap({ ...fresh, eligibility: ready }, notLast))).toContain('acquire-lease');
  });

  it('later elections defer to the last primary while it says it could take over with data further than ours (simulation seed 5006)', () => {
    const mine = { ...fresh, eligibility: { ...ready, position: 300 } };
    const back = lapsed({ members: [member('s1', 'replica', { eligible: true, position: 600 })] });
    expect(decide(snap(mine, back), NOW).summary).toBe("no action: deferring to s1, the last primary, which could take over with data further than this node's (position 600 against 300)");
    // Not when its database is down (no position), it is not eligible, or its data goes no further.
    for (const facts of [{ eligible: true, position: null }, { eligible: false, position: 600 }, { eligible: true, position: 300 }]) {
      expect(kinds(snap(mine, lapsed({ members: [member('s1', 'replica', facts)] })))).toContain('acquire-lease');
    }
  });
});

describe('an agent restarted while no lease was shown', () => {
  it('still compensates for the recorded last primary: it forgot the lease, the store did not (simulation seed 895)', () => {
    const d = decide(snap({ lastSeenLease: undefined }, lapsed({ lastEpoch: 1, lastPrimary: { node: 's1', epoch: 1, atWallMs: 0 } })), NOW);
    expect(d.actions.filter((a) => a.kind === 'acquire-lease')).toMatchObject([{ reason: 'failover', failed: 's1', compensate: true }]);
  });
});

describe('a group without data', () => {
  it('a former primary of a group that keeps no data (no resource has rejoin) is never stale: there is nothing to rewind', () => {
    expect(kinds(snap({}, lapsed(), stale, { keepsData: false }))).toContain('acquire-lease');
  });
});
