import type { NodeInfo } from './node-info.js';
import type { CallContext, Outcome } from './outcome.js';
import type { StreamPosition } from './replication-transport.js';

export type ResourceRole = 'primary' | 'replica' | 'none';

export interface ResourceState {
  readonly role: ResourceRole;
  /**
   * Serving, but with less redundancy than configured (a mirror member
   * missing); the reason, in words an operator can act on. Absent when fully
   * redundant. A degraded resource is still `ok`: the HA cycle raises an event
   * when a resource becomes degraded and when it recovers, and never fails
   * over for it.
   */
  readonly degraded?: string;
  /**
   * On a primary whose resource declares `soleCopyAfterPromote`: `true`
   * while writes it acknowledges exist on this node only, `false` once a
   * second copy receives every acknowledged write (a synchronous standby
   * streams). The core clears the store's sole-copy mark on `false`.
   */
  readonly soleCopy?: boolean;
}

/** What `readiness` reports when this node could be promoted now. */
export interface PromotionReadiness {
  /**
   * How far this node's copy goes (a standby's replay position), when the
   * resource keeps data. Nodes with a higher position are preferred.
   */
  readonly position?: StreamPosition;
  /**
   * The resource already serves as primary here (a provisioned primary at
   * the cluster's first start). At equal positions it is preferred, so the
   * first election does not demote it only to promote a copy of the same data.
   */
  readonly servesAsPrimary?: boolean;
}

export type ResourceAction = 'start' | 'stop' | 'monitor' | 'promote' | 'demote';

export interface ResourceCallContext extends CallContext {
  /** Epoch of the lease this node holds, or 0 when it holds none; resources that can refuse stale writers use it. */
  readonly epoch: number;
  /**
   * The node that holds the primary lease, when one is known: a replica-side
   * resource (a standby database) follows it. Undefined on the primary itself
   * and while no one holds the lease.
   */
  readonly primary?: NodeInfo;
}

/**
 * Start, stop, monitor, promote and demote one resource (a VIP, a volume, a
 * database, an application), in the manner of an OCF resource agent.
 *
 * - `start` on a started resource and `stop` on a stopped one return `ok`.
 * - `monitor` has three meaningful answers: `ok` (running, with its role,
 *   and `degraded` when it serves with less redundancy), `not-running`
 *   (cleanly stopped) and `failed`.
 * - `promote`/`demote` exist only for resources with roles; promoting a
 *   primary or demoting a replica returns `ok`.
 * - `config-error` is never retried; `not-installed` means "try another node".
 * - The caller enforces timeouts; `defaultTimeoutsMs` only declares defaults.
 */
export interface ResourceAgent {
  readonly defaultTimeoutsMs: Readonly<Partial<Record<ResourceAction, number>>>;
  /**
   * True when, right after `promote`, this resource acknowledges writes with
   * its own copy only until a standby catches up (resource-postgres with
   * `afterPromote: accept-writes`). The core then records the promotion as
   * the sole copy before promoting, so no other node replaces this one
   * (nobody else has those writes) until `monitor` reports `soleCopy: false`.
   * A resource must not start acknowledging alone later in a term: the mark
   * is only ever set before the promotion.
   */
  readonly soleCopyAfterPromote?: boolean;
  start(ctx: ResourceCallContext): Promise<Outcome>;
  stop(ctx: ResourceCallContext): Promise<Outcome>;
  monitor(ctx: ResourceCallContext): Promise<Outcome<ResourceState>>;
  promote?(ctx: ResourceCallContext): Promise<Outcome>;
  demote?(ctx: ResourceCallContext): Promise<Outcome>;
  /**
   * Bring this node's copy back as a replica of `ctx.primary`, even when it
   * diverged from it (a failed primary's last writes): rewind it, or make a
   * fresh copy, keeping the old data aside. Only resources with roles have
   * it; `tandem rejoin` runs it on the node being rejoined.
   */
  rejoin?(ctx: ResourceCallContext): Promise<Outcome>;
  /**
   * Could this node complete a promotion of this resource right now? Asked
   * on replicas before they stand for election, and every few seconds for
   * `tandem status`. Read-only and quick; the caller enforces the timeout.
   *
   * - `ok`: yes (a standby database runs and reports its replay position).
   * - `not-running`: the resource is cleanly stopped. The core accepts that
   *   only on the node that was the last primary (its data is the newest by
   *   definition) or under an operator's `failover --accept-data-loss`.
   * - `failed`, `unknown`, `timeout`: not now; asked again later.
   * - `not-installed`, `config-error`: not on this node until fixed.
   * Any answer but `ok` keeps the node out of elections, so it never fences
   * a peer for a promotion it could not finish. Resources without this
   * method are taken as ready.
   */
  readiness?(ctx: ResourceCallContext): Promise<Outcome<PromotionReadiness>>;
}

export const ResourceAgent: unique symbol = Symbol.for('tandem.ResourceAgent');
