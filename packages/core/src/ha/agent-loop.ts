import type { HealthProbe, ProbeData } from '../contracts/health-probe.js';
import type { NodeInfo } from '../contracts/node-info.js';
import type { Outcome } from '../contracts/outcome.js';
import type { Timing } from '../config/schema.js';
import type { Composed } from '../plugins/compose.js';
import type { Clock } from '../ports/clock.js';
import type { CoordinationStore } from '../ports/coordination-store.js';
import type { Logger } from '../ports/logger.js';
import { InMemoryNodeMemory, type NodeMemory } from '../ports/node-memory.js';
import { contextOf } from './decide-context.js';
import { ineligibleReason, UNCHECKED } from './eligibility-rules.js';
import { EligibilityWatch } from './eligibility-watch.js';
import { RepeatFilter } from './repeat-filter.js';
import { describeAction, type Action, type ActionResult, type InFlightAction } from './actions.js';
import type { Decision } from './decide-context.js';
import { decide } from './decide.js';
import { DegradedWatch } from './degraded-watch.js';
import { EventOutbox, type AgentEvent } from './event-outbox.js';
import { applyResult, initialLocalState, observeStore, type LocalState } from './local-state.js';
import { ProbeDegradedWatch } from './probe-degraded-watch.js';
import { ProbeScheduler } from './probe-scheduler.js';
import { readStoreView } from './read-store-view.js';
import { groupDataOf } from './resource-steps.js';
import type { Snapshot, StoreView } from './snapshot.js';

/** What the loop needs from an executor; `ActionExecutor` is the real one. */
export interface ActionRunner {
  submit(actions: readonly Action[]): readonly Action[];
  inFlight(): readonly InFlightAction[];
  takeResults(): readonly ActionResult[];
  /** Writing work abandoned at its deadline and not settled yet (`ActionExecutor.abandoned`). */
  abandoned?(): readonly InFlightAction[];
}

export interface AgentLoopDeps {
  readonly node: string;
  /** Every configured node (this one included). */
  readonly nodes: readonly NodeInfo[];
  readonly clock: Clock;
  readonly store: CoordinationStore;
  readonly executor: ActionRunner;
  readonly probes: readonly Composed<HealthProbe>[];
  readonly logger: Logger;
  readonly timing: Timing;
  readonly confirmFailures: number;
  readonly fenceLevelCount: number;
  /** The node's durable memory, shared with the executor; in memory when absent (tests). */
  readonly memory?: NodeMemory;
  /**
   * The config's cluster name. When set, every store read checks the store's
   * identity and epochs against it and this node's memory (an empty, foreign
   * or replaced store is treated as unreachable); tests without it skip that.
   */
  readonly cluster?: string;
  /** Whether a resource keeps data that can diverge (has `rejoin`); true when absent. */
  readonly keepsData?: boolean;
  /** The config's `rejoin` policy; `manual` when absent. */
  readonly rejoinPolicy?: 'manual' | 'auto';
  /** The decision function; injectable so the simulation can prove its checkers catch a broken one. */
  readonly decide?: (snapshot: Snapshot, nowMs: number) => Decision;
}

/** What a status endpoint shows. */
export interface AgentStatus {
  readonly node: string;
  readonly role: LocalState['role'];
  readonly writing: boolean;
  readonly epoch: number | undefined;
  readonly leaseValidUntilMs: number | undefined;
  readonly failover: LocalState['failover'];
  readonly lastSummary: string | undefined;
  readonly cycles: number;
  readonly events: readonly AgentEvent[];
  /** Maintenance mode as of the last store read that answered. */
  readonly maintenance: boolean;
  /** Why this node could not take over now, or undefined when it could (a primary can). */
  readonly ineligible: string | undefined;
  /** The last store read answered and the store is this cluster's. */
  readonly storeReachable: boolean;
  /** Why not, when it is not. */
  readonly storeProblem: string | undefined;
}

const REPEATED_LINE_WINDOW_MS = 10_000;
const WAKE_QUIETLY = new Set<Action['kind']>(['heartbeat', 'renew-lease']);
const WOKEN = Object.freeze({ woken: true });

/** Routine successes that would drown the history if each were an event. */
// Routine successes, every cycle or two: recorded only when they fail, so the history stays readable.
const QUIET_KINDS = new Set<Action['kind']>(['heartbeat', 'renew-lease', 'monitor']);

/**
 * The HA loop of one agent: every probe interval, read the store, take
 * finished action results, start the due probes of the primary (all under
 * deadlines; the cycle reads the answers in so far), call
 * decide, hand its actions to the executor, and record the step. All time
 * comes from the Clock, so the simulation runs this very loop.
 */
export class AgentLoop {
  private local: LocalState;
  private readonly prober: ProbeScheduler;
  private maintenance = false;
  private lastSummary: string | undefined;
  private lastStepKey: string | undefined;
  /** The last decision alert raised (type and key): each is raised once, not every cycle. */
  private lastAlertKey: string | undefined;
  private cycles = 0;
  private running = false;
  private sleeping: AbortController | undefined;
  private done: Promise<void> = Promise.resolve();
  private readonly outbox: EventOutbox;
  private readonly degradedWatch = new DegradedWatch();
  /** The last failed sole-copy clear logged, so a clear that keeps failing is not logged at every monitor. */
  private lastSoleCopyClearFailure: string | undefined;
  private readonly probeDegradedWatch = new ProbeDegradedWatch();
  private readonly eligibilityWatch = new EligibilityWatch();
  /** Identical idle summaries are logged at most once per this window. */
  private readonly repeats = new RepeatFilter(REPEATED_LINE_WINDOW_MS);
  private readonly memory: NodeMemory;
  private ineligible: string | undefined;
  private storeProblem: string | undefined = 'not read yet';
  private readonly decideFn: (snapshot: Snapshot, nowMs: number) => Decision;

  constructor(private readonly deps: AgentLoopDeps) {
    this.local = initialLocalState(deps.node);
    this.outbox = new EventOutbox(deps.clock, deps.store, deps.node, deps.timing.storeTimeoutMs);
    this.decideFn = deps.decide ?? decide;
    this.memory = deps.memory ?? new InMemoryNodeMemory();
    // A confirmed failure wakes the loop: the next step should not wait out the rest of an interval.
    this.prober = new ProbeScheduler(
      deps.clock,
      deps.probes,
      deps.timing.probeIntervalMs,
      deps.confirmFailures,
      () => this.sleeping?.abort(WOKEN),
      (probe, target, answer) => this.watchProbeDegraded(probe, target, answer),
    );
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.done = this.loop();
  }

  /** Stop cycling; actions already running finish under their own deadlines. */
  async stop(): Promise<void> {
    this.running = false;
    this.sleeping?.abort(new Error('agent loop stopped'));
    await this.done;
  }

  /**
   * Run the next cycle now instead of at the end of the interval: a failover
   * step that finished should not wait a whole probe interval to be followed
   * up. Routine renewals and heartbeats do not wake the loop.
   */
  wake(kind: Action['kind']): void {
    if (WAKE_QUIETLY.has(kind)) return;
    this.sleeping?.abort(WOKEN);
  }

  status(): AgentStatus {
    const l = this.local;
    return {
      node: this.deps.node,
      role: l.role,
      writing: l.writing,
      epoch: l.lease?.epoch,
      leaseValidUntilMs: l.lease?.validUntilMs,
      failover: l.failover,
      lastSummary: this.lastSummary,
      cycles: this.cycles,
      events: this.outbox.recent(),
      maintenance: this.maintenance,
      ineligible: this.ineligible,
      storeReachable: this.storeProblem === undefined,
      storeProblem: this.storeProblem,
    };
  }

  private async loop(): Promise<void> {
    while (this.running) {
      await this.runCycle();
      if (!this.running) return;
      // A fresh signal per sleep: wake() aborts it, and an aborted signal cannot be reused.
      this.sleeping = new AbortController();
      try {
        await this.deps.clock.sleep(this.deps.timing.probeIntervalMs, this.sleeping.signal);
      } catch {
        if (!this.running) return; // stopped; otherwise woken early by wake()
      } finally {
        this.sleeping = undefined;
      }
    }
  }

  /** One cycle; public so tests can step the loop by hand. */
  async runCycle(): Promise<Decision> {
    const { clock, timing } = this.deps;
    const expect = this.deps.cluster === undefined ? undefined : { cluster: this.deps.cluster, memory: this.memory.current() };
    const store = await readStoreView(clock, this.deps.store, timing.storeTimeoutMs, expect);
    this.reportSkippedRecords();
    await this.rememberStore(store);
    // Results are taken after the last await of the cycle, in the same turn as the snapshot reads
    // inFlight(): an action that finished during the store read is then either a result or in flight,
    // never neither (seen in the lab: a promote that finished mid-read was started a second time).
    for (const r of this.deps.executor.takeResults()) {
      this.local = applyResult(this.local, r, timing);
      this.recordResult(r);
    }
    this.local = observeStore(this.local, store, clock.monotonicMs());
    if (store.reachable) this.maintenance = store.settings.maintenance;
    this.prober.tick(this.probeTarget(store));
    const snapshot = this.snapshot(store);
    const d = this.decideFn(snapshot, snapshot.nowMs);
    const started = this.deps.executor.submit(d.actions);
    this.cycles++;
    this.lastSummary = d.summary;
    this.recordStep(d, started);
    this.raiseAlert(d);
    this.watchEligibility(snapshot);
    // A cycle that starts an action always logs; an idle one repeating itself is rate-limited (with a count).
    const line = started.length > 0 ? d.summary : this.repeats.admit(d.summary, clock.monotonicMs());
    if (started.length > 0) this.repeats.reset();
    if (line !== undefined) this.deps.logger.info({ node: this.deps.node, cycle: this.cycles, actions: started.map((a) => a.kind) }, line);
    this.outbox.drain();
    return d;
  }

  private snapshot(store: StoreView): Snapshot {
    const { clock, timing, node } = this.deps;
    return {
      node,
      nowMs: clock.monotonicMs(),
      wallMs: clock.wallMs(),
      local: this.local,
      store,
      probes: this.prober.view,
      inFlight: this.deps.executor.inFlight(),
      abandoned: this.deps.executor.abandoned?.() ?? [],
      peers: this.deps.nodes.map((n) => n.name).filter((n) => n !== node).sort(),
      timing,
      confirmFailures: this.deps.confirmFailures,
      fenceLevelCount: this.deps.fenceLevelCount,
      memory: this.memory.current(),
      rejoinPolicy: this.deps.rejoinPolicy ?? 'manual',
      keepsData: this.deps.keepsData ?? true,
    };
  }

  /** A record the store skipped while reading (someone wrote it badly) is an alert, once per key: the rest of the store still counts. */
  private reportSkippedRecords(): void {
    for (const { key, reason } of this.deps.store.takeSkippedRecords?.() ?? []) {
      const message = `skipped a malformed record in the store (${key}): ${reason}; the other records are read as usual; rewrite or delete that key`;
      this.deps.logger.warn({ node: this.deps.node }, message);
      this.outbox.add('alert.malformed-record', message, { key, reason });
    }
  }

  /**
   * Keep on disk what this node learned of its store: the identity it joined
   * (first trusted read) and the highest epoch it saw, so a store that comes
   * back empty or replaced is recognised after a restart too. An untrusted
   * store is an alert on its edge and an error line while it lasts.
   */
  private async rememberStore(store: StoreView): Promise<void> {
    const problem = store.reachable ? undefined : store.reason;
    if (!store.reachable && store.untrusted === true && this.storeProblem !== problem) {
      this.deps.logger.error({ node: this.deps.node }, `not trusting the store: ${store.reason}`);
      this.outbox.add('alert.store-untrusted', store.reason, {});
    }
    this.storeProblem = problem;
    if (!store.reachable) return;
    const m = this.memory.current();
    const epoch = Math.max(store.lease?.epoch ?? 0, store.lastEpoch ?? 0);
    const patch = { ...(epoch > m.highestEpoch ? { highestEpoch: epoch } : {}), ...(m.clusterId === undefined && store.clusterId !== undefined ? { clusterId: store.clusterId } : {}) };
    if (Object.keys(patch).length === 0) return;
    try {
      await this.memory.update(patch);
    } catch (error) {
      // Not fatal for this cycle (the grant check reads memory too), but the operator must know the disk is failing.
      this.deps.logger.error({ node: this.deps.node }, `cannot record what this node saw of the store on its disk: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Eligibility changes and the cluster-wide "nobody can take over" alert, on their edges only. */
  private watchEligibility(snapshot: Snapshot): void {
    const c = contextOf(snapshot, snapshot.nowMs);
    const l = snapshot.local;
    this.ineligible = l.writing || l.role !== 'replica' ? undefined : ineligibleReason(c);
    // Before the first check there is nothing to say yet: no edge from "not checked" at start-up.
    const reason = l.eligibility === undefined && this.ineligible === UNCHECKED ? undefined : this.ineligible;
    for (const e of this.eligibilityWatch.observe(this.deps.node, reason, snapshot.store)) {
      this.deps.logger[e.level]({ node: this.deps.node, ...e.data }, e.message);
      this.outbox.add(e.type, e.message, e.data);
    }
  }

  /**
   * Probe the lease holder (or the last one seen) when it is another node.
   * The probes run beside the cycle (ProbeScheduler): a dead primary's probes
   * take their whole timeout, and a cycle that waited for them would also
   * hold back the election and every step after it.
   */
  private probeTarget(store: StoreView): NodeInfo | undefined {
    const holder = (store.reachable ? store.lease?.holder : undefined) ?? this.local.lastSeenLease?.holder;
    const target = this.deps.nodes.find((n) => n.name === holder);
    return target === undefined || target.name === this.deps.node ? undefined : target;
  }

  private recordResult(r: ActionResult): void {
    this.watchDegraded(r);
    this.watchSoleCopyClear(r);
    if (r.code === 'ok' && QUIET_KINDS.has(r.action.kind)) return;
    const group = groupDataOf(r.data).group;
    // A promote or restart says where the group stands (started resources, what failed, rollback failures).
    const data = { code: r.code, startedAtMs: r.startedAtMs, finishedAtMs: r.finishedAtMs, durationMs: r.finishedAtMs - r.startedAtMs, ...(group === undefined ? {} : { group }) };
    const failedSafety = r.code !== 'ok' && (r.action.kind === 'fence' || r.action.kind === 'demote' || r.action.kind === 'promote' || r.data?.epochWentBack === true);
    if (failedSafety) this.deps.logger.error({ node: this.deps.node, ...data }, `${describeAction(r.action)} failed: ${r.reason}`);
    // Every other result is in the log too: at 3 a.m. the agent's own log must say why a step failed.
    else if (r.code !== 'ok') this.deps.logger.warn({ node: this.deps.node, ...data }, `${describeAction(r.action)} ${r.code}: ${r.reason}`);
    else this.deps.logger.info({ node: this.deps.node, ...data }, `${describeAction(r.action)}: ${r.reason}`);
    // Stamped when the action finished, not when this cycle noticed, so timelines read true.
    const alert = r.data?.epochWentBack === true ? 'alert.epoch-went-back' : `alert.${r.action.kind}-failed`;
    this.outbox.add(failedSafety ? alert : `action.${r.action.kind}`, `${describeAction(r.action)}: ${r.code} (${r.reason})`, data, r.finishedAtMs);
    // A rollback that failed leaves resources running half-started: an alert of its own, whatever the action was.
    if (group?.state === 'half-started') this.outbox.add('alert.group-half-started', `${describeAction(r.action)}: ${r.reason}`, { group }, r.finishedAtMs);
    if (r.action.kind === 'promote' && r.code === 'ok') this.outbox.add('ha.announce', `${this.deps.node} is primary at epoch ${r.action.epoch}`, { epoch: r.action.epoch }, r.finishedAtMs);
  }

  /**
   * Monitors are quiet, but the end of a sole-copy window is the moment other
   * nodes may take over again: said once, as an event. A clear that keeps
   * failing is retried at every monitor and said again only when its reason changes.
   */
  private watchSoleCopyClear(r: ActionResult): void {
    const cleared = r.action.kind === 'monitor' ? r.data?.soleCopyCleared : undefined;
    if (cleared === true) {
      this.lastSoleCopyClearFailure = undefined;
      this.deps.logger.info({ node: this.deps.node }, `${describeAction(r.action)}: ${r.reason}`);
      this.outbox.add('ha.second-copy', `${this.deps.node}'s acknowledged writes have a second copy: other nodes may take over again`, {}, r.finishedAtMs);
    } else if (cleared === false && r.reason !== this.lastSoleCopyClearFailure) {
      this.lastSoleCopyClearFailure = r.reason;
      this.deps.logger.warn({ node: this.deps.node }, `${describeAction(r.action)}: ${r.reason}`);
    }
  }

  /** Degraded and recovered resources are events on their edges only; a new promotion or a demotion starts afresh. */
  private watchDegraded(r: ActionResult): void {
    const kind = r.action.kind;
    if (kind === 'promote' || kind === 'demote') this.degradedWatch.reset();
    if (kind !== 'monitor') return;
    for (const e of this.degradedWatch.observe(groupDataOf(r.data).resources ?? [])) {
      if (e.type === 'resource.degraded') this.deps.logger.warn({ node: this.deps.node, ...e.data }, e.message);
      else this.deps.logger.info({ node: this.deps.node, ...e.data }, e.message);
      this.outbox.add(e.type, e.message, e.data, r.finishedAtMs);
    }
  }

  /**
   * A probe that answers `ok` with `data.degraded` (one heartbeat link lost)
   * is an event on its edges only, through the same outbox and log as
   * degraded resources. Recorded when the answer arrives, between cycles:
   * the outbox is drained at the end of the next cycle.
   */
  private watchProbeDegraded(probe: string, target: string, answer: Outcome<ProbeData>): void {
    for (const e of this.probeDegradedWatch.observe(probe, target, answer)) {
      if (e.type === 'probe.degraded') this.deps.logger.warn({ node: this.deps.node, ...e.data }, e.message);
      else this.deps.logger.info({ node: this.deps.node, ...e.data }, e.message);
      this.outbox.add(e.type, e.message, e.data);
    }
  }

  /** A decision's alert, once per type and key (decisions in between do not raise it again). */
  private raiseAlert(d: Decision): void {
    if (d.alert === undefined) return;
    const key = `${d.alert.type}|${d.alert.key}`;
    if (key === this.lastAlertKey) return;
    this.lastAlertKey = key;
    this.deps.logger.warn({ node: this.deps.node, ...d.alert.data }, d.summary);
    this.outbox.add(d.alert.type, d.summary, d.alert.data);
  }

  /** A step is recorded when it changes or started an action, so waiting cycles do not flood the history. */
  private recordStep(d: Decision, started: readonly Action[]): void {
    if (d.step === undefined) {
      this.lastStepKey = undefined;
      return;
    }
    // Heartbeats start every few cycles; they must not make a waiting step look new.
    const notable = started.filter((a) => !QUIET_KINDS.has(a.kind));
    const key = `${d.step}|${notable.map((a) => a.kind).join(',')}`;
    if (key === this.lastStepKey && notable.length === 0) return;
    this.lastStepKey = key;
    this.outbox.add(`ha.${d.step}`, d.summary, { actions: started.map((a) => describeAction(a)), monotonicMs: this.deps.clock.monotonicMs() });
  }
}
