/**
 * The cluster's shared memory: who holds the primary lease and at what epoch,
 * who is alive, cluster-wide settings and an append-only event history.
 *
 * The store is an arbiter for liveness only. What stops two writers is
 * fencing with the epoch at the resource; the store never has the last word
 * on safety.
 *
 * Time: lease expiry is judged by the store itself (Redis key TTLs, the
 * embedded store's single clock), never by comparing wall clocks of two
 * hosts. Reads report the time *remaining* as the store sees it.
 *
 * Errors: every method either resolves with the documented value or rejects
 * with a `StoreUnavailableError` when the store cannot be reached or did not
 * answer within its timeout. A rejected lease call must be treated as "I do
 * not know whether I hold the lease": a primary demotes when its lease
 * cannot be renewed before it would expire.
 */
export interface Lease {
  readonly holder: string;
  /** Strictly increasing across holders: the fencing token. Never reused, never goes back. */
  readonly epoch: number;
  /** Time left before the lease lapses, as the store sees it. */
  readonly remainingMs: number;
}

export type LeaseResult =
  | { readonly acquired: true; readonly lease: Lease }
  | {
      readonly acquired: false;
      readonly current: Lease | undefined;
      /**
       * Set on a refused acquire when the live lease is held under the
       * caller's own node name by another process (another token): a previous
       * run of this agent, or another agent configured with the same name.
       * Absent otherwise.
       */
      readonly heldByOtherProcess?: true;
    };

export interface MemberRecord {
  readonly node: string;
  /** The role the agent reports for itself. */
  readonly role: 'primary' | 'replica' | 'candidate' | 'fenced' | 'stopped' | 'unknown';
  /** The epoch the member last acted under (0 if none). */
  readonly epoch: number;
  /** Free-form facts the agent publishes: replication position, lag, health summary. JSON only. */
  readonly facts: Readonly<Record<string, string | number | boolean | null>>;
  /** Wall time the member wrote this, for display only. */
  readonly updatedAtWallMs: number;
}

export interface Member extends MemberRecord {
  /** Time left before the member's heartbeat lapses, as the store sees it. */
  readonly remainingMs: number;
}

export interface ClusterSettings {
  /** Automation paused cluster-wide: agents observe but take no action. */
  readonly maintenance: boolean;
  /** A pending operator request (switchover, failover); agents act on it and clear it. */
  readonly request?: OperatorRequest;
}

export interface OperatorRequest {
  readonly id: string;
  readonly kind: 'switchover' | 'failover' | 'fence' | 'rejoin';
  readonly target?: string;
  readonly from?: string;
  readonly acceptDataLoss?: boolean;
  readonly requestedAtWallMs: number;
}

/**
 * The last promotion the cluster knows of: written by a candidate after it
 * fenced and compensated, before any resource is promoted. The node named
 * here holds every acknowledged write until a later promotion is recorded.
 */
export interface PrimaryRecord {
  readonly node: string;
  readonly epoch: number;
  readonly atWallMs: number;
  /**
   * True while this primary acknowledges writes with its own copy only (a
   * resource that commits alone after promotion until a standby streams,
   * such as resource-postgres with `afterPromote: accept-writes`). Recorded
   * before the promotion, so it is in the store before the first such
   * write; cleared by `markSoleCopy` once a second copy exists. While it
   * is set no other node may replace this one without an operator accepting
   * the loss: nobody else has those writes.
   */
  readonly soleCopy?: boolean;
}

/**
 * Which cluster a store belongs to, written once by an explicit bootstrap
 * (`tandem init`, or the first agent when the config says `bootstrap: true`).
 * An agent refuses a store without one (empty: restarted without
 * persistence, or a file that was deleted) and a store whose identity is
 * not its cluster's (another cluster's keys, a replaced store).
 */
export interface ClusterIdentity {
  /** Random, made at bootstrap; a store re-initialised after a loss gets a new one. */
  readonly clusterId: string;
  /** The config's `cluster` name. */
  readonly cluster: string;
  readonly createdAtWallMs: number;
}

export interface StoredEvent {
  /** Store-assigned, increasing; pass it back as `after` to continue reading. */
  readonly id: string;
  readonly atWallMs: number;
  readonly node: string;
  readonly type: string;
  readonly message: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

export type NewEvent = Omit<StoredEvent, 'id'>;

/** A record a read skipped: not JSON, the wrong shape, oversize, or a member record claiming another node than its key. */
export interface SkippedRecord {
  /** Where it is, as the store names it (a Redis key, a table and row). */
  readonly key: string;
  readonly reason: string;
}

export interface CoordinationStore {
  /*
   * A lease names its holder by node name AND the holder process's token: a
   * random id the agent makes once per process (`''` for callers that do not
   * care: tests, tools). The token is what tells the process that holds the
   * lease from any other process using the same node name (a restarted
   * agent, a second cluster's agent configured with that name on the same
   * store): a live lease held by `node` with another token is another
   * process's, and acquire, renew and release treat it as another holder's.
   * Readers never see the token (`Lease` names the node only); the
   * comparison is the store's, inside the same compare-and-set.
   */

  /**
   * Take the lease if it is free or has lapsed, with epoch = last epoch + 1.
   * If `node` already holds it with the same `token`, this renews it without
   * changing the epoch. Atomic (compare-and-set). Resolves
   * `{ acquired: false, current }` when another holder (another node, or
   * `node` under another token) has an unexpired lease; in the second case
   * the answer also carries `heldByOtherProcess: true`.
   */
  acquireLease(node: string, ttlMs: number, token?: string): Promise<LeaseResult>;
  /**
   * Extend the lease only if `node` holds it at exactly `epoch` under
   * `token`. Atomic. Resolves `{ acquired: false }` when it lapsed or someone
   * else (another node or another process) holds it.
   */
  renewLease(node: string, epoch: number, ttlMs: number, token?: string): Promise<LeaseResult>;
  /**
   * Give the lease up if `node` holds it at `epoch` under `token`; resolves
   * false if it did not. The epoch counter is kept.
   */
  releaseLease(node: string, epoch: number, token?: string): Promise<boolean>;
  /** The current unexpired lease, if any. */
  readLease(): Promise<Lease | undefined>;
  /** The highest epoch ever granted (0 before the first). */
  lastEpoch(): Promise<number>;

  /** The store's identity, or undefined when none was ever written (or the store lost it). */
  readIdentity(): Promise<ClusterIdentity | undefined>;
  /**
   * Write the identity only if the store has none. Atomic (set-if-absent).
   * Resolves with the identity the store holds afterwards: the one given, or
   * the one that was already there (compare its `clusterId` to tell).
   */
  initIdentity(identity: ClusterIdentity): Promise<ClusterIdentity>;

  /**
   * Record that `record.node` is promoted at `record.epoch`, only if it
   * holds the unexpired lease at that epoch and no record at that epoch or
   * above exists. Atomic (compare-and-set on lease and epoch). Resolves
   * false otherwise. The lease condition is the fencing token: a store
   * restarted empty or swapped for another while a promotion was under way
   * holds no such lease, so the promotion stops instead of being recorded
   * where the cluster will not find it. The condition is on node and epoch,
   * not the token: an epoch is granted once, to one process, and an agent
   * records a promotion only at an epoch its own acquire was granted.
   */
  recordPrimary(record: PrimaryRecord): Promise<boolean>;
  /**
   * Set `soleCopy` on the record of `node`'s promotion at `epoch`: false once
   * its acknowledged writes have a second copy, true before it promotes
   * again in the same term (a re-acquired lease). Only while `node` holds
   * the unexpired lease at `epoch` and the record is still that promotion;
   * atomic, like `recordPrimary`. Resolves false otherwise (nothing
   * written); true also when the flag already had that value.
   */
  markSoleCopy(node: string, epoch: number, soleCopy: boolean): Promise<boolean>;
  /** The newest recorded promotion, or undefined before the first. */
  lastPrimary(): Promise<PrimaryRecord | undefined>;

  /**
   * Publish this member's state; it lapses after `ttlMs` without another heartbeat.
   * Rejects with a RangeError, writing nothing, when the record's JSON is over MEMBER_RECORD_BYTES_MAX.
   */
  heartbeat(record: MemberRecord, ttlMs: number): Promise<void>;
  /** Members whose heartbeat has not lapsed, sorted by node name. A malformed record is skipped (see takeSkippedRecords). */
  members(): Promise<readonly Member[]>;

  readSettings(): Promise<ClusterSettings>;
  /** Atomically merge `patch` into the settings; `request: undefined` clears a request. */
  updateSettings(patch: Partial<ClusterSettings>): Promise<ClusterSettings>;
  /** Clear the pending request only if it is still `id`. Atomic. */
  completeRequest(id: string): Promise<boolean>;

  /**
   * Append to the bounded history; the oldest events are dropped past the bound.
   * Rejects with a RangeError, writing nothing, when the message is over
   * EVENT_MESSAGE_BYTES_MAX or the data's JSON over EVENT_DATA_BYTES_MAX.
   */
  appendEvent(event: NewEvent): Promise<StoredEvent>;
  /** Events after `after` (exclusive), oldest first, at most `limit`. */
  readEvents(options?: { readonly after?: string; readonly limit?: number }): Promise<readonly StoredEvent[]>;

  /**
   * Records that `members` and `readEvents` skipped since the last call, each
   * key once until it parses again. A malformed record is skipped, never
   * fatal to the read; the caller raises one alert per key taken (a store
   * cannot append an event from inside a read). Optional: a store whose
   * records cannot be malformed (in memory) need not have it.
   */
  takeSkippedRecords?(): readonly SkippedRecord[];

  close(): Promise<void>;
}

export const CoordinationStore: unique symbol = Symbol.for('tandem.CoordinationStore');

export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
