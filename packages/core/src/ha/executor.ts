import { randomUUID } from 'node:crypto';
import { callWithDeadline } from '../call.js';
import type { NodeInfo } from '../contracts/node-info.js';
import { ok, outcome, type CallContext, type Outcome } from '../contracts/outcome.js';
import type { Timing } from '../config/schema.js';
import type { Composition } from '../plugins/compose.js';
import type { Clock } from '../ports/clock.js';
import type { CoordinationStore } from '../ports/coordination-store.js';
import { InMemoryNodeMemory, type NodeMemory } from '../ports/node-memory.js';
import { checkEligibility } from './eligibility-check.js';
import { describeAction, laneOf, type Action, type ActionResult, type ActionResultData, type InFlightAction, type Lane } from './actions.js';
import type { GatewayChecker } from './gateway-checker.js';
import { runFencingLevels } from './fencing-levels.js';
import { demoteResources, followPrimary, monitorResources, promoteResources, rejoinResources, runRecovery, startSources, stopSources, stopTransports } from './resource-steps.js';
import { memberTtlMs } from './timing-rules.js';

/** The parts of a composition the executor drives. */
export type HaComposition = Pick<Composition, 'node' | 'fencingLevels' | 'recovery' | 'resources'> & Partial<Pick<Composition, 'fencingByTarget' | 'transports'>>;

export interface ExecutorDeps {
  readonly clock: Clock;
  readonly store: CoordinationStore;
  readonly composition: HaComposition;
  /** Every configured node, to find the one to fence or compensate for. */
  readonly nodes: readonly NodeInfo[];
  readonly gateway: GatewayChecker;
  readonly timing: Timing;
  /** Told when an action finished, so the loop can look at the result without waiting out its interval. */
  readonly onSettled?: (kind: Action['kind']) => void;
  /** The node's durable memory (promotions, rejoins); the agent loop reads the same object. In memory when absent. */
  readonly memory?: NodeMemory;
  /**
   * This process's lease token (see CoordinationStore): every acquire, renew and release carries it, so
   * another process using this node's name can neither take, renew nor release the lease this one holds.
   * A random one per executor when absent; one agent process has one executor.
   */
  readonly leaseToken?: string;
}

/** Results waiting for the next cycle; more than this means no cycle ran for a long time, and the oldest go. */
const RESULTS_MAX = 64;

/**
 * Actions that can leave this node writing. One abandoned at its deadline may
 * still finish (a plugin that ignores its abort signal, a promote that was
 * already under way): until it settles the node counts as possibly writing.
 */
const MAY_WRITE: ReadonlySet<Action['kind']> = new Set<Action['kind']>(['promote', 'restart']);

/**
 * Runs actions outside the HA cycle: at most one per lane (`lease`, `work`),
 * each under its own deadline. Results wait in a bounded list until the
 * next cycle takes them. An action on a busy lane is not queued: decide
 * will ask again if it still wants it.
 */
export class ActionExecutor {
  private readonly running = new Map<Lane, InFlightAction>();
  /** Writing actions cut off at their deadline whose work has not settled yet. */
  private readonly abandonedWork = new Set<InFlightAction>();
  private readonly pending = new Set<Promise<void>>();
  private results: ActionResult[] = [];

  private readonly memory: NodeMemory;
  /** The epoch this node promoted at with a resource that acknowledges alone, until the store's mark is cleared. */
  private soleCopyEpoch: number | undefined;
  /** The token this process's lease calls carry; a graceful stop releases the lease with it. */
  readonly leaseToken: string;

  constructor(private readonly deps: ExecutorDeps) {
    this.memory = deps.memory ?? new InMemoryNodeMemory();
    this.leaseToken = deps.leaseToken ?? randomUUID();
  }

  /** Start what can start now; returns the actions that started. */
  submit(actions: readonly Action[]): readonly Action[] {
    const started: Action[] = [];
    for (const action of actions) {
      const lane = laneOf(action.kind);
      if (this.running.has(lane)) continue;
      const flight: InFlightAction = { action, startedAtMs: this.deps.clock.monotonicMs() };
      this.running.set(lane, flight);
      const p = this.run(flight).finally(() => {
        this.running.delete(lane);
        this.pending.delete(p);
      });
      this.pending.add(p);
      started.push(action);
    }
    return started;
  }

  inFlight(): readonly InFlightAction[] {
    return [...this.running.values()];
  }

  /** Promotions and restarts given up at their deadline that may still be running (and may still promote). */
  abandoned(): readonly InFlightAction[] {
    return [...this.abandonedWork];
  }

  /** Finished results since the last call, oldest first. */
  takeResults(): readonly ActionResult[] {
    const out = this.results;
    this.results = [];
    return out;
  }

  /** Resolves when nothing is running (every action is bounded by its deadline). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async run(flight: InFlightAction): Promise<void> {
    const { action } = flight;
    let work: Promise<Outcome<ActionResultData>> | undefined;
    let settled = false;
    const o = await callWithDeadline<ActionResultData>(this.deps.clock, this.deadlineOf(action), describeAction(action), (ctx) => {
      work = this.perform(action, ctx).finally(() => (settled = true));
      return work;
    });
    // Cut off by the deadline while its work still runs (not a work that itself answered `timeout`).
    if (!settled && work !== undefined && MAY_WRITE.has(action.kind)) this.trackAbandoned(flight, work);
    const result: ActionResult = {
      action,
      code: o.code,
      reason: o.reason,
      startedAtMs: flight.startedAtMs,
      finishedAtMs: this.deps.clock.monotonicMs(),
      ...(o.data === undefined ? {} : { data: o.data }),
    };
    this.results.push(result);
    if (this.results.length > RESULTS_MAX) this.results.shift();
    this.deps.onSettled?.(action.kind);
  }

  /**
   * Keep an abandoned promotion in view until its work settles, then report
   * it as a late result: the node may have been promoted after its agent gave
   * up (and after a demotion), so the next cycle demotes it again. Meanwhile
   * the loop reports the node as possibly writing, so no peer takes it for a
   * healthy replica and skips fencing it.
   */
  private trackAbandoned(flight: InFlightAction, work: Promise<Outcome<ActionResultData>>): void {
    this.abandonedWork.add(flight);
    const settle = (late: string): void => {
      this.abandonedWork.delete(flight);
      const at = this.deps.clock.monotonicMs();
      this.results.push({ action: flight.action, code: 'unknown', reason: `${describeAction(flight.action)} was abandoned at its deadline and finished late (${late}); the node may be writing`, startedAtMs: flight.startedAtMs, finishedAtMs: at, data: { late: true } });
      if (this.results.length > RESULTS_MAX) this.results.shift();
      this.deps.onSettled?.(flight.action.kind);
    };
    work.then(
      (late) => settle(`${late.code}: ${late.reason}`),
      (error: unknown) => settle(`threw: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  /**
   * A monitor of the group may take as long as its slowest resource's own monitor timeout (the resource's
   * `timeoutMs`, else the plugin's default): a storage resource that asks iscsiadm and mdadm cannot answer
   * within the cycle's 2 s on a loaded or virtual host, and timing out there restarted a healthy group.
   * It runs in its own lane, so a slow monitor never delays a renewal or a demotion.
   */
  private deadlineOf(action: Action): number {
    if (action.kind !== 'monitor') return action.timeoutMs;
    const own = this.deps.composition.resources.map((r) => r.timeoutMs ?? r.impl.defaultTimeoutsMs.monitor ?? 0);
    return Math.max(action.timeoutMs, ...own);
  }

  private nodeInfo(name: string): NodeInfo {
    return this.deps.nodes.find((n) => n.name === name) ?? { name, nics: {} };
  }

  private async perform(a: Action, ctx: CallContext): Promise<Outcome<ActionResultData>> {
    const { store, timing, composition, clock } = this.deps;
    const me = composition.node.name;
    switch (a.kind) {
      case 'heartbeat':
        await store.heartbeat({ node: me, role: a.role, epoch: a.epoch, facts: a.facts, updatedAtWallMs: clock.wallMs() }, memberTtlMs(timing));
        return ok('heartbeat stored');
      case 'renew-lease':
      case 'acquire-lease': {
        const token = this.leaseToken;
        const r = a.kind === 'renew-lease' ? await store.renewLease(me, a.epoch, timing.leaseTtlMs, token) : await store.acquireLease(me, timing.leaseTtlMs, token);
        if (a.kind === 'acquire-lease' && r.acquired) {
          // Epochs never go back: a grant below what this node has seen comes from a store that lost its writes, and
          // fencing with it would prove nothing. Refused, and not used. (The same epoch is a grant of the lease this
          // node still holds in the store: acquire renews it. A store restarted empty at that very epoch has no
          // identity, which the loop's store check refuses.)
          const seen = this.memory.current().highestEpoch;
          if (r.lease.epoch < seen) return outcome('failed', `the store granted epoch ${r.lease.epoch}, but this node has seen epoch ${seen}: the store lost writes; not using it`, { epochWentBack: true });
          if (r.lease.epoch > seen) await this.memory.update({ highestEpoch: r.lease.epoch });
        }
        const lease = r.acquired ? r.lease : r.current;
        const other = !r.acquired && r.heldByOtherProcess === true && lease !== undefined;
        const data: ActionResultData = { acquired: r.acquired, ...(lease === undefined ? {} : { lease }), ...(other ? { heldByOtherProcess: true } : {}) };
        if (r.acquired) return ok(`lease held at epoch ${r.lease.epoch}`, data);
        if (other && lease !== undefined) return ok(`lease not granted: epoch ${lease.epoch} is held under this node's name (${lease.holder}) by another agent process`, data);
        return ok(`lease not granted${lease ? `: ${lease.holder} holds epoch ${lease.epoch}` : ''}`, data);
      }
      case 'release-lease':
        return (await store.releaseLease(me, a.epoch, this.leaseToken)) ? ok(`released lease epoch ${a.epoch}`) : outcome('failed', `did not hold lease epoch ${a.epoch} any more`);
      case 'complete-request':
        return ok((await store.completeRequest(a.id)) ? `request ${a.id} cleared` : `request ${a.id} was already replaced`);
      case 'check-gateway': {
        const g = await this.deps.gateway.check(a.timeoutMs, ctx.signal);
        return g.code === 'ok' ? ok(g.reason) : outcome(g.code, g.reason);
      }
      case 'check-eligibility':
        return checkEligibility(clock, { resources: composition.resources, transports: a.readTransports ? (composition.transports ?? []) : [] }, a.acceptStopped, timing.actionTimeoutMs);
      case 'fence': {
        const entitled = async (): Promise<string | undefined> => {
          // An unreadable store proves nothing: no further level without knowing this node still holds the lease.
          const held = await store.readLease().catch((error: unknown) => new Error(error instanceof Error ? error.message : String(error)));
          if (held instanceof Error) return `cannot read the lease to confirm epoch ${a.epoch} is still this node's: ${held.message}`;
          return held?.holder === me && held.epoch === a.epoch ? undefined : `this node no longer holds lease epoch ${a.epoch} (${held === undefined ? 'no lease' : `${held.holder} holds epoch ${held.epoch}`})`;
        };
        const levels = composition.fencingByTarget?.get(a.node) ?? composition.fencingLevels;
        const r = await runFencingLevels(clock, levels, { node: this.nodeInfo(a.node), epoch: a.epoch, reason: a.reason }, timing.fenceTimeoutMs, entitled);
        return r.ok ? ok(`${a.node} fenced at epoch ${a.epoch} by level ${r.level}: ${r.proofs.map((p) => p.verified).join('; ')}`, { level: r.level }) : outcome('failed', r.reason);
      }
      case 'compensate':
        return runRecovery(clock, composition, { failed: this.nodeInfo(a.failed), candidate: composition.node, epoch: a.epoch, kind: a.planned ? 'switchover' : 'failover', acceptDataLoss: a.acceptDataLoss === true }, timing.actionTimeoutMs);
      case 'promote': {
        const recorded = await this.recordPromotion(a.epoch);
        if (recorded !== undefined) return recorded;
        // A new primary copies nobody's log: its transports (still pulling from the fenced node) stop first.
        const stopped = await stopTransports(clock, composition.transports ?? [], timing.actionTimeoutMs);
        if (stopped.code !== 'ok') return stopped;
        return this.startGroup(a.epoch);
      }
      case 'rejoin': {
        const group = { resources: composition.resources, transports: composition.transports ?? [] };
        const rejoined = await rejoinResources(clock, group.resources, this.nodeInfo(a.primary), a.epoch, a.timeoutMs);
        if (rejoined.code !== 'ok') return rejoined;
        // Rejoined: its log is now a prefix of the primary's, so it is no stale former primary any more.
        await this.memory.update({ rejoinedEpoch: a.epoch });
        const followed = await followPrimary(clock, group, this.nodeInfo(a.primary), a.epoch, timing.actionTimeoutMs);
        return followed.code === 'ok' ? ok(`${rejoined.reason}; ${followed.reason}`) : followed;
      }
      case 'follow':
        return followPrimary(clock, { resources: composition.resources, transports: composition.transports ?? [] }, this.nodeInfo(a.primary), a.epoch, timing.actionTimeoutMs);
      case 'demote': {
        const demoted = await demoteResources(clock, composition.resources, a.epoch, timing.actionTimeoutMs);
        if (demoted.code !== 'ok') return demoted;
        const released = await stopSources(clock, composition.transports ?? [], timing.actionTimeoutMs);
        if (released.code !== 'ok') return released;
        // A planned hand-over: the target catches up with everything this node wrote before it is promoted, so this node
        // follows it cleanly afterwards and needs no rejoin. Any other demotion (lease lost, resources failing) may leave
        // writes here that the next primary lacks.
        if (a.reason === 'switchover') await this.memory.update({ rejoinedEpoch: this.memory.current().promotedEpoch });
        return demoted;
      }
      case 'monitor':
        return this.monitor(a.epoch, a.timeoutMs);
      case 'restart':
        return this.startGroup(a.epoch);
    }
  }

  /**
   * Before any resource is promoted: the store records this node as the last
   * primary (compare-and-set on the epoch), then the node's own disk records
   * the promotion. The store first, so a node whose disk write then fails is
   * still known as the last primary (not a stale one) and can stand again
   * without compensation. Either failing stops the promotion.
   */
  private async recordPromotion(epoch: number): Promise<Outcome<ActionResultData> | undefined> {
    const { store, composition, clock } = this.deps;
    const me = composition.node.name;
    // Before the first write it may acknowledge alone: the mark must be in the store before any such write exists.
    const soleCopy = composition.resources.some((r) => r.impl.soleCopyAfterPromote === true);
    if (!(await store.recordPrimary({ node: me, epoch, atWallMs: clock.wallMs(), ...(soleCopy ? { soleCopy } : {}) }))) {
      const last = await store.lastPrimary();
      // This node's own record at this epoch: it lost its lease locally (renewals unanswered), the store kept it, and it
      // re-acquired the same epoch. Nobody was promoted since; promoting again under the same record is the same term.
      const held = await store.readLease();
      const own = last !== undefined && last.node === me && last.epoch === epoch && held?.holder === me && held.epoch === epoch;
      if (!own && last !== undefined && last.epoch >= epoch) return outcome('failed', `not promoted: the store already records a promotion at epoch ${epoch} or later`);
      if (!own) return outcome('failed', `not promoted: ${me} no longer holds the lease at epoch ${epoch} in the store (it lapsed, or the store was restarted or replaced)`);
      // Promoting again in the same term acknowledges alone again: the mark goes back first.
      if (soleCopy && last.soleCopy !== true && !(await store.markSoleCopy(me, epoch, true))) {
        return outcome('failed', `not promoted: cannot mark epoch ${epoch} as the sole copy again in the store (${me} no longer holds its lease)`);
      }
    }
    await this.memory.update({ promotedEpoch: epoch });
    if (soleCopy) this.soleCopyEpoch = epoch;
    return undefined;
  }

  /**
   * Monitor the group; on a primary recorded as the sole copy, clear the
   * mark once every resource that acknowledges alone reports a second copy.
   * A failed clear keeps the mark (it only keeps other candidates waiting)
   * and is tried again at the next monitor, which is its backoff.
   */
  private async monitor(epoch: number, timeoutMs: number): Promise<Outcome<ActionResultData>> {
    const { clock, composition, store } = this.deps;
    const o = await monitorResources(clock, composition.resources, epoch, timeoutMs);
    if (o.code !== 'ok' || this.soleCopyEpoch !== epoch) return o;
    const alone = composition.resources.filter((r) => r.impl.soleCopyAfterPromote === true).map((r) => r.id);
    const reports = o.data?.resources ?? [];
    if (!alone.every((id) => reports.some((r) => r.id === id && r.state.soleCopy === false))) return o;
    const cleared = await store.markSoleCopy(composition.node.name, epoch, false).catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
    if (cleared === true) {
      this.soleCopyEpoch = undefined;
      return { ...o, reason: `${o.reason}; acknowledged writes have a second copy: the store no longer records epoch ${epoch} as the sole copy`, data: { ...o.data, soleCopyCleared: true } };
    }
    const why = cleared === false ? `the store refused it (this node no longer holds epoch ${epoch})` : cleared;
    return { ...o, reason: `${o.reason}; a second copy exists but the store still records epoch ${epoch} as the sole copy: ${why}`, data: { ...o.data, soleCopyCleared: false } };
  }

  /** The transports' primary side first (what the database's writes need), then the group in order. */
  private async startGroup(epoch: number): Promise<Outcome<ActionResultData>> {
    const { clock, composition, timing } = this.deps;
    const transports = composition.transports ?? [];
    const sources = await startSources(clock, transports, timing.actionTimeoutMs);
    if (sources.code !== 'ok') return sources;
    const group = await promoteResources(clock, composition.resources, epoch, timing.actionTimeoutMs);
    // The log line of a promotion says where the database's writes go, when a transport decided it.
    return transports.some((t) => t.impl.startSource !== undefined) ? { ...group, reason: `${group.reason} (primary side: ${sources.reason})` } : group;
  }
}
