import { describe, expect, it } from 'vitest';
import type { ClusterIdentity } from '../ports/coordination-store.js';
import { EMPTY_NODE_RECORD } from '../ports/node-memory.js';
import { decide } from './decide.js';
import { initialLocalState, observeStore, type LocalState } from './local-state.js';
import type { Snapshot, StoreView } from './snapshot.js';
import { distrust } from './store-trust.js';
import { heartbeatRoundMs } from './timing-rules.js';

// Rows of issue 14's table, at the level of the HA cycle.

const timing = { probeIntervalMs: 1000, gatewayTimeoutMs: 4000, leaseTtlMs: 10_000, leaseRenewIntervalMs: 2000, fenceTimeoutMs: 5000, storeTimeoutMs: 1000, actionTimeoutMs: 30_000 };
const NOW = 100_000;
const lapsed: StoreView = { reachable: true, lease: undefined, lastEpoch: 7, members: [], settings: { maintenance: false }, lastPrimary: { node: 'db1', epoch: 7, atWallMs: 0 } };
const ready: LocalState = {
  ...initialLocalState('db2'),
  writing: false,
  gateway: { ok: true, atMs: NOW - 10, reason: 'ok' },
  eligibility: { ok: true, atMs: NOW - 10, reason: 'ready', acceptStopped: false },
  lastSeenLease: { holder: 'db1', epoch: 7, remainingMs: 0 },
  lastHeartbeat: { atMs: NOW - 10, role: 'replica', eligible: true },
};

function snap(local: Partial<LocalState>): Snapshot {
  return { node: 'db2', nowMs: NOW, wallMs: 0, local: { ...ready, ...local }, store: lapsed, probes: undefined, inFlight: [], peers: ['db1', 'db3'], timing, confirmFailures: 3, fenceLevelCount: 1, memory: EMPTY_NODE_RECORD, rejoinPolicy: 'manual' };
}

describe('a store outage longer than the member TTL', () => {
  it('does not make the first node to see the store again fence every healthy replica: it waits one heartbeat round', () => {
    const back = decide(snap({ storeBackAtMs: NOW - 100 }), NOW);
    expect(back.actions.map((a) => a.kind)).not.toContain('acquire-lease');
    expect(back.summary).toBe(`no action: the store is back after an outage; waiting ${heartbeatRoundMs(timing) - 100} ms for one heartbeat round before judging who is silent`);
    const later = decide(snap({ storeBackAtMs: NOW - heartbeatRoundMs(timing) }), NOW);
    expect(later.actions.map((a) => a.kind)).toContain('acquire-lease');
  });

  it('the outage is noticed on its edges: lost while unreachable, back at the first answer', () => {
    const lost = observeStore(ready, { reachable: false, reason: 'timeout' }, 1000);
    expect(lost).toMatchObject({ storeLostAtMs: 1000 });
    expect(observeStore(lost, { reachable: false, reason: 'timeout' }, 5000)).toMatchObject({ storeLostAtMs: 1000 });
    expect(observeStore(lost, lapsed, 9000)).toMatchObject({ storeLostAtMs: undefined, storeBackAtMs: 9000 });
  });
});

describe('a store that is not this cluster’s, or lost its writes', () => {
  const mine: ClusterIdentity = { clusterId: 'c-1', cluster: 'prod', createdAtWallMs: 0 };
  const memory = { ...EMPTY_NODE_RECORD, clusterId: 'c-1', highestEpoch: 7 };

  it('deleted the embedded store while the demo ran, then restarted one agent: an empty store is refused', () => {
    expect(distrust(lapsed, undefined, { cluster: 'prod', memory })).toContain('the store has no cluster identity');
  });

  it('restarted Redis empty (no persistence): the epoch going back is noticed', () => {
    expect(distrust({ ...lapsed, lastEpoch: 1 }, mine, { cluster: 'prod', memory })).toContain("the store's epoch went back to 1 although this node saw epoch 7");
    expect(distrust({ ...lapsed, lease: { holder: 'db1', epoch: 2, remainingMs: 1 } }, mine, { cluster: 'prod', memory })).toContain('went back to 2');
    expect(distrust(lapsed, mine, { cluster: 'prod', memory })).toBeUndefined();
  });

  it("a second cluster's agent on the same Redis: another cluster's identity, or a replaced store, is refused", () => {
    expect(distrust(lapsed, { ...mine, cluster: 'staging' }, { cluster: 'prod', memory })).toContain('belongs to cluster "staging"');
    expect(distrust(lapsed, { ...mine, clusterId: 'c-2' }, { cluster: 'prod', memory })).toContain('the store was replaced');
    // A node that never joined adopts what it finds.
    expect(distrust(lapsed, { ...mine, clusterId: 'c-2' }, { cluster: 'prod', memory: EMPTY_NODE_RECORD })).toBeUndefined();
  });
});
