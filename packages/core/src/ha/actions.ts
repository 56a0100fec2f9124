import type { OutcomeCode } from '../contracts/outcome.js';
import type { Lease, MemberRecord } from '../ports/coordination-store.js';

/**
 * What the HA cycle asks the executor to do. Every action carries its own
 * timeout: decide chooses it from the config, the executor enforces it.
 * Actions run on one of two lanes (see `laneOf`), at most one per lane, so
 * lease renewal never waits behind a slow fence or promotion.
 */
export type Action =
  | {
      readonly kind: 'heartbeat';
      readonly role: MemberRecord['role'];
      readonly epoch: number;
      /** What peers and `tandem status` learn about this node: its eligibility and how far its data goes. */
      readonly facts: MemberRecord['facts'];
      readonly timeoutMs: number;
    }
  | { readonly kind: 'renew-lease'; readonly epoch: number; readonly timeoutMs: number }
  | {
      readonly kind: 'acquire-lease';
      /** Peers to fence once the lease is won, chosen from the snapshot that decided to stand. */
      readonly fenceTargets: readonly string[];
      readonly failed: string | undefined;
      readonly reason: 'failover' | 'switchover' | 'bootstrap';
      readonly requestId: string | undefined;
      /**
       * Replay what the failed primary left before promoting. False on the last
       * recorded primary itself: nobody was promoted after it, so its data is
       * the newest and there is nothing to replay.
       */
      readonly compensate: boolean;
      readonly timeoutMs: number;
    }
  | { readonly kind: 'release-lease'; readonly epoch: number; readonly timeoutMs: number }
  | { readonly kind: 'check-gateway'; readonly timeoutMs: number }
  /**
   * Could this node finish a promotion now? Every resource's `readiness` and
   * every transport's `inFlight` must answer `ok`. `acceptStopped`: a cleanly
   * stopped resource counts as ready (the last primary, or an operator who
   * accepted data loss).
   */
  | {
      readonly kind: 'check-eligibility';
      readonly acceptStopped: boolean;
      /** False at the cluster's first election: nothing was ever mirrored, so there is nothing to read. */
      readonly readTransports: boolean;
      readonly timeoutMs: number;
    }
  | { readonly kind: 'fence'; readonly node: string; readonly epoch: number; readonly reason: string; readonly timeoutMs: number }
  | {
      readonly kind: 'compensate';
      readonly failed: string;
      readonly epoch: number;
      readonly planned: boolean;
      /** The operator's `failover --accept-data-loss`: a recovery may promote with a known loss. */
      readonly acceptDataLoss?: boolean;
      readonly timeoutMs: number;
    }
  | { readonly kind: 'promote'; readonly epoch: number; readonly timeoutMs: number }
  | { readonly kind: 'demote'; readonly reason: string; readonly epoch: number; readonly timeoutMs: number }
  | { readonly kind: 'complete-request'; readonly id: string; readonly timeoutMs: number }
  /** Ask every resource of the group whether it still runs (primary only). */
  | { readonly kind: 'monitor'; readonly epoch: number; readonly timeoutMs: number }
  /**
   * A replica's upkeep for the current primary: start the resources that have
   * roles (a standby database) pointed at it, and the transports that copy its
   * log here. Asked again whenever the primary or its epoch changes.
   */
  | { readonly kind: 'follow'; readonly primary: string; readonly epoch: number; readonly timeoutMs: number }
  /**
   * An operator's `tandem rejoin --data`, carried out by the rejoining node's
   * own agent (so nothing else starts its database meanwhile): resources with
   * data rewind or re-copy themselves from the primary, then it follows it.
   */
  | {
      readonly kind: 'rejoin';
      readonly primary: string;
      readonly epoch: number;
      /** The operator's request to clear afterwards; undefined for `rejoin: auto`. */
      readonly requestId: string | undefined;
      readonly timeoutMs: number;
    }
  /** Start and promote the group again after its monitor failed: a crashed process comes back at the same epoch. */
  | { readonly kind: 'restart'; readonly epoch: number; readonly reason: string; readonly timeoutMs: number };

export type ActionKind = Action['kind'];

/**
 * `lease`: short store calls that keep this node's standing. `work`: everything
 * that changes resources or fencers. `monitor`: read-only resource checks, on a
 * lane of their own so that a hung monitor never delays a demotion.
 */
export type Lane = 'lease' | 'work' | 'monitor';

const LEASE_LANE: ReadonlySet<ActionKind> = new Set<ActionKind>(['heartbeat', 'renew-lease', 'acquire-lease', 'release-lease', 'complete-request']);

export function laneOf(kind: ActionKind): Lane {
  if (kind === 'monitor') return 'monitor';
  return LEASE_LANE.has(kind) ? 'lease' : 'work';
}

/** Extra facts some actions return; the reducer reads them. */
export interface ActionResultData {
  /** acquire/renew: the lease the store granted, or the one that blocked us. */
  readonly lease?: Lease;
  readonly acquired?: boolean;
  /** fence: the level (1-based) that succeeded. */
  readonly level?: number;
  /** compensate: units replayed. */
  readonly compensated?: number;
  /** promote/restart: the result of work abandoned at its deadline that finished later. */
  readonly late?: boolean;
  /**
   * acquire-lease refused: the live lease is held under this node's name by another agent process (another
   * token: a previous run of this agent, or another agent configured with the same name).
   */
  readonly heldByOtherProcess?: boolean;
  /** acquire-lease: the store granted an epoch at or below one this node had seen (refused). */
  readonly epochWentBack?: boolean;
  /** check-eligibility: the highest position a resource reported (a standby's replay LSN). */
  readonly position?: number;
  /** check-eligibility: a resource already serves as primary here. */
  readonly servesAsPrimary?: boolean;
  /** monitor on a primary recorded as the sole copy: a second copy exists; true once the store's mark is cleared, false while clearing fails. */
  readonly soleCopyCleared?: boolean;
}

/** What came of one action; the next snapshot carries it. */
export interface ActionResult {
  readonly action: Action;
  readonly code: OutcomeCode;
  readonly reason: string;
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  readonly data?: ActionResultData;
}

/** An action the executor is still running. */
export interface InFlightAction {
  readonly action: Action;
  readonly startedAtMs: number;
}

/** A one-line description for events and logs. */
export function describeAction(a: Action): string {
  switch (a.kind) {
    case 'heartbeat':
      return `heartbeat as ${a.role} at epoch ${a.epoch}`;
    case 'renew-lease':
      return `renew lease at epoch ${a.epoch}`;
    case 'acquire-lease':
      return `acquire lease (${a.reason})`;
    case 'release-lease':
      return `release lease at epoch ${a.epoch}`;
    case 'check-gateway':
      return 'check gateway';
    case 'check-eligibility':
      return 'check eligibility';
    case 'fence':
      return `fence ${a.node} at epoch ${a.epoch}`;
    case 'compensate':
      return `compensate for ${a.failed} at epoch ${a.epoch}`;
    case 'promote':
      return `promote at epoch ${a.epoch}`;
    case 'demote':
      return `demote (${a.reason})`;
    case 'complete-request':
      return `complete request ${a.id}`;
    case 'monitor':
      return `monitor resources at epoch ${a.epoch}`;
    case 'restart':
      return `restart resources at epoch ${a.epoch} (${a.reason})`;
    case 'follow':
      return `follow ${a.primary} at epoch ${a.epoch}`;
    case 'rejoin':
      return `rejoin as a replica of ${a.primary} at epoch ${a.epoch}`;
  }
}
