import type { OutcomeCode } from '../contracts/outcome.js';
import type { Timing } from '../config/schema.js';
import type { ClusterSettings, Lease, Member, PrimaryRecord } from '../ports/coordination-store.js';
import type { NodeRecord } from '../ports/node-memory.js';
import type { InFlightAction } from './actions.js';
import type { LocalState } from './local-state.js';

/** The store as this node saw it at the start of the cycle. */
export type StoreView =
  | {
      readonly reachable: true;
      /** The unexpired lease, if any. */
      readonly lease: Lease | undefined;
      /**
       * Highest epoch ever granted, read only when no lease is shown. 0 means no
       * node has ever held the lease in this store, so none can be writing.
       */
      readonly lastEpoch?: number;
      /** Members whose heartbeat has not lapsed, sorted by name. */
      readonly members: readonly Member[];
      readonly settings: ClusterSettings;
      /** The newest recorded promotion: that node holds every acknowledged write until a later one. */
      readonly lastPrimary?: PrimaryRecord;
      /** The store's identity, when the reader checked it. */
      readonly clusterId?: string | undefined;
    }
  /** `untrusted`: it answered, but is not this cluster's store as this node knows it (empty, foreign, replaced, epochs gone back). */
  | { readonly reachable: false; readonly reason: string; readonly untrusted?: boolean };

/** One probe's running tally against the current primary. */
export interface ProbeTally {
  readonly id: string;
  /**
   * Consecutive `failed` checks. A `timeout` or `unknown` outcome is not
   * healthy, but it is not a confirmed failure either: it leaves the count
   * where it was (neither resets nor increments it). Only an `ok` resets it.
   * A node that cannot be reached at all is detected by its lease lapsing.
   */
  readonly consecutiveFailures: number;
  readonly lastCode: OutcomeCode | undefined;
}

export interface ProbeView {
  /** The node probed: the lease holder, when it is not this node. */
  readonly target: string;
  readonly tallies: readonly ProbeTally[];
}

/**
 * Everything `decide` may look at, frozen at one instant. Built by the agent
 * loop from the store, the probes, the executor and the node's own memory
 * (`local`); nothing in it changes while decide runs.
 */
export interface Snapshot {
  readonly node: string;
  /** Monotonic time the snapshot was taken. */
  readonly nowMs: number;
  /** Wall time, only to judge the age of operator requests (they carry wall timestamps). */
  readonly wallMs: number;
  readonly local: LocalState;
  readonly store: StoreView;
  readonly probes: ProbeView | undefined;
  readonly inFlight: readonly InFlightAction[];
  /** Promotions and restarts cut off at their deadline whose work may still finish (and promote). */
  readonly abandoned?: readonly InFlightAction[];
  /** Other configured nodes, sorted by name. */
  readonly peers: readonly string[];
  readonly timing: Timing;
  readonly confirmFailures: number;
  /** Number of configured fencing levels; 0 means this node cannot fence anyone. */
  readonly fenceLevelCount: number;
  /** What this node remembers about itself across restarts (its own disk). */
  readonly memory: NodeRecord;
  /**
   * Whether a resource of the group keeps data that can diverge (it has
   * `rejoin`: a database). Without one a former primary has nothing to
   * rewind and is never stale. Absent counts as true.
   */
  readonly keepsData?: boolean;
  /** `auto`: a stale former primary rejoins by itself when it sees a primary. */
  readonly rejoinPolicy: 'manual' | 'auto';
}
